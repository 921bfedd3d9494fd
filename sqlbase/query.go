package sqlbase

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed sql
var sqlFiles embed.FS

// lists are the rule library's lists (rules/common.yaml) that the SQL
// needs, plus the shift kinds that count as working (lantern.Shift.Working).
var lists = map[string][]string{
	"contact_fields":      {"phone", "mobile", "telephone", "address", "email", "contact"},
	"copy_actions":        {"print", "export"},
	"look_actions":        {"view", "print", "export"},
	"volume_roles":        {"control_room", "analyst"},
	"safeguarding_roles":  {"safeguarding", "family_liaison"},
	"sensitive_incidents": {"domestic_abuse", "sexual_offence", "stalking_harassment", "missing_person", "concern_for_welfare"},
	"descriptive_terms":   {"female", "woman", "women", "girl", "blonde", "brunette", "redhead", "pretty", "attractive", "slim", "young", "petite"},
	"working_shifts":      {"duty", "training", "court"},
}

// forever is the valid_to of a version still in force.
const forever = "9223372036854775807"

// queries holds the SQL of one dialect: the files in sql/ run through
// text/template, with functions that write what differs between dialects.
type queries struct {
	t     *template.Template
	rules []string          // rule names, from sql/rules/<name>[.<dialect>].sql, sorted
	file  map[string]string // rule name → its template
}

// parseQueries parses the common SQL files and those of dialect d
// (name.<dialect>.sql).
func parseQueries(d Dialect) (*queries, error) {
	funcs := template.FuncMap{
		"forever": func() string { return forever },
		"dur": func(s string) (string, error) {
			d, err := parseDuration(s)
			return strconv.FormatInt(d.Microseconds(), 10), err
		},
		// within is the offset of a RANGE frame holding (t - d, t].
		"within": func(s string) (string, error) {
			d, err := parseDuration(s)
			return strconv.FormatInt(d.Microseconds()-1, 10), err
		},
		// floor rounds a time down to a multiple of d (midnight UTC for 1d),
		// before 1970 too.
		"floor": func(expr, s string) (string, error) {
			d, err := parseDuration(s)
			n := strconv.FormatInt(d.Microseconds(), 10)
			return fmt.Sprintf("(%s - ((%s %% %s) + %s) %% %s)", expr, expr, n, n, n), err
		},
		"list": func(name string) (string, error) {
			l, ok := lists[name]
			if !ok {
				return "", fmt.Errorf("no list %q", name)
			}
			return "(" + strings.Join(quoteAll(l), ", ") + ")", nil
		},
		// contains_any is expr's any(list, expr contains #).
		"contains_any": func(expr, name string) (string, error) {
			l, ok := lists[name]
			if !ok {
				return "", fmt.Errorf("no list %q", name)
			}
			var b strings.Builder
			b.WriteString("(")
			for i, s := range l {
				if i > 0 {
					b.WriteString(" OR ")
				}
				fmt.Fprintf(&b, "%s LIKE %s", expr, quote("%"+s+"%"))
			}
			b.WriteString(")")
			return b.String(), nil
		},
		"year": func(expr string) string {
			if d == Postgres {
				return fmt.Sprintf("CAST(extract(year FROM to_timestamp(%s / 1000000.0) AT TIME ZONE 'UTC') AS INTEGER)", expr)
			}
			return fmt.Sprintf("CAST(strftime('%%Y', %s / 1000000, 'unixepoch') AS INTEGER)", expr)
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
	}
	t := template.New("sqlbase").Funcs(funcs).Option("missingkey=error")
	q := &queries{t: t, file: map[string]string{}}
	err := fs.WalkDir(sqlFiles, "sql", func(p string, e fs.DirEntry, err error) error {
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

// statements renders the file name and splits it into statements, at each
// line that ends with ";". Statements that hold only comments are dropped.
func (q *queries) statements(name string) ([]string, error) {
	var b bytes.Buffer
	if err := q.t.ExecuteTemplate(&b, name, nil); err != nil {
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
