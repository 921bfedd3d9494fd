package sqlbase

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"go.yaml.in/yaml/v3"

	"lantern"
	"lantern/detect"
	"lantern/rules"
)

//go:embed sql
var sqlFiles embed.FS

// library is the built-in rule library the SQL is written for, compiled
// once: its rules' names, weights, windows and sequences, and the lists of
// its files (rules/*.yaml), which the SQL reads instead of copies of them.
var library = sync.OnceValues(func() (*libraryData, error) {
	set, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("sqlbase: load the rule library: %w", err)
	}
	lib := &libraryData{set: set, lists: map[string][]string{}}
	names, err := fs.Glob(rules.FS(), "*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		b, err := fs.ReadFile(rules.FS(), name)
		if err != nil {
			return nil, err
		}
		var f struct {
			Lists map[string][]string `yaml:"lists"`
		}
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("sqlbase: rule library %s: %w", name, err)
		}
		maps.Copy(lib.lists, f.Lists)
	}
	// The roster kinds that count as working (lantern.Shift.Working).
	lib.lists["working_shifts"] = []string{lantern.ShiftDuty, lantern.ShiftTraining, lantern.ShiftCourt}
	return lib, nil
})

type libraryData struct {
	set   *detect.RuleSet
	lists map[string][]string
}

// forever is the valid_to of a version still in force.
const forever = "9223372036854775807"

// queries holds the SQL of one dialect: the files in sql/ run through
// text/template, with functions that write what differs between dialects
// and that read the rule library.
type queries struct {
	t     *template.Template
	lib   *libraryData
	rules []string          // rule names, from sql/rules/<name>[.<dialect>].sql, sorted
	file  map[string]string // rule name → its template
}

// durMicros converts a duration written as the rule files write them ("7d"),
// or a time.Duration, to microseconds.
func durMicros(v any) (int64, error) {
	switch d := v.(type) {
	case time.Duration:
		return d.Microseconds(), nil
	case string:
		p, err := parseDuration(d)
		return p.Microseconds(), err
	}
	return 0, fmt.Errorf("not a duration: %v", v)
}

// parseQueries parses the common SQL files and those of dialect d
// (name.<dialect>.sql).
func parseQueries(d Dialect) (*queries, error) {
	lib, err := library()
	if err != nil {
		return nil, err
	}
	list := func(name string) ([]string, error) {
		l, ok := lib.lists[name]
		if !ok {
			return nil, fmt.Errorf("the rule library has no list %q", name)
		}
		return l, nil
	}
	funcs := template.FuncMap{
		"forever": func() string { return forever },
		"dur": func(v any) (string, error) {
			n, err := durMicros(v)
			return strconv.FormatInt(n, 10), err
		},
		// within is the offset of a RANGE frame holding (t - d, t].
		"within": func(v any) (string, error) {
			n, err := durMicros(v)
			return strconv.FormatInt(n-1, 10), err
		},
		// max_shift is the longest a working roster entry may be.
		"max_shift": func() string { return strconv.FormatInt(lantern.MaxShiftLength.Microseconds(), 10) },
		// float writes a number as a SQL literal that is not an integer,
		// so that arithmetic with it is not integer division.
		"float": func(v any) (string, error) {
			var f float64
			switch n := v.(type) {
			case float64:
				f = n
			case int:
				f = float64(n)
			default:
				return "", fmt.Errorf("float: not a number: %v", v)
			}
			s := strconv.FormatFloat(f, 'g', -1, 64)
			if !strings.ContainsAny(s, ".eE") {
				s += ".0"
			}
			return s, nil
		},
		// floor rounds a time down to a multiple of d (midnight UTC for 1d),
		// before 1970 too.
		"floor": func(expr string, v any) (string, error) {
			m, err := durMicros(v)
			n := strconv.FormatInt(m, 10)
			return fmt.Sprintf("(%s - ((%s %% %s) + %s) %% %s)", expr, expr, n, n, n), err
		},
		"list": func(name string) (string, error) {
			l, err := list(name)
			return "(" + strings.Join(quoteAll(l), ", ") + ")", err
		},
		// matches is expr's "matches" (an RE2 regular expression, Go's):
		// PostgreSQL's ~, whose word boundary is \y where Go writes \b, and
		// SQLite's REGEXP, which calls the regexp function sqlbase registers
		// (Go's regexp package).
		"matches": func(expr, pattern string) string {
			if d == Postgres {
				return fmt.Sprintf("(%s ~ %s)", expr, quote(strings.ReplaceAll(pattern, `\b`, `\y`)))
			}
			return fmt.Sprintf("(%s REGEXP %s)", expr, quote(pattern))
		},
		"year": func(expr string) string {
			if d == Postgres {
				return fmt.Sprintf("CAST(extract(year FROM to_timestamp(%s / 1000000.0) AT TIME ZONE 'UTC') AS INTEGER)", expr)
			}
			return fmt.Sprintf("CAST(strftime('%%Y', %s / 1000000, 'unixepoch') AS INTEGER)", expr)
		},
		// pow2 is 2 to the power of a (floating point) expression.
		"pow2": func(expr string) string {
			return fmt.Sprintf("power(2.0, %s)", expr)
		},
		// analyze refreshes the planner's statistics of the tables.
		// PostgreSQL's autovacuum never analyzes temporary tables, and
		// a bare ANALYZE would cover the whole database.
		"analyze": func(tables ...string) string {
			if d == Postgres {
				return "ANALYZE " + strings.Join(tables, ", ")
			}
			out := make([]string, len(tables))
			for i, t := range tables {
				out[i] = "ANALYZE " + t
			}
			return strings.Join(out, ";\n")
		},
		// signals lists the rules whose alerts a corroboration rule adds up,
		// with their dedupe intervals, as VALUES rows (rule, dedupe).
		"signals": func(r *detect.Rule) (string, error) {
			if r == nil || r.Corroborate == nil {
				return "", errors.New("signals: not a corroboration rule")
			}
			var rows []string
			for _, o := range lib.set.Rules() {
				if o.Corroborate != nil {
					continue
				}
				if len(r.Corroborate.Rules) == 0 && !o.Signal || len(r.Corroborate.Rules) > 0 && !slices.Contains(r.Corroborate.Rules, o.Name) {
					continue
				}
				rows = append(rows, fmt.Sprintf("(%s, %d)", quote(o.Name), o.Dedupe.Microseconds()))
			}
			if len(rows) == 0 {
				return "", fmt.Errorf("rule %s adds up no rule's signals", r.Name)
			}
			return "VALUES " + strings.Join(rows, ", "), nil
		},
	}
	t := template.New("sqlbase").Funcs(funcs).Option("missingkey=error")
	q := &queries{t: t, lib: lib, file: map[string]string{}}
	err = fs.WalkDir(sqlFiles, "sql", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		base := path.Base(p)
		name, dialect, _ := strings.Cut(strings.TrimSuffix(base, ".sql"), ".")
		if dialect != "" && Dialect(dialect) != d {
			return nil // another dialect's
		}
		b, err := sqlFiles.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := t.New(base).Parse(string(b)); err != nil {
			return err
		}
		if path.Dir(p) == "sql/rules" {
			q.rules = append(q.rules, name)
			q.file[name] = base
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("parse sqlbase queries: %w", err)
	}
	slices.Sort(q.rules)
	return q, nil
}

// checkLibrary reports, as one clear error, the rules of the library with no
// SQL and the SQL for rules the library no longer has.
func (q *queries) checkLibrary() error {
	var missing, stale []string
	inLib := map[string]bool{}
	for _, r := range q.lib.set.Rules() {
		inLib[r.Name] = true
		if _, ok := q.file[r.Name]; !ok {
			missing = append(missing, r.Name)
		}
	}
	for _, name := range q.rules {
		if !inLib[name] {
			stale = append(stale, name)
		}
	}
	var errs []string
	if len(missing) > 0 {
		errs = append(errs, fmt.Sprintf("the rule library has rules with no SQL in sqlbase/sql/rules: %s", strings.Join(missing, ", ")))
	}
	if len(stale) > 0 {
		errs = append(errs, fmt.Sprintf("sqlbase/sql/rules has SQL for rules the library no longer has: %s", strings.Join(stale, ", ")))
	}
	if len(errs) > 0 {
		return errors.New("sqlbase: " + strings.Join(errs, "; "))
	}
	return nil
}

// statements renders the file name and splits it into statements, at each
// line that ends with ";". Statements that hold only comments are dropped.
func (q *queries) statements(name string, data any) ([]string, error) {
	var b bytes.Buffer
	if err := q.t.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		if hasCode(s) {
			out = append(out, s)
		}
	}
	for line := range strings.Lines(b.String()) {
		t := strings.TrimSpace(line)
		if strings.HasSuffix(t, ";") && !strings.HasPrefix(t, "--") {
			cur.WriteString(strings.TrimSuffix(strings.TrimRight(line, " \t\r\n"), ";"))
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out, nil
}

// hasCode reports whether s holds anything but comments and space.
func hasCode(s string) bool {
	for line := range strings.Lines(s) {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
			return true
		}
	}
	return false
}

var tempTable = regexp.MustCompile(`(?i)CREATE\s+TEMP\s+TABLE\s+(\w+)`)

// tempTables returns the temporary tables the statements create.
func tempTables(stmts []string) []string {
	var out []string
	for _, s := range stmts {
		for _, m := range tempTable.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = quote(s)
	}
	return out
}

// parseDuration reads a duration as the rule files write them: Go's
// notation or a number of days ("90d").
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}
