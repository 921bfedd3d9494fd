package ingest

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone: names must resolve the same on every machine, with or without system zone files

	"go.yaml.in/yaml/v3"

	"lantern"
)

// maxProfileBytes bounds a profile file.
const maxProfileBytes = 64 << 10

// maxColumnIndex bounds a column given by position.
const maxColumnIndex = 1000

// Profile says how to read one force's CSV export as records of one kind:
// which column holds each field, how times are written and in which zone,
// how source codes map to Lantern's values, and fields that are the same for
// every row. A Profile is immutable once loaded and safe for concurrent use.
// docs/formats.md describes the YAML it is loaded from.
type Profile struct {
	name        string
	kind        Kind
	description string
	delimiter   byte
	header      bool
	columns     []column
	timeFormats map[string][]string
	zone        *time.Location
	values      map[string]map[string]string
	constants   map[string]string
	listSep     string
}

// column maps a field to a CSV column, by header name or 1-based index.
type column struct {
	field string
	name  string // header name; "" when given by index
	index int    // 1-based position; 0 when given by name
}

// Name returns the name the profile was loaded under.
func (p *Profile) Name() string { return p.name }

// Kind returns the kind of record the profile reads.
func (p *Profile) Kind() Kind { return p.kind }

// Description returns the profile's free-text description, if any.
func (p *Profile) Description() string { return p.description }

// LoadProfile reads a YAML mapping profile. name is used in messages, which
// have the form "name:line: reason". Unknown keys, fields the kind does not
// have, required fields left unmapped, time layouts that cannot be read, and
// unknown zones are EINVALID *lantern.Errors; a read failure is returned
// wrapped.
func LoadProfile(r io.Reader, name string) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProfileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read profile %s: %w", name, err)
	}
	if len(data) > maxProfileBytes {
		return nil, lantern.Errorf(lantern.EINVALID, "%s: profile is larger than %d KiB", name, maxProfileBytes>>10)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	l := &profileLoader{name: name, p: &Profile{
		name: name, delimiter: ',', header: true, listSep: ";",
		timeFormats: map[string][]string{}, values: map[string]map[string]string{}, constants: map[string]string{},
	}}
	if err := l.load(&doc); err != nil {
		return nil, err
	}
	return l.p, nil
}

// yamlError turns the YAML parser's "yaml: line N: reason" into
// "name:N: reason".
func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if _, convErr := strconv.Atoi(n); convErr == nil {
				return lantern.Errorf(lantern.EINVALID, "%s:%s: %s", name, n, after)
			}
		}
	}
	return lantern.Errorf(lantern.EINVALID, "%s:1: %s", name, msg)
}

// profileLoader walks a profile's YAML nodes, so that every error can give
// its line.
type profileLoader struct {
	name string
	p    *Profile
}

func (l *profileLoader) errf(n *yaml.Node, format string, args ...any) error {
	return lantern.Errorf(lantern.EINVALID, "%s:%d: %s", l.name, n.Line, fmt.Sprintf(format, args...))
}

func (l *profileLoader) load(doc *yaml.Node) error {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return lantern.Errorf(lantern.EINVALID, "%s:1: profile is empty", l.name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return l.errf(root, "a profile is a mapping of keys such as kind and columns")
	}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "kind", "description", "delimiter", "header", "columns", "time_formats", "zone", "values", "constants", "list_separator":
			if _, dup := keys[k.Value]; dup {
				return l.errf(k, "%s is given twice", k.Value)
			}
			keys[k.Value] = v
		default:
			return l.errf(k, "unknown key %s", echo(k.Value))
		}
	}
	kindNode, ok := keys["kind"]
	if !ok {
		return l.errf(root, "kind is required")
	}
	steps := []struct {
		key  string
		load func(*yaml.Node) error
	}{
		{"kind", l.loadKind}, {"description", l.loadDescription}, {"delimiter", l.loadDelimiter},
		{"header", l.loadHeader}, {"zone", l.loadZone}, {"list_separator", l.loadListSep},
		{"columns", l.loadColumns}, {"constants", l.loadConstants}, {"time_formats", l.loadTimeFormats},
		{"values", l.loadValues},
	}
	for _, s := range steps {
		if n, ok := keys[s.key]; ok {
			if err := s.load(n); err != nil {
				return err
			}
		}
	}
	if _, ok := keys["columns"]; !ok {
		return l.errf(root, "columns is required")
	}
	return l.checkComplete(kindNode)
}

func (l *profileLoader) scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", l.errf(n, "%s must be a single value", what)
	}
	return n.Value, nil
}

// mapping returns n's key and value nodes in order.
func (l *profileLoader) mapping(n *yaml.Node, what string) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "%s must be a mapping", what)
	}
	var pairs [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, l.errf(k, "%s keys must be single values", what)
		}
		if seen[k.Value] {
			return nil, l.errf(k, "%s is given twice in %s", echo(k.Value), what)
		}
		seen[k.Value] = true
		pairs = append(pairs, [2]*yaml.Node{k, n.Content[i+1]})
	}
	return pairs, nil
}

// field checks that k names a field of the profile's kind.
func (l *profileLoader) field(k *yaml.Node, what string) (field, error) {
	f, ok := lookupField(l.p.kind, k.Value)
	if !ok {
		return field{}, l.errf(k, "%s: %s is not a field of %s records", what, echo(k.Value), l.p.kind)
	}
	return f, nil
}

func (l *profileLoader) loadKind(n *yaml.Node) error {
	s, err := l.scalar(n, "kind")
	if err != nil {
		return err
	}
	k, err := ParseKind(s)
	if err != nil {
		return l.errf(n, "%s", lantern.ErrorMessage(err))
	}
	l.p.kind = k
	return nil
}

func (l *profileLoader) loadDescription(n *yaml.Node) error {
	s, err := l.scalar(n, "description")
	l.p.description = s
	return err
}

func (l *profileLoader) loadDelimiter(n *yaml.Node) error {
	s, err := l.scalar(n, "delimiter")
	if err != nil {
		return err
	}
	if len(s) != 1 || s[0] == '"' || s[0] == '\r' || s[0] == '\n' || s[0] >= 0x80 {
		return l.errf(n, "delimiter must be one ASCII character other than a quote or line ending (a tab is written \"\\t\")")
	}
	l.p.delimiter = s[0]
	return nil
}

func (l *profileLoader) loadHeader(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return l.errf(n, "header must be true or false")
	}
	return n.Decode(&l.p.header)
}

func (l *profileLoader) loadZone(n *yaml.Node) error {
	s, err := l.scalar(n, "zone")
	if err != nil {
		return err
	}
	if s == "" || s == "Local" {
		return l.errf(n, "zone must be an IANA zone name such as Europe/London")
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return l.errf(n, "zone %s is not a known IANA zone name such as Europe/London", echo(s))
	}
	l.p.zone = loc
	return nil
}

func (l *profileLoader) loadListSep(n *yaml.Node) error {
	s, err := l.scalar(n, "list_separator")
	if err != nil {
		return err
	}
	if s == "" {
		return l.errf(n, "list_separator must not be empty")
	}
	l.p.listSep = s
	return nil
}

func (l *profileLoader) loadColumns(n *yaml.Node) error {
	pairs, err := l.mapping(n, "columns")
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		return l.errf(n, "columns must map at least one field")
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		if _, err := l.field(k, "columns"); err != nil {
			return err
		}
		c := column{field: k.Value}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!int":
			i, err := strconv.Atoi(v.Value)
			if err != nil || i < 1 || i > maxColumnIndex {
				return l.errf(v, "column for %s must be a header name or a position from 1 to %d", k.Value, maxColumnIndex)
			}
			c.index = i
		case v.Kind == yaml.ScalarNode && v.Tag == "!!str" && strings.TrimSpace(v.Value) != "":
			if !l.p.header {
				return l.errf(v, "column for %s is a name, but the file has no header: give a position from 1", k.Value)
			}
			c.name = strings.TrimSpace(v.Value)
		default:
			return l.errf(v, "column for %s must be a header name or a position from 1", k.Value)
		}
		l.p.columns = append(l.p.columns, c)
	}
	return nil
}

func (l *profileLoader) mapped(name string) bool {
	for _, c := range l.p.columns {
		if c.field == name {
			return true
		}
	}
	return false
}

func (l *profileLoader) loadConstants(n *yaml.Node) error {
	pairs, err := l.mapping(n, "constants")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		f, err := l.field(k, "constants")
		if err != nil {
			return err
		}
		if l.mapped(f.name) {
			return l.errf(k, "%s is both a column and a constant", f.name)
		}
		if f.typ == typePhone || f.typ == typePhoneList {
			return l.errf(k, "%s cannot be a constant", f.name)
		}
		s, err := l.scalar(v, "a constant")
		if err != nil {
			return err
		}
		l.p.constants[f.name] = s
	}
	return nil
}

func (l *profileLoader) loadTimeFormats(n *yaml.Node) error {
	pairs, err := l.mapping(n, "time_formats")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		f, err := l.field(k, "time_formats")
		if err != nil {
			return err
		}
		if f.typ != typeTime && f.typ != typeDate {
			return l.errf(k, "time_formats: %s is not a time field", f.name)
		}
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		if len(items) == 0 {
			return l.errf(v, "time_formats for %s is empty", f.name)
		}
		for _, item := range items {
			layout, err := l.scalar(item, "a time format")
			if err != nil {
				return err
			}
			if err := l.checkLayout(item, f, layout); err != nil {
				return err
			}
			l.p.timeFormats[f.name] = append(l.p.timeFormats[f.name], layout)
		}
	}
	return nil
}

// layoutProbe is formatted with each layout to see that it has elements.
var layoutProbe = time.Date(2001, 2, 3, 16, 5, 6, 0, time.UTC)

func (l *profileLoader) checkLayout(n *yaml.Node, f field, layout string) error {
	switch {
	case strings.Contains(layout, "MST"):
		return l.errf(n, "time format %q uses a zone abbreviation, which is ambiguous: use an offset (-07:00) or set zone", layout)
	case layoutProbe.Format(layout) == layout:
		return l.errf(n, "time format %q has no Go layout elements: write the reference time, as in 02/01/2006 15:04:05", layout)
	case !layoutHasZone(layout) && l.p.zone == nil && !(f.typ == typeDate && !layoutHasClock(layout)):
		return l.errf(n, "time format %q for %s has no zone offset: set zone", layout, f.name)
	}
	return nil
}

func (l *profileLoader) loadValues(n *yaml.Node) error {
	pairs, err := l.mapping(n, "values")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		f, err := l.field(k, "values")
		if err != nil {
			return err
		}
		if f.typ != typeString && f.typ != typeList {
			return l.errf(k, "values: %s is not a text or list field", f.name)
		}
		if !l.mapped(f.name) {
			return l.errf(k, "values: %s has no column", f.name)
		}
		entries, err := l.mapping(v, "values for "+f.name)
		if err != nil {
			return err
		}
		m := map[string]string{}
		for _, e := range entries {
			to, err := l.scalar(e[1], "a value")
			if err != nil {
				return err
			}
			m[e[0].Value] = to
		}
		l.p.values[f.name] = m
	}
	return nil
}

// checkComplete checks that every required field has a column or constant.
func (l *profileLoader) checkComplete(at *yaml.Node) error {
	has := func(name string) bool {
		_, constant := l.p.constants[name]
		return constant || l.mapped(name)
	}
	for _, f := range fieldsOf(l.p.kind) {
		if f.required && !has(f.name) {
			return l.errf(at, "%s records need %s: map a column to it or give a constant", l.p.kind, f.name)
		}
	}
	if l.p.kind == KindComms && !has("number") && !has("number_hash") {
		return l.errf(at, "comms records need number or number_hash: map a column to one")
	}
	for _, f := range fieldsOf(l.p.kind) {
		if (f.typ == typeTime || f.typ == typeDate) && has(f.name) && l.p.timeFormats[f.name] == nil {
			l.p.timeFormats[f.name] = defaultLayouts(f, l.p.zone != nil)
		}
	}
	return nil
}

// defaultLayouts are the time formats of a field the profile gives none for:
// RFC 3339, and with a zone the same without an offset.
func defaultLayouts(f field, zone bool) []string {
	l := []string{time.RFC3339Nano}
	if zone {
		l = append(l, "2006-01-02T15:04:05", "2006-01-02 15:04:05")
	}
	if f.typ == typeDate {
		l = append(l, time.DateOnly)
	}
	return l
}

// layoutHasZone reports whether a Go time layout reads a zone offset.
func layoutHasZone(layout string) bool {
	return strings.Contains(layout, "Z07") || strings.Contains(layout, "-07")
}

// layoutHasClock reports whether a Go time layout reads an hour.
func layoutHasClock(layout string) bool {
	return strings.Contains(layout, "15") || strings.Contains(layout, "3")
}

// parseTime reads a CSV time value for field f with the profile's formats,
// tried in order, and its zone. It returns the instant in UTC.
func (p *Profile) parseTime(f field, s string) (time.Time, error) {
	layouts := p.timeFormats[f.name]
	if layouts == nil {
		layouts = defaultLayouts(f, p.zone != nil)
	}
	for _, layout := range layouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		switch {
		case layoutHasZone(layout):
			return t.UTC(), nil
		case f.typ == typeDate && !layoutHasClock(layout):
			return t, nil
		case p.zone != nil:
			return inZone(t, p.zone).UTC(), nil
		}
		return time.Time{}, lantern.FieldErrorf(f.name, "%s %s", f.name, reasonNoZone)
	}
	if p.zone == nil && zoneless(s) {
		return time.Time{}, lantern.FieldErrorf(f.name, "%s %s", f.name, reasonNoZone)
	}
	return time.Time{}, lantern.FieldErrorf(f.name, "%s does not match the time formats %q", f.name, layouts)
}
