package api

import (
	"context"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// maxAnalyzeBytes bounds the text GET /api/v1/analyze takes.
// It travels in the URL, which the server caps with the headers at 64 KiB;
// URL-encoded Arabic takes three times its bytes.
const maxAnalyzeBytes = 16 << 10

// analyzeInput is a text to analyze. Text is checked here, not by the
// schema, so that a text too long or not UTF-8 is a 400 naming it.
type analyzeInput struct {
	Text string `query:"text" required:"true" doc:"The text, at most 16 KiB of UTF-8 (bytes, before URL encoding)." example:"وللعراق"`
	Lang string `query:"lang" enum:"ar,fa,ru,en" doc:"The text's language; detected when absent."`
}

// analyzedToken is one token as the API shows it.
type analyzedToken struct {
	Surface string `json:"surface" doc:"The normalized form, as indexed."`
	Stem    string `json:"stem" doc:"The stem; equal to surface when not stemmed (names, observables, numbers, short words)."`
	Kind    string `json:"kind" enum:"word,number,ip,domain,url,email,hash,cve"`
	Start   int    `json:"start" doc:"The token's first byte in the text as sent."`
	End     int    `json:"end" doc:"The byte after the token's last in the text as sent."`
	Lang    string `json:"lang" enum:"ar,fa,ru,en," doc:"The language of the token's run; empty for numbers, observables and other scripts."`
}

type analysis struct {
	Language string          `json:"language" enum:"ar,fa,ru,en," doc:"The lang given, or the one detected; empty when the text has no letters."`
	Tokens   []analyzedToken `json:"tokens"`
}

type analyzeOutput struct {
	Body analysis
}

// analyzeText runs search's text analysis on a text: what the index and
// the query language see of it. It reads nothing of the center's.
func (s *Server) analyzeText(ctx context.Context, in *analyzeInput) (*analyzeOutput, error) {
	if _, err := principal(ctx); err != nil {
		return nil, err
	}
	e := &requestError{}
	switch {
	case len(in.Text) > maxAnalyzeBytes:
		e.add("query.text", nil, "must be at most %d bytes (got %d)", maxAnalyzeBytes, len(in.Text))
	case !utf8.ValidString(in.Text):
		e.add("query.text", nil, "must be valid UTF-8")
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	an := lang.Analyze(in.Text, in.Lang)
	out := &analyzeOutput{Body: analysis{Language: an.Language, Tokens: make([]analyzedToken, len(an.Tokens))}}
	for i, t := range an.Tokens {
		out.Body.Tokens[i] = analyzedToken{Surface: t.Surface, Stem: t.Stem, Kind: t.Kind.String(), Start: t.Start, End: t.End, Lang: t.Lang}
	}
	return out, nil
}
