package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// setting describes one configuration value. Its flag is --Name, its
// environment variable LANTERN_<NAME> with dashes as underscores, and its key
// in the configuration file is Name.
type setting struct {
	Name    string
	Default string
	Usage   string
	Secret  bool // masked by --print-config
	Check   func(v string) error
}

// envName returns the environment variable that sets s.
func (s setting) envName() string {
	return "LANTERN_" + strings.ToUpper(strings.ReplaceAll(s.Name, "-", "_"))
}

// Sources a value can come from, in order of precedence.
const (
	fromFlag    = "flag"
	fromEnv     = "environment"
	fromFile    = "file"
	fromDefault = "default"
)

// configValue is a resolved setting with where it came from.
type configValue struct {
	setting
	Value  string
	Source string
}

// config is the resolved configuration of one command.
type config struct {
	values map[string]configValue
	order  []string
	file   string
}

// str returns the resolved value of a setting. Asking for an undeclared setting
// is a programming error.
func (c *config) str(name string) string {
	v, ok := c.values[name]
	if !ok {
		panic("config: undeclared setting " + name)
	}
	return v.Value
}

// duration returns a setting already checked by checkDuration.
func (c *config) duration(name string) time.Duration {
	d, _ := time.ParseDuration(c.str(name))
	return d
}

// integer returns a setting already checked by an integer check.
func (c *config) integer(name string) int {
	n, _ := strconv.Atoi(c.str(name))
	return n
}

// describe names a setting and where its value came from, for error messages.
func (c *config) describe(name string) string {
	v := c.values[name]
	switch v.Source {
	case fromEnv:
		return fmt.Sprintf("--%s (from %s)", name, v.envName())
	case fromFile:
		return fmt.Sprintf("--%s (from %s)", name, c.file)
	}
	return "--" + name
}

// settingError reports a bad setting: the message names it and says why.
func (c *config) settingError(name string, err error) error {
	return &exitError{code: 2, err: fmt.Errorf("%s: %w", c.describe(name), err)}
}

// print writes every setting, with secrets masked, and where it came from.
func (c *config) print(w io.Writer) {
	width := 0
	for _, name := range c.order {
		width = max(width, len(name))
	}
	for _, name := range c.order {
		v := c.values[name]
		fmt.Fprintf(w, "%-*s %-40s # %s\n", width, name, strconv.Quote(mask(v)), v.Source)
	}
}

// mask hides secret values, and the password in any URL.
func mask(v configValue) string {
	if v.Value == "" {
		return ""
	}
	if v.Secret {
		return "********"
	}
	return maskURL(v.Value)
}

// maskURL replaces the password in a URL (or each of a comma-separated list of
// URLs) with "xxxxx"; other strings are returned unchanged.
func maskURL(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil || u.User == nil {
			continue
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}

// loadConfig resolves settings for a command from flags, then LANTERN_*
// environment variables, then the file named by --config or LANTERN_CONFIG,
// then defaults. Extra boolean flags (such as --print-config) are returned by
// name. Unknown flags, unknown file keys and values that fail their check are
// exit-code-2 errors naming the setting.
func loadConfig(cmd string, args []string, getenv func(string) string, stderr io.Writer, settings []setting, boolFlags ...string) (*config, map[string]bool, []string, error) {
	fs := flag.NewFlagSet("lantern "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fromFlags := map[string]string{}
	configFile := setting{Name: "config", Usage: "configuration file (YAML, keys as the flag names)"}
	all := append([]setting{configFile}, settings...)
	for _, s := range all {
		fs.Func(s.Name, s.Usage, func(v string) error { fromFlags[s.Name] = v; return nil })
	}
	bools := map[string]bool{}
	for _, b := range boolFlags {
		fs.BoolFunc(b, "", func(string) error { bools[b] = true; return nil })
	}
	fs.Usage = func() {}
	// Flags may come before, between or after arguments.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage(stderr, cmd, all, boolFlags)
				return nil, nil, nil, errHelp
			}
			return nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("%s (run 'lantern %s --help' for the settings)", flagMessage(err), cmd)}
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}

	c := &config{values: map[string]configValue{}}
	c.file = fromFlags["config"]
	if c.file == "" {
		c.file = getenv(configFile.envName())
	}
	var fileVals map[string]string
	if c.file != "" {
		var err error
		if fileVals, err = readConfigFile(c.file, all); err != nil {
			return nil, nil, nil, &exitError{code: 2, err: fmt.Errorf("--config %s: %w", c.file, err)}
		}
	}
	for _, s := range settings {
		v := configValue{setting: s, Value: s.Default, Source: fromDefault}
		if f, ok := fromFlags[s.Name]; ok {
			v.Value, v.Source = f, fromFlag
		} else if e := getenv(s.envName()); e != "" {
			v.Value, v.Source = e, fromEnv
		} else if f, ok := fileVals[s.Name]; ok {
			v.Value, v.Source = f, fromFile
		}
		c.values[s.Name] = v
		c.order = append(c.order, s.Name)
		if s.Check != nil {
			if err := s.Check(v.Value); err != nil {
				return nil, nil, nil, c.settingError(s.Name, err)
			}
		}
	}
	return c, bools, positional, nil
}

// flagMessage rewords the flag package's errors to name the flag as users
// type it.
func flagMessage(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimPrefix(name, "-")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag --" + strings.TrimPrefix(name, "-") + " needs a value"
	}
	return msg
}

// readConfigFile reads a YAML mapping of setting names to scalar values.
func readConfigFile(path string, known []setting) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", errors.Unwrap(err))
	}
	var raw map[string]yaml.Node
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a YAML mapping of settings: %w", err)
	}
	out := make(map[string]string, len(raw))
	for k, n := range raw {
		if k == "config" || !slices.ContainsFunc(known, func(s setting) bool { return s.Name == k }) {
			return nil, fmt.Errorf("line %d: unknown setting %q", n.Line, k)
		}
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: setting %q must be a single value", n.Line, k)
		}
		out[k] = n.Value
	}
	return out, nil
}

// printUsage lists a command's settings with their environment variables.
func printUsage(w io.Writer, cmd string, settings []setting, boolFlags []string) {
	fmt.Fprintf(w, "Usage: lantern %s [flags]\n\nSettings (flag, environment variable, default):\n", cmd)
	for _, s := range settings {
		def := s.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(w, "  --%-16s %-28s %s\n      %s\n", s.Name, s.envName(), def, s.Usage)
	}
	for _, b := range boolFlags {
		fmt.Fprintf(w, "  --%s\n", b)
	}
	fmt.Fprintln(w, "\nPrecedence: flag, then environment, then the --config file, then the default.")
}

// Checks used by settings.

func checkDuration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 5s or 2m", v)
	}
	return nil
}

func checkOneOf(allowed ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(allowed, v) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
		}
		return nil
	}
}

func checkIntRange(lo, hi int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		return nil
	}
}

func checkNotEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}
