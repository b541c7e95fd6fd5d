package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAnalyze checks the analyzer's invariants on any input: no panic;
// tokens in order, within the text, never empty nor holding white space;
// languages from the closed set; Normalize idempotent and word surfaces
// already normalized. Seeds: testdata/fuzz/FuzzAnalyze, the lines of the
// seed article and, where the shared test data is present, the UDHR in the
// four languages.
func FuzzAnalyze(f *testing.F) {
	root := moduleRoot(f)
	if b, err := os.ReadFile(filepath.Join(root, "internal", "demo", "article-ar.txt")); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			f.Add(l, uint8(0))
		}
	} else {
		f.Fatalf("seed article: %v", err)
	}
	udhr := filepath.Join(root, "..", "shared", "testdata", "lang", "corpus", "udhr_ar_fa_ru_en.tsv")
	if b, err := os.ReadFile(udhr); err == nil {
		for i, l := range strings.Split(string(b), "\n") {
			if i == 0 || l == "" {
				continue
			}
			if cols := strings.Split(l, "\t"); len(cols) == 5 {
				f.Add(cols[4], uint8(i))
			}
		}
	} else if os.Getenv("CI") == "true" {
		f.Fatalf("UDHR corpus missing under CI: %v", err)
	}
	f.Fuzz(func(t *testing.T, text string, h uint8) {
		hints := []string{"", "ar", "fa", "ru", "en", "xx"}
		checkAnalysis(t, text, hints[int(h)%len(hints)])
	})
}

var languages = map[string]bool{"": true, "ar": true, "fa": true, "ru": true, "en": true}

// checkAnalysis checks every invariant of Analyze and Normalize on text.
func checkAnalysis(t *testing.T, text, hint string) {
	t.Helper()
	a := Analyze(text, hint)
	if !languages[a.Language] {
		t.Fatalf("language %q", a.Language)
	}
	if CanonicalLanguage(hint) != "" && a.Language != CanonicalLanguage(hint) {
		t.Fatalf("hint %q, language %q", hint, a.Language)
	}
	prevStart, prevEnd := 0, 0
	for i, tok := range a.Tokens {
		if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
			t.Fatalf("token %d %v: bad range for a text of %d bytes", i, tok, len(text))
		}
		if tok.Start < prevStart || tok.End < prevEnd {
			t.Fatalf("token %d %v out of order after %d-%d", i, tok, prevStart, prevEnd)
		}
		prevStart, prevEnd = tok.Start, tok.End
		for _, s := range []string{tok.Surface, tok.Stem} {
			if s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 || !utf8.ValidString(s) {
				t.Fatalf("token %d %+v: empty, spaced or invalid surface or stem", i, tok)
			}
		}
		if !languages[tok.Lang] || tok.Kind > CVE {
			t.Fatalf("token %d %+v: bad language or kind", i, tok)
		}
		if tok.Kind == Word || tok.Kind == Number {
			if n := Normalize(tok.Surface); n != tok.Surface {
				t.Fatalf("token %d %+v: surface not normalized: %q", i, tok, n)
			}
			if tok.Stem != tok.Surface && tok.Lang == "" {
				t.Fatalf("token %d %+v: stemmed without a language", i, tok)
			}
		} else if tok.Stem != tok.Surface || tok.Lang != "" {
			t.Fatalf("token %d %+v: an observable is stemmed or has a language", i, tok)
		}
	}
	n := Normalize(text)
	if nn := Normalize(n); nn != n {
		t.Fatalf("Normalize not idempotent:\n %q\n→%q\n→%q", text, n, nn)
	}
	if !utf8.ValidString(n) {
		t.Fatalf("Normalize(%q) is not valid UTF-8", text)
	}
}

// moduleRoot is the directory holding go.mod, above the test's.
func moduleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// TestInvariantsOnCorpus runs the fuzz checks over every case of the
// data-driven files, the seed article and the UDHR, with every hint.
func TestInvariantsOnCorpus(t *testing.T) {
	var texts []string
	files, _ := filepath.Glob(filepath.Join("testdata", "analyze", "*.txt"))
	for _, path := range files {
		for _, c := range parseDD(t, path) {
			texts = append(texts, strings.Join(c.input, "\n"))
		}
	}
	root := moduleRoot(t)
	b, err := os.ReadFile(filepath.Join(root, "internal", "demo", "article-ar.txt"))
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, string(b))
	for _, row := range readTSV(t, filepath.Join(sharedLangData(t), "corpus", "udhr_ar_fa_ru_en.tsv"))[1:] {
		texts = append(texts, row[4])
	}
	for _, text := range texts {
		for _, h := range []string{"", "ar", "fa", "ru", "en", "xx"} {
			checkAnalysis(t, text, h)
		}
	}
}
