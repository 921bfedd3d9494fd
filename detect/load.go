package detect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// LoadError is a mistake in a rule file, at a line of it.
type LoadError struct {
	File string
	Line int
	Msg  string
}

// Error gives the mistake as "file:line: reason".
func (e *LoadError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// The YAML shapes of a rule file. Expression and name fields are yaml.Node so
// that errors can give their line.
type fileYAML struct {
	Lists  map[string]yaml.Node `yaml:"lists"`
	Macros map[string]yaml.Node `yaml:"macros"`
	Rules  []ruleYAML           `yaml:"rules"`
}

type ruleYAML struct {
	Name        yaml.Node        `yaml:"name"`
	Description string           `yaml:"description"`
	Severity    string           `yaml:"severity"`
	Weight      float64          `yaml:"weight"`
	Kind        string           `yaml:"kind"`
	Key         string           `yaml:"key"`
	Dedupe      string           `yaml:"dedupe"`
	Signal      bool             `yaml:"signal"`
	When        yaml.Node        `yaml:"when"`
	Exceptions  []exceptionYAML  `yaml:"exceptions"`
	Window      *windowYAML      `yaml:"window"`
	Sequence    *sequenceYAML    `yaml:"sequence"`
	Peer        *peerYAML        `yaml:"peer"`
	Corroborate *corroborateYAML `yaml:"corroborate"`
}

type exceptionYAML struct {
	When    yaml.Node `yaml:"when"`
	Reason  string    `yaml:"reason"`
	Expires string    `yaml:"expires"`
}

type windowYAML struct {
	Over      string `yaml:"over"`
	By        string `yaml:"by"`
	Distinct  string `yaml:"distinct"`
	Threshold int    `yaml:"threshold"`
}

type sequenceYAML struct {
	By     string     `yaml:"by"`
	Within string     `yaml:"within"`
	Steps  []stepYAML `yaml:"steps"`
}

type stepYAML struct {
	Name   yaml.Node `yaml:"name"`
	When   yaml.Node `yaml:"when"`
	Absent bool      `yaml:"absent"`
}

type peerYAML struct {
	MinScore float64 `yaml:"min_score"`
	MinValue int     `yaml:"min_value"`
	Every    string  `yaml:"every"`
}

// parsedFile is one rule file decoded but not compiled.
type parsedFile struct {
	name string
	f    fileYAML
}

// Load reads every *.yaml and *.yml file directly in dir of fsys, in name
// order, and compiles them into one RuleSet. Lists and macros defined in any
// file are shared by all. Any mistake makes Load return an error (each
// mistake a *LoadError giving file:line, joined) and no RuleSet, so that a
// caller keeps the set it has.
func Load(fsys fs.FS, dir string) (*RuleSet, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	var files []parsedFile
	var errs []error
	for _, e := range entries {
		ext := path.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		name := path.Join(dir, e.Name())
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		pf, err := parseFile(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, pf)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return compileFiles(files)
}

// LoadFile compiles one rule file held in memory, as Load does a directory.
func LoadFile(name string, data []byte) (*RuleSet, error) {
	pf, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	return compileFiles([]parsedFile{pf})
}

func parseFile(name string, data []byte) (parsedFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f fileYAML
	// An empty file (io.EOF) is an empty rule file, not a mistake.
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return parsedFile{}, yamlError(name, err)
	}
	return parsedFile{name, f}, nil
}

// yamlError turns a YAML decoding error into LoadErrors with lines.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, m := range te.Errors {
			errs = append(errs, lineError(name, m))
		}
		return errors.Join(errs...)
	}
	return lineError(name, err.Error())
}

// lineError parses "yaml: line N: msg" into a LoadError.
func lineError(name, msg string) error {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, m, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil {
				return &LoadError{name, line, m}
			}
		}
	}
	return &LoadError{name, 1, msg}
}

// parseDuration reads a duration written as Go does ("36h", "90m") or in
// days ("90d", "1.5d").
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || f < 0 || f > 3650 {
			return 0, fmt.Errorf("duration %q is not a number of days between 0 and 3650", s)
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q is not like 90d, 36h or 15m", s)
	}
	return d, nil
}

// sortedKeys returns the keys of m in order, for deterministic errors.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
