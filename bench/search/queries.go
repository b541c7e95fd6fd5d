package main

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// A Term is a word, or a phrase when Phrase is set.
type Term struct {
	Text   string
	Phrase bool
}

// A Query is one query of the set, in a form each engine compiles its own
// way: Terms are ANDed; Source and Lang, if set, filter.
type Query struct {
	Cat    string
	Terms  []Term
	Source string
	Lang   string
	// Group, for variant, entity and observable queries, is the ground
	// truth: every document of Group.Docs should be found.
	Group *Group
}

// Query categories, in report order.
var cats = []string{"common", "rare", "phrase", "filter", kindVariant, kindEntity, kindObservable}

// String renders q in Tabadul's query language (package analyze).
func (q Query) String() string {
	var parts []string
	for _, t := range q.Terms {
		if t.Phrase {
			parts = append(parts, `"`+t.Text+`"`)
		} else {
			parts = append(parts, t.Text)
		}
	}
	if q.Source != "" {
		parts = append(parts, "source:"+q.Source)
	}
	if q.Lang != "" {
		parts = append(parts, "lang:"+q.Lang)
	}
	return strings.Join(parts, " ")
}

// perLang is how many common, rare and phrase queries each language gets.
const perLang = 10

// Queries builds the fixed query set from the corpus: per language the
// most frequent content words (common), the least frequent (rare), the
// most frequent two-word phrases of the source text, a common word with a
// source or a language filter, and every query of every planted group.
// content reports whether both engines treat a word as a content word
// (neither drops it as a stop word).
func Queries(c *Corpus, content func(lang, word string) bool) []Query {
	var qs []Query
	common := map[string][]string{}
	for _, l := range langs {
		type wdf struct {
			w  string
			df int
		}
		var ws []wdf
		for w, df := range c.df[l] {
			if utf8.RuneCountInString(w) >= 3 {
				ws = append(ws, wdf{w, df})
			}
		}
		slices.SortFunc(ws, func(a, b wdf) int {
			if a.df != b.df {
				return b.df - a.df
			}
			return strings.Compare(a.w, b.w)
		})
		for _, x := range ws {
			if len(common[l]) == perLang {
				break
			}
			if content(l, x.w) {
				common[l] = append(common[l], x.w)
			}
		}
		rare := 0
		for _, x := range slices.Backward(ws) {
			if rare == perLang {
				break
			}
			if content(l, x.w) {
				qs = append(qs, Query{Cat: "rare", Terms: []Term{{Text: x.w}}})
				rare++
			}
		}
		for _, w := range common[l] {
			qs = append(qs, Query{Cat: "common", Terms: []Term{{Text: w}}})
		}
		phrases := 0
		for _, b := range c.bigrams[l] {
			if phrases == perLang {
				break
			}
			if utf8.RuneCountInString(b.a) >= 3 && utf8.RuneCountInString(b.b) >= 3 && content(l, b.a) && content(l, b.b) {
				qs = append(qs, Query{Cat: "phrase", Terms: []Term{{Text: b.a + " " + b.b, Phrase: true}}})
				phrases++
			}
		}
	}
	// Filters: the i-th common word of each language, with a source and
	// with its language.
	for i := range perLang / 2 {
		for j, l := range langs {
			if i >= len(common[l]) {
				continue
			}
			w := common[l][i]
			qs = append(qs,
				Query{Cat: "filter", Terms: []Term{{Text: w}}, Source: sources[(i+j)%len(sources)]},
				Query{Cat: "filter", Terms: []Term{{Text: w}}, Lang: l})
		}
	}
	for _, g := range c.Groups {
		for _, t := range g.Queries {
			qs = append(qs, Query{Cat: g.Kind, Terms: []Term{t}, Group: g})
		}
	}
	return qs
}
