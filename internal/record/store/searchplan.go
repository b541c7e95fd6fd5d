package store

import (
	"context"
	"math"

	"github.com/tabadul/tabadul/internal/center"
)

// A SearchKey is a hit's place in a search's order, for the next page to
// continue after it (SearchQuery.After): keyset paging, which costs the
// same on page 500 as on page 2, where an offset ranks and skips every
// hit before it.
type SearchKey struct {
	// Bound is the seq of the oldest match in the window of the search's
	// first page (0 if its matches fitted the window): the order is the
	// matches from Bound on, by relevance, then the older ones. Keeping
	// the first page's bound keeps the order, and so the pages, stable
	// while new reports arrive.
	Bound int64
	// Older is true once the hit is among the matches older than Bound.
	Older bool
	// Score and Seq are the hit's: the order is by score, highest first,
	// then newest first.
	Score float64
	Seq   int64
}

// Valid reports whether k could have come from a search: a crafted key
// continues nothing but the caller's own results, but a NaN score or a
// negative seq is refused rather than compared.
func (k SearchKey) Valid() bool {
	return k.Bound >= 0 && k.Seq > 0 && !math.IsNaN(k.Score) && !math.IsInf(k.Score, 0) && (k.Bound > 0 || !k.Older)
}

// A SearchSegment is the part of a search's matches one ranking reads.
type SearchSegment int

const (
	// EveryMatch ranks every match.
	EveryMatch SearchSegment = iota
	// FromBound ranks the matches whose seq is Bound or more: the window.
	FromBound
	// BeforeBound ranks the matches older than Bound.
	BeforeBound
)

// A SearchRange is one stretch of a search's ranking: the matches of
// Segment, after After if set, skipping Offset, at most Limit.
type SearchRange struct {
	Segment SearchSegment
	Bound   int64
	After   *SearchKey
	Offset  int
	Limit   int
}

// SearchSteps are the statements a backend runs for RunSearch, each over
// the viewer's matches of one query.
type SearchSteps interface {
	// Facets counts the newest limit matches (-1: all) into a page's
	// Total and Facets (TotalExact true), and returns the oldest seq
	// among them (-1 if none).
	Facets(ctx context.Context, limit int) (SearchPage, int64, error)
	// HasOlder reports whether a match is older than seq.
	HasOlder(ctx context.Context, seq int64) (bool, error)
	// Rank returns the seqs and scores of one stretch of the ranking:
	// by score, highest first, then by seq, highest first.
	Rank(ctx context.Context, r SearchRange) ([]int64, []float64, error)
	// Hits reads the versions of the page's seqs, in their order.
	Hits(ctx context.Context, seqs []int64, scores []float64) ([]SearchHit, error)
}

// WindowRanker is what a backend may add to its SearchSteps to read a
// first page in one pass over the matches: counting the window and
// ranking it each walk every match of the window, and a common word has
// thousands.
type WindowRanker interface {
	// RankWindow does what Facets(ctx, window) does and also returns the
	// first n of the window's matches in ranking order, with their scores.
	RankWindow(ctx context.Context, window, n int) (page SearchPage, oldest int64, seqs []int64, scores []float64, err error)
}

// checkSearchQuery validates the paging of q.
func checkSearchQuery(q SearchQuery) error {
	if q.Limit < 1 || q.Limit > MaxPageSize || q.Offset < 0 {
		return center.Invalid("limit", "must be between 1 and %d", MaxPageSize)
	}
	if q.After != nil && (q.Offset != 0 || !q.After.Valid()) {
		return center.Invalid("after", "must be a key from an earlier page, without an offset")
	}
	return nil
}

// RunSearch pages a search with a backend's steps, so that every backend
// orders, windows, counts and continues a search the same way; the
// backend builds the statements. The order: with a window that the
// matches overflow, the newest Window matches by relevance, then the older
// ones by relevance — the first pages cost a bounded amount, and paging
// on past the window neither repeats nor skips a report.
func RunSearch(ctx context.Context, steps SearchSteps, q SearchQuery) (SearchPage, error) {
	if err := checkSearchQuery(q); err != nil {
		return SearchPage{}, err
	}
	window := q.Window
	if window <= 0 {
		window = -1 // no LIMIT
	}
	// A first page's first stretch is the window's best matches: a
	// WindowRanker reads them with the counts.
	var first struct {
		ok     bool
		seqs   []int64
		scores []float64
	}
	var page SearchPage
	var oldest int64
	var err error
	if wr, ok := steps.(WindowRanker); ok && q.After == nil && q.Offset == 0 {
		page, oldest, first.seqs, first.scores, err = wr.RankWindow(ctx, window, q.Limit+1)
		first.ok = true
	} else {
		page, oldest, err = steps.Facets(ctx, window)
	}
	if err != nil {
		return SearchPage{}, err
	}
	full := window > 0 && page.Total == window
	if full {
		// The window is full: is there an older match?
		if full, err = steps.HasOlder(ctx, oldest); err != nil {
			return SearchPage{}, err
		}
	}
	bound := int64(0)
	switch {
	case q.After != nil:
		bound = q.After.Bound
	case full:
		bound = oldest
	}

	// The stretches of the order this page reads, in order.
	var ranges []SearchRange
	switch {
	case bound == 0:
		ranges = []SearchRange{{Segment: EveryMatch, After: q.After, Offset: q.Offset}}
	case q.After != nil && q.After.Older:
		ranges = []SearchRange{{Segment: BeforeBound, Bound: bound, After: q.After}}
	case q.After != nil:
		ranges = []SearchRange{{Segment: FromBound, Bound: bound, After: q.After}, {Segment: BeforeBound, Bound: bound}}
	default:
		// An offset: the window holds exactly window matches.
		if q.Offset < window {
			ranges = append(ranges, SearchRange{Segment: FromBound, Bound: bound, Offset: q.Offset})
		}
		if q.Offset+q.Limit >= window { // = : to know whether a page follows
			ranges = append(ranges, SearchRange{Segment: BeforeBound, Bound: bound, Offset: max(0, q.Offset-window)})
		}
	}
	// Each stretch is asked for one hit more than the page holds, to know
	// whether a next page exists.
	var seqs []int64
	var scores []float64
	if first.ok {
		// ranges[0] starts the window's order at its first match: the
		// whole window (FromBound) or every match, when the window holds
		// them all (EveryMatch).
		seqs, scores, ranges = first.seqs, first.scores, ranges[1:]
	}
	for _, r := range ranges {
		if len(seqs) > q.Limit {
			break
		}
		r.Limit = q.Limit + 1 - len(seqs)
		s, sc, err := steps.Rank(ctx, r)
		if err != nil {
			return SearchPage{}, err
		}
		seqs, scores = append(seqs, s...), append(scores, sc...)
	}
	more := len(seqs) > q.Limit
	if more {
		seqs, scores = seqs[:q.Limit], scores[:q.Limit]
	}
	if bound > 0 && (len(seqs) == 0 || seqs[len(seqs)-1] < bound) {
		// A page of the older matches counts every match.
		if page, _, err = steps.Facets(ctx, -1); err != nil {
			return SearchPage{}, err
		}
	} else if full {
		page.TotalExact = false
	}
	if page.Hits, err = steps.Hits(ctx, seqs, scores); err != nil {
		return SearchPage{}, err
	}
	if more {
		last := len(seqs) - 1
		page.Next = &SearchKey{Bound: bound, Older: bound > 0 && seqs[last] < bound, Score: scores[last], Seq: seqs[last]}
	}
	return page, nil
}

// A FacetCount gathers the rows of a backend's facet query — the matches
// counted by source, TLP and language together — into a page's Total and
// Facets, and the oldest seq among them.
type FacetCount struct {
	Page   SearchPage
	Oldest int64
}

// NewFacetCount returns an empty count: an exact total of none, no oldest
// seq (-1).
func NewFacetCount() *FacetCount {
	return &FacetCount{Oldest: -1, Page: SearchPage{TotalExact: true, Facets: Facets{
		Sources: map[center.PartyCode]int{}, TLPs: map[center.TLP]int{}, Languages: map[string]int{}}}}
}

// Add counts n matches of one source, TLP and language, the oldest of
// which is low.
func (c *FacetCount) Add(source center.PartyCode, tlp center.TLP, language string, n int, low int64) {
	c.Page.Total += n
	c.Page.Facets.Sources[source] += n
	c.Page.Facets.TLPs[tlp] += n
	c.Page.Facets.Languages[language] += n
	if c.Oldest < 0 || low < c.Oldest {
		c.Oldest = low
	}
}

// HitsInOrder pairs the versions a backend read for a page with their
// scores, in the page's order of seqs; a seq not found is left out.
func HitsInOrder(seqs []int64, scores []float64, found []center.Report) []SearchHit {
	bySeq := make(map[int64]center.Report, len(found))
	for _, r := range found {
		bySeq[r.Seq] = r
	}
	hits := make([]SearchHit, 0, len(seqs))
	for i, seq := range seqs {
		if r, ok := bySeq[seq]; ok {
			hits = append(hits, SearchHit{Report: r, Score: scores[i]})
		}
	}
	return hits
}
