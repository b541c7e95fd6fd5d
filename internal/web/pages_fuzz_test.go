package web

import (
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/record/store"
)

// FuzzMarkLinks: whatever the offsets stored beside a text (a version's
// links are the newest version's; a broken row must not break the page),
// the marked body is the text, escaped, with tags only around it.
func FuzzMarkLinks(f *testing.F) {
	f.Add("خلية في بغداد", "رصدت خلية في بغداد تستخدم 10.0.0.7 <b>", 35, 45, 52, 60)
	f.Add("t", "x", 0, 1, 2, 3)
	f.Add("", "", -5, 100, 3, 1)
	f.Fuzz(func(t *testing.T, title, body string, ms, me, os, oe int) {
		out := string(markLinks(title, body,
			[]store.Mention{{Entity: "location--baghdad", Start: ms, End: me}},
			[]store.Observable{{Kind: "ip", Value: "10.0.0.7", Start: os, End: oe}}))
		plain := tagRE.ReplaceAllString(out, "")
		for _, r := range []struct{ from, to string }{{"&lt;", "<"}, {"&gt;", ">"}, {"&#34;", `"`}, {"&#39;", "'"}, {"&amp;", "&"}} {
			plain = strings.ReplaceAll(plain, r.from, r.to)
		}
		if want := strings.ReplaceAll(body, "\x00", "\uFFFD"); plain != want {
			t.Fatalf("marked text %q is not the body %q", plain, want)
		}
		if strings.Count(out, "<") != 2*strings.Count(out, "</") {
			t.Fatalf("unbalanced tags in %q", out)
		}
	})
}
