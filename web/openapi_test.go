package web

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestOpenAPIMatchesRoutes checks docs/openapi.yaml against the registered
// routes: every /api/ route is described with its method, and every path
// and method described is registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}
	var described []string
	for path, ops := range doc.Paths {
		for m, op := range ops {
			if !slices.Contains(methods, m) {
				continue
			}
			described = append(described, strings.ToUpper(m)+" "+path)
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", m, path)
			}
		}
	}
	s, _ := newTestServer(t)
	var registered []string
	for _, p := range s.patterns {
		if method, path, ok := strings.Cut(p, " "); ok && strings.HasPrefix(path, "/api/") {
			registered = append(registered, method+" "+path)
		}
	}
	for _, r := range registered {
		if !slices.Contains(described, r) {
			t.Errorf("route %s is not in docs/openapi.yaml", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(registered, d) {
			t.Errorf("docs/openapi.yaml describes %s, which is not registered", d)
		}
	}
	if len(registered) < 15 {
		t.Fatalf("only %d API routes registered", len(registered))
	}
}
