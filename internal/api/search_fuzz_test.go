package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSearch sends arbitrary query strings to GET /api/v1/search as SY's
// analyst, in a center that holds one report shared with everyone and one
// shared with RU alone. Whatever the query, the server must answer 200 or
// a 400 problem (never a 5xx: the query's text goes through the parser,
// the analysis and the compiled FTS5 expression), and a 200 must not
// reflect the hidden report in its items, snippets, total or facets.
func FuzzSearch(f *testing.F) {
	c := newTestCenter(f)
	hidden := c.submit("iq-analyst", with(with(sampleDraft(), "body", "قافلة سرية قرب دير الزور secretword 198.51.100.7"),
		"distribution", map[string]any{"parties": []string{"RU"}}))
	c.submit("iq-analyst", with(sampleDraft(), "body", "قافلة معلنة قرب الحدود convoy 203.0.113.7"))
	for _, s := range []string{
		`قافلة`, `سرية`, `secretword`, `"قافلة سرية"`, `قافلة -سرية`, `قافلة OR secretword`,
		`198.51.100.7`, `203.0.113.7 OR 198.51.100.7`, `source:IQ tlp:green lang:ar tag:border`,
		`داعش "الدولة الإسلامية" OR ISIS -"حلب" since:2026-01-01 until:2027-01-01`,
		`ایران می‌رود`, `Россия ёлка`, `hxxp://evil[.]example/path CVE-2024-12345`,
		`"unbalanced`, `a OR`, `-`, `foo:bar`, `tag:"two words"`, `NOT AND OR`, `"" ""`,
		`{surface stems} : "x"`, `surface:x`, `*`, `^x`, `x NEAR(y)`, "\xff\xfe", `٥٨٢٠٤ ۵۸۲۰۴`,
		`سري*`, `secr* OR قاف*`, `198.51.*`, `-secret* قافلة`, `ab*`, `"a b"*`, `x**`, `0x3139*`,
	} {
		f.Add(s)
	}
	h := c.server.Handler()
	tok := c.token("sy-analyst")
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest(http.MethodGet, searchPath+"?q="+url.QueryEscape(q), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusBadRequest:
			wantFuzzProblem(t, rec)
			return
		case http.StatusOK:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, q, rec.Body.Bytes())
		}
		var b searchBody
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatalf("200 for %q with body %s: %v", q, rec.Body.Bytes(), err)
		}
		facets := 0
		for _, n := range b.Facets["source"] {
			facets += n
		}
		if b.Total > 1 || len(b.Items) > 1 || facets > 1 {
			t.Fatalf("%q: total %d, %d items, facets %d: SY sees one report", q, b.Total, len(b.Items), facets)
		}
		for _, it := range b.Items {
			if it.ID == hidden.ID || strings.Contains(it.Snippet, "سرية") || strings.Contains(it.Snippet, "secretword") {
				t.Fatalf("%q shows SY the hidden report: %+v", q, it)
			}
		}
	})
}
