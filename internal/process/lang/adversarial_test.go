package lang

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestAdversarialInputs: texts built to make a careless scanner quadratic
// (rescanning defanged candidates, chaining Persian joins, unbalanced
// brackets in a URL, runs of marks) still take linear time. A quadratic
// path would take minutes on 256 KB; the bound is generous for a loaded
// machine.
func TestAdversarialInputs(t *testing.T) {
	const size = 1 << 18
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	for name, text := range map[string]string{
		"defanged dots":     fill("a[.]"),
		"email-like":        fill("a@b."),
		"persian joins":     fill("می "),
		"persian suffixes":  fill("ها "),
		"url brackets":      "http://x.com/" + fill(")"),
		"one long word":     fill("ب"),
		"marks":             "ا" + fill("\u064e"),
		"digits and dots":   fill("1."),
		"ligature":          fill("ﷺ"),
		"invalid utf-8":     fill("\xff"),
		"apostrophes":       fill("a'"),
		"hex":               fill("a"),
		"cve-like":          fill("cve-1234-"),
		"ipv6-like":         fill("1:"),
		"scheme-like":       fill("http:/"),
		"zwnj":              fill("\u200c"),
		"mixed scripts":     fill("aبж"),
		"sentence breaks":   fill("ب."),
		"defang brackets":   fill("[dot]"),
		"nested parens url": "https://e.com/" + fill("(a)"),
	} {
		start := time.Now()
		a := Analyze(text, "")
		d := time.Since(start)
		t.Logf("%s: %v", name, d)
		if d > 5*time.Second {
			t.Errorf("%s: %v for %d bytes (%d tokens)", name, d, len(text), len(a.Tokens))
		}
		total := 0
		for _, tok := range a.Tokens {
			total += len(tok.Surface)
		}
		if total > 12*len(text) { // NFKC expands ﷺ elevenfold
			t.Errorf("%s: surfaces total %d bytes for a text of %d", name, total, len(text))
		}
	}
}

// TestLongTextAnalyzedAsItsParts: a text past the runes whose buffers the
// pool keeps (maxPooledRunes), which gets buffers of its own size, is
// analyzed as its parts are: a paragraph repeated gives the paragraph's
// tokens, repeated, at the repetitions' offsets.
func TestLongTextAnalyzedAsItsParts(t *testing.T) {
	para := mixedParagraph + "\n"
	one := Analyze(para, "ar").Tokens
	n := maxPooledRunes/utf8.RuneCountInString(para) + 2
	long := Analyze(strings.Repeat(para, n), "ar").Tokens
	if len(long) != n*len(one) {
		t.Fatalf("%d tokens in %d paragraphs; want %d", len(long), n, n*len(one))
	}
	for i, got := range long {
		want := one[i%len(one)]
		shift := i / len(one) * len(para)
		want.Start, want.End = want.Start+shift, want.End+shift
		if got != want {
			t.Fatalf("token %d: %+v; want %+v", i, got, want)
		}
	}
}
