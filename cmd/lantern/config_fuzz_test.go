package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadConfigFile feeds arbitrary files to the configuration reader: it
// returns values only for known settings, or an error, and never panics.
func FuzzReadConfigFile(f *testing.F) {
	f.Add([]byte("http: 127.0.0.1:0\nlog-level: debug\n"))
	f.Add([]byte("data-dir: [1, 2]\n"))
	f.Add([]byte("nope: 1\n"))
	f.Add([]byte("{{{"))
	f.Add([]byte("http: &a x\nlog-level: *a\n"))
	known := serveSettings()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, data, 0o600)
		vals, err := readConfigFile(path, known)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error message")
			}
			return
		}
		for k := range vals {
			found := false
			for _, s := range known {
				found = found || s.Name == k
			}
			if !found {
				t.Fatalf("accepted unknown setting %q", k)
			}
		}
	})
}
