package lang

import (
	"strings"
	"testing"
	"time"
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
