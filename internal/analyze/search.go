package analyze

import (
	"context"
	"fmt"
	"slices"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/parallel"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Searcher answers analysts' queries over what their party may see.
type Searcher struct {
	store    store.Reader
	aliases  *Aliases
	registry *Registry
	window   int
}

// DefaultWindow is how many of a query's newest matches a Searcher ranks
// and counts when it has more (store.SearchQuery.Window): enough for any
// analyst's first pages, and a bound on the cost of a word found in most
// reports. Paging past it ranks every match.
const DefaultWindow = 5000

// WithWindow sets how many of a query's newest matches are ranked and
// counted when it has more; 0 means every match. It returns s.
func (s *Searcher) WithWindow(n int) *Searcher {
	s.window = max(n, 0)
	return s
}

// NewSearcher returns a Searcher reading r and expanding names with
// aliases (nil: none).
func NewSearcher(r store.Reader, aliases *Aliases) *Searcher {
	return &Searcher{store: r, aliases: aliases, window: DefaultWindow}
}

// WithRegistry makes the searcher expand names with the registry's
// aliases as they stand at each query, instead of its own.
func (s *Searcher) WithRegistry(g *Registry) *Searcher {
	s.registry = g
	return s
}

// expander returns the aliases a query is expanded with now.
func (s *Searcher) expander() *Aliases {
	if s.registry != nil {
		return s.registry.Aliases()
	}
	return s.aliases
}

// A Hit is a matching report with a snippet of its text.
type Hit struct {
	Report  center.Report
	Score   float64
	Snippet Snippet
}

// Result is one page of a search.
type Result struct {
	Hits  []Hit
	Total int
	// TotalExact is false when the query matched more reports than the
	// window: Total is a lower bound and the facets count the newest ones.
	TotalExact bool
	Facets     store.Facets
	// Next is the place of the page's last hit, for SearchAfter; nil
	// when no hit follows.
	Next *store.SearchKey
}

// Search parses and runs a query for viewer, skipping offset hits. A
// malformed query is a *QueryError.
func (s *Searcher) Search(ctx context.Context, viewer center.PartyCode, query string, offset, limit int) (Result, error) {
	return s.search(ctx, viewer, query, store.SearchQuery{Offset: offset, Limit: limit})
}

// SearchAfter runs a query for viewer from the hit after the one at
// after, the Next of an earlier page of the same query (nil: the first
// page). Unlike an offset, it costs no more deep in the results than on
// the first page.
func (s *Searcher) SearchAfter(ctx context.Context, viewer center.PartyCode, query string, after *store.SearchKey, limit int) (Result, error) {
	return s.search(ctx, viewer, query, store.SearchQuery{After: after, Limit: limit})
}

func (s *Searcher) search(ctx context.Context, viewer center.PartyCode, query string, page store.SearchQuery) (Result, error) {
	q, err := Parse(query)
	if err != nil {
		return Result{}, err
	}
	text, marks := s.compile(q)
	page.Text, page.Filter, page.Window, page.Newest = text, q.Filter, s.window, q.Newest
	found, err := s.store.Search(ctx, viewer, page)
	if err != nil {
		return Result{}, fmt.Errorf("analyze: search: %w", err)
	}
	res := Result{Total: found.Total, TotalExact: found.TotalExact, Facets: found.Facets, Next: found.Next, Hits: make([]Hit, len(found.Hits))}
	// A snippet analyzes its hit's text again (makeSnippet): on a page of
	// 20 that is a good part of a query's time, and the hits are
	// independent.
	parallel.For(len(found.Hits), snippetsPerWorker, func(i int) {
		h := found.Hits[i]
		res.Hits[i] = Hit{Report: h.Report, Score: h.Score, Snippet: makeSnippet(h.Report.Body, h.Report.Language, marks)}
	})
	return res, nil
}

// compile analyzes the query's words as documents were analyzed, expands
// names to their aliases, and drops lone stop words where other words
// remain (they would match nearly every report and cost the most to rank).
// It also returns the forms to highlight in snippets.
func (s *Searcher) compile(q Query) (store.TextQuery, marks) {
	hint := ""
	if len(q.Filter.Languages) == 1 {
		hint = q.Filter.Languages[0]
	}
	aliases := s.expander()
	var m marks
	var groups []store.Alternatives
	var stopOnly []bool
	for _, g := range q.Groups {
		var alts store.Alternatives
		stop := len(g) == 1 && !g[0].Phrase
		for _, t := range g {
			if t.Prefix {
				// A prefix is sought as typed: neither spellings nor
				// aliases, which are of whole words.
				seq := prefixSeq(t.Text)
				if !slices.ContainsFunc(alts, func(a store.Seq) bool { return key(a) == key(seq) }) {
					alts = append(alts, seq)
				}
				stop = false
				continue
			}
			seqs := spellings(t.Text, hint)
			if len(seqs) == 0 {
				continue
			}
			if an := lang.Analyze(t.Text, hint); len(an.Tokens) != 1 || !lang.IsStopWord(an.Tokens[0].Lang, an.Tokens[0].Surface) {
				stop = false
			}
			for _, seq := range seqs {
				for _, e := range aliases.Expand(seq) {
					if !slices.ContainsFunc(alts, func(a store.Seq) bool { return key(a) == key(e) }) {
						alts = append(alts, e)
					}
				}
			}
		}
		if len(alts) == 0 {
			continue
		}
		m = append(m, alts...)
		groups = append(groups, alts)
		stopOnly = append(stopOnly, stop)
	}
	var text store.TextQuery
	for i, g := range groups {
		if stopOnly[i] && slices.Contains(stopOnly, false) {
			continue
		}
		text.All = append(text.All, g)
	}
	if len(text.All) > 0 {
		for _, t := range q.Exclude {
			if t.Prefix {
				text.None = append(text.None, prefixSeq(t.Text))
				continue
			}
			for _, seq := range spellings(t.Text, hint) {
				text.None = append(text.None, aliases.Expand(seq)...)
			}
		}
	}
	return text, m
}

// prefixSeq is the token sequence of a prefix term.
func prefixSeq(text string) store.Seq {
	p := prefixOf(text)
	return store.Seq{Surface: []string{p}, Stems: []string{p}, Prefix: true}
}
