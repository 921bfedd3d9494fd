package detect

import (
	"fmt"
	"strconv"
	"strings"
)

// maxMacroDepth bounds macro expansion, which also catches cycles.
const maxMacroDepth = 16

// expand replaces every identifier in src that names a macro or a list with
// its definition in brackets, recursively. Identifiers after a "." (fields)
// and inside string literals are left alone.
func expand(src string, defs map[string]string, depth int) (string, error) {
	if depth > maxMacroDepth {
		return "", fmt.Errorf("macros nest more than %d deep (a macro may use itself)", maxMacroDepth)
	}
	var b strings.Builder
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			b.WriteString(src[i:j])
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && (isIdentStart(src[j]) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			word := src[i:j]
			def, ok := defs[word]
			if ok && !afterDot(src, i) {
				inner, err := expand(def, defs, depth+1)
				if err != nil {
					return "", err
				}
				b.WriteString("(" + inner + ")")
			} else {
				b.WriteString(word)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// afterDot reports whether the identifier at i follows a "." (a field name).
func afterDot(src string, i int) bool {
	for i--; i >= 0 && (src[i] == ' ' || src[i] == '\t'); i-- {
	}
	return i >= 0 && src[i] == '.'
}

// listLiteral writes a list of strings as an expr array literal.
func listLiteral(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
