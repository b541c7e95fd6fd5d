package center

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkText returns why s is not acceptable text of at most maxRunes runes,
// or "" if it is. Invalid UTF-8, NUL and other control characters (except
// tab and newlines where multiline) are refused: they corrupt indexes,
// terminals and downstream tools.
func checkText(s string, maxRunes int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	n := 0
	for _, r := range s {
		n++
		if r == 0 {
			return "must not contain NUL characters"
		}
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return fmt.Sprintf("must not contain control character %U", r)
		}
	}
	if n > maxRunes {
		return fmt.Sprintf("must be at most %d characters (got %d)", maxRunes, n)
	}
	return ""
}

// isBlank reports whether s holds nothing but white space.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }
