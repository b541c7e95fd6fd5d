package center

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkText records in e, under field, why s is not acceptable text of at
// most maxRunes runes. Invalid UTF-8, NUL and other control characters
// (except tab and newlines where multiline) are refused: they corrupt
// indexes, terminals and downstream tools.
func checkText(e *InvalidError, field, s string, maxRunes int, multiline bool) {
	if !utf8.ValidString(s) {
		e.add(field, "must be valid UTF-8")
		return
	}
	n := 0
	for _, r := range s {
		n++
		if r == 0 {
			e.add(field, "must not contain NUL characters")
			return
		}
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			e.add(field, "must not contain control character %U", r)
			return
		}
	}
	if n > maxRunes {
		e.add(field, "must be at most %d characters (got %d)", maxRunes, n)
	}
}

// isBlank reports whether s holds nothing but white space.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
