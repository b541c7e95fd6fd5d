package analyze

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Limits on a query, so that one request cannot make the index do
// unbounded work.
const (
	MaxQueryBytes = 2048
	MaxQueryTerms = 64
)

// A Term is a word or a phrase as the analyst typed it. A Prefix term is
// a word typed with a '*' after it (Text leaves the '*' out): it matches
// every word that starts with it.
type Term struct {
	Text   string
	Phrase bool
	Prefix bool
}

func (t Term) String() string {
	switch {
	case t.Phrase:
		return `"` + t.Text + `"`
	case t.Prefix:
		return t.Text + "*"
	}
	return t.Text
}

// A Query is a parsed query: every group must match (each group is a
// term and its OR-alternatives), no excluded term may, and the filter
// narrows by recorded fields. Newest (sort:newest) lists the matches
// newest first instead of by relevance.
type Query struct {
	Groups  [][]Term
	Exclude []Term
	Filter  store.SearchFilter
	Newest  bool
}

// String renders the query's structure, for tests and logs.
func (q Query) String() string {
	var parts []string
	for _, g := range q.Groups {
		alts := make([]string, len(g))
		for i, t := range g {
			alts[i] = t.String()
		}
		parts = append(parts, "("+strings.Join(alts, " | ")+")")
	}
	for _, t := range q.Exclude {
		parts = append(parts, "-"+t.String())
	}
	f := q.Filter
	for _, s := range f.Sources {
		parts = append(parts, "source="+string(s))
	}
	for _, t := range f.TLPs {
		parts = append(parts, "tlp="+string(t))
	}
	for _, l := range f.Languages {
		parts = append(parts, "lang="+l)
	}
	for _, t := range f.Tags {
		parts = append(parts, "tag="+t)
	}
	if !f.Since.IsZero() {
		parts = append(parts, "since="+f.Since.Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		parts = append(parts, "until="+f.Until.Format(time.RFC3339))
	}
	if q.Newest {
		parts = append(parts, "sort=newest")
	}
	return strings.Join(parts, " ")
}

// A QueryError says what is wrong with a query and where (a byte offset).
// Msg is in English, made of Format and Args, which an interface in
// another language looks up in its translations as it does a
// center.FieldError's.
type QueryError struct {
	Pos    int
	Msg    string
	Format string
	Args   []any
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("analyze: query: %s (at byte %d)", e.Msg, e.Pos)
}

// qerr returns a *QueryError; format must be a constant string, the
// message's id in the translations.
func qerr(pos int, format string, args ...any) error {
	return &QueryError{Pos: pos, Msg: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// fields are the filter names the language knows.
var fields = []string{"source", "tlp", "lang", "tag", "since", "until", "sort"}

var (
	fieldNameRE = regexp.MustCompile(`^[a-z_]+$`)
	langRE      = regexp.MustCompile(`^[a-z]{2,3}$`)
)

// token is one lexical item of a query.
type token struct {
	pos     int
	text    string // the word, the phrase's inside, or the field's value
	phrase  bool
	prefix  bool
	exclude bool
	field   string // set for name:value
	or      bool   // the OR operator
}

// Parse parses a query. An empty query is valid and matches everything
// the viewer may see.
func Parse(q string) (Query, error) {
	if !utf8.ValidString(q) {
		return Query{}, qerr(0, "the query is not valid UTF-8")
	}
	if len(q) > MaxQueryBytes {
		return Query{}, qerr(MaxQueryBytes, "the query is longer than %d bytes", MaxQueryBytes)
	}
	toks, err := lex(q)
	if err != nil {
		return Query{}, err
	}
	var out Query
	terms := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.or:
			return Query{}, qerr(t.pos, "OR needs a word or phrase on each side")
		case t.field != "":
			if t.exclude {
				return Query{}, qerr(t.pos, "a filter cannot be excluded")
			}
			if err := out.addFilter(t); err != nil {
				return Query{}, err
			}
		case t.exclude:
			terms++
			out.Exclude = append(out.Exclude, t.term())
		default:
			group := []Term{t.term()}
			terms++
			for i+1 < len(toks) && toks[i+1].or {
				if i+2 >= len(toks) {
					return Query{}, qerr(toks[i+1].pos, "OR needs a word or phrase on each side")
				}
				next := toks[i+2]
				if next.or || next.field != "" || next.exclude {
					return Query{}, qerr(next.pos, "OR joins words and phrases, not filters or exclusions")
				}
				group = append(group, next.term())
				terms++
				i += 2
			}
			out.Groups = append(out.Groups, group)
		}
		if terms > MaxQueryTerms {
			return Query{}, qerr(t.pos, "more than %d words and phrases", MaxQueryTerms)
		}
	}
	if len(out.Groups) == 0 && len(out.Exclude) > 0 {
		return Query{}, qerr(0, "a query of exclusions alone matches nothing; add a word or a filter")
	}
	if !out.Filter.Since.IsZero() && !out.Filter.Until.IsZero() && !out.Filter.Since.Before(out.Filter.Until) {
		return Query{}, qerr(0, "since must be before until")
	}
	return out, nil
}

func lex(q string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(q) {
		r, size := utf8.DecodeRuneInString(q[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		t := token{pos: i}
		if q[i] == '-' {
			t.exclude = true
			i++
			if i >= len(q) || isSpaceAt(q, i) {
				return nil, qerr(t.pos, "'-' must be followed by a word or phrase")
			}
		}
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				return nil, qerr(i, "unbalanced quote")
			}
			t.text, t.phrase = q[i+1:i+1+end], true
			if strings.TrimSpace(t.text) == "" {
				return nil, qerr(i, "empty phrase")
			}
			i += end + 2
			if i < len(q) && q[i] == '*' {
				return nil, qerr(i, "a phrase cannot end in '*'; a prefix is one word, such as infra*")
			}
			toks = append(toks, t)
			continue
		}
		start := i
		for i < len(q) && !isSpaceAt(q, i) && q[i] != '"' {
			_, size := utf8.DecodeRuneInString(q[i:])
			i += size
		}
		word := q[start:i]
		if name, value, ok := strings.Cut(word, ":"); ok && fieldNameRE.MatchString(name) && !strings.HasPrefix(value, "//") {
			if !isField(name) {
				return nil, qerr(start, "unknown field %q; the fields are %s", name, strings.Join(fields, ", "))
			}
			t.field = name
			if value == "" && i < len(q) && q[i] == '"' {
				end := strings.IndexByte(q[i+1:], '"')
				if end < 0 {
					return nil, qerr(i, "unbalanced quote")
				}
				value = q[i+1 : i+1+end]
				i += end + 2
			}
			if strings.TrimSpace(value) == "" {
				return nil, qerr(start, "%s: needs a value", name)
			}
			t.text = value
			toks = append(toks, t)
			continue
		}
		if word == "OR" && !t.exclude {
			t.or = true
		}
		if before, ok := strings.CutSuffix(word, "*"); ok {
			before = strings.TrimRight(before, "*")
			if utf8.RuneCountInString(prefixOf(before)) < store.MinPrefixRunes {
				return nil, qerr(start, "a prefix needs at least %d letters or digits before its '*'", store.MinPrefixRunes)
			}
			word, t.prefix = before, true
		}
		t.text = word
		toks = append(toks, t)
	}
	return toks, nil
}

// prefixOf is the token a prefix term seeks: the text normalized as the
// index's tokens are (case, spelling variants, digits), not stemmed — a
// stemmer would cut a word's end where the analyst has already cut it —
// and without the punctuation around it ("(infra" is infra). Punctuation
// inside stays: 10.0. and cve-2025- are prefixes of the IPs and CVE ids
// the index holds whole.
func prefixOf(text string) string {
	return strings.TrimFunc(lang.Normalize(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// term is the Term a word or phrase token stands for.
func (t token) term() Term { return Term{Text: t.text, Phrase: t.phrase, Prefix: t.prefix} }

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

func isField(name string) bool {
	for _, f := range fields {
		if f == name {
			return true
		}
	}
	return false
}

func (q *Query) addFilter(t token) error {
	v := strings.TrimSpace(t.text)
	f := &q.Filter
	switch t.field {
	case "source":
		p := center.PartyCode(strings.ToUpper(v))
		if !p.Valid() {
			return qerr(t.pos, "source:%s is not a party code", v)
		}
		f.Sources = append(f.Sources, p)
	case "tlp":
		tlp, ok := center.ParseTLP(v)
		if !ok {
			return qerr(t.pos, "tlp:%s is not a TLP marking (clear, green, amber, amber+strict, red)", v)
		}
		f.TLPs = append(f.TLPs, tlp)
	case "lang":
		l := strings.ToLower(v)
		if !langRE.MatchString(l) {
			return qerr(t.pos, "lang:%s is not a language code such as ar, fa, ru or en", v)
		}
		f.Languages = append(f.Languages, l)
	case "tag":
		f.Tags = append(f.Tags, v)
	case "sort":
		switch strings.ToLower(v) {
		case "newest":
			q.Newest = true
		case "relevance":
			q.Newest = false
		default:
			return qerr(t.pos, "sort:%s is not an order; the orders are sort:relevance (the default) and sort:newest", v)
		}
	case "since", "until":
		at, err := parseWhen(v)
		if err != nil {
			return qerr(t.pos, "%s:%s is not a date (2026-01-31) or an RFC 3339 time", t.field, v)
		}
		if t.field == "since" {
			f.Since = at
		} else {
			f.Until = at
		}
	}
	return nil
}

func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	return t.UTC(), err
}
