package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAnalyzeText(t *testing.T) {
	c := newTestCenter(t)
	tok := c.token("iq-analyst")

	var got analysis
	c.do(http.MethodGet, "/api/v1/analyze?text="+url.QueryEscape("وللعراق 10[.]0[.]0[.]1 Iraq's"), tok, nil).
		want(t, http.StatusOK).decode(t, &got)
	want := analysis{Language: "ar", Tokens: []analyzedToken{
		{Surface: "وللعراق", Stem: "عراق", Kind: "word", Start: 0, End: 14, Lang: "ar"},
		{Surface: "10.0.0.1", Stem: "10.0.0.1", Kind: "ip", Start: 15, End: 29, Lang: ""},
		{Surface: "iraq's", Stem: "iraq", Kind: "word", Start: 30, End: 36, Lang: "en"},
	}}
	if got.Language != want.Language || len(got.Tokens) != len(want.Tokens) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want.Tokens {
		if got.Tokens[i] != want.Tokens[i] {
			t.Errorf("token %d: got %+v, want %+v", i, got.Tokens[i], want.Tokens[i])
		}
	}

	// lang overrides detection for the text's own script.
	c.do(http.MethodGet, "/api/v1/analyze?lang=fa&text="+url.QueryEscape("كتابها"), tok, nil).
		want(t, http.StatusOK).decode(t, &got)
	if got.Language != "fa" || len(got.Tokens) != 1 || got.Tokens[0].Stem != "كتاب" || got.Tokens[0].Lang != "fa" {
		t.Errorf("with lang=fa: %+v", got)
	}
}

func TestAnalyzeTextRefusals(t *testing.T) {
	c := newTestCenter(t)
	tok := c.token("sy-analyst")
	for _, tc := range []struct {
		name, query, token string
		status             int
		location           string
	}{
		{"no token", "?text=x", "", http.StatusUnauthorized, ""},
		{"no text", "", tok, http.StatusUnprocessableEntity, "query.text"},
		{"unknown language", "?text=x&lang=xx", tok, http.StatusUnprocessableEntity, "query.lang"},
		{"too long", "?text=" + strings.Repeat("a", maxAnalyzeBytes+1), tok, http.StatusBadRequest, "query.text"},
		{"invalid UTF-8", "?text=%FF%FE", tok, http.StatusBadRequest, "query.text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(http.MethodGet, "/api/v1/analyze"+tc.query, tc.token, nil).want(t, tc.status)
			p := r.problem(t)
			if tc.location == "" {
				return
			}
			found := false
			for _, e := range p.Errors {
				found = found || e.Location == tc.location
			}
			if !found {
				t.Errorf("problem %+v does not name %s", p, tc.location)
			}
		})
	}

	// Exactly the limit is accepted.
	c.do(http.MethodGet, "/api/v1/analyze?text="+strings.Repeat("a", maxAnalyzeBytes), tok, nil).want(t, http.StatusOK)
}
