package analyze

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseLookup: an entity lookup's query either is refused with a
// *QueryError or yields forms that are valid UTF-8, non-empty and hold no
// white space at either end; it never panics. The seed corpus in
// testdata/fuzz/FuzzParseLookup holds names in the four scripts and bad
// input.
func FuzzParseLookup(f *testing.F) {
	for _, s := range []string{"داعش", "والعراق", "ИГИЛ", "ایران", "Islamic State", "", "\xff", strings.Repeat("a", 300), "a\x00b", "10.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		names, err := ParseLookup(q)
		if err != nil {
			if _, ok := err.(*QueryError); !ok {
				t.Fatalf("%q: error %T %v, want a *QueryError", q, err, err)
			}
			return
		}
		if len(names) == 0 {
			t.Fatalf("%q: no forms and no error", q)
		}
		for _, n := range names {
			if n == "" || !utf8.ValidString(n) || strings.TrimSpace(n) != n {
				t.Fatalf("%q: bad form %q", q, n)
			}
		}
	})
}
