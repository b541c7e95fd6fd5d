package analyze

import (
	"slices"
	"strings"
	"unicode"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// zwnj is the zero-width non-joiner, which Persian writes inside compounds
// and before affixes — or replaces with a space, or leaves out.
const zwnj = "\u200c"

// spellings returns the token sequences a query term matches: the term as
// analyzed and the other ways the same words are written, which the index
// holds as different tokens.
//
//   - Persian compounds: بین‌المللی (with ZWNJ) is one token, بین المللی
//     (spaced) two, so each spelling of a term looks for the other: a
//     ZWNJ becomes a space, and a two-word Arabic-script term is also
//     tried joined.
//   - Arabic or Persian: a short query in Arabic script without a letter
//     only Persian has (سازمان ها) cannot be told from Arabic, yet Persian
//     and Arabic analyze it differently (Persian joins the plural ها to its
//     noun), so without a language filter it is analyzed as both.
//
// The first sequence is the term as analyzed. Sequences are distinct by
// their stems; an empty one is left out.
func spellings(text, hint string) []store.Seq {
	var out []store.Seq
	add := func(s store.Seq) {
		if len(s.Stems) > 0 && !slices.ContainsFunc(out, func(o store.Seq) bool { return key(o) == key(s) }) {
			out = append(out, s)
		}
	}
	texts := []string{text}
	if strings.Contains(text, zwnj) {
		texts = append(texts, strings.ReplaceAll(text, zwnj, " "))
	} else if f := strings.Fields(text); len(f) == 2 && arabicScript(text) {
		texts = append(texts, f[0]+zwnj+f[1])
	}
	for _, t := range texts {
		an := lang.Analyze(t, hint)
		add(seqOf(an))
		if hint == "" {
			switch an.Language {
			case "ar":
				add(seqOf(lang.Analyze(t, "fa")))
			case "fa":
				add(seqOf(lang.Analyze(t, "ar")))
			}
		}
	}
	return out
}

// arabicScript reports whether every letter of s is in the Arabic script.
func arabicScript(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.Is(unicode.Arabic, r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}
