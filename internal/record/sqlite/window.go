package sqlite

import (
	"cmp"
	"container/heap"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"modernc.org/sqlite"
)

// windowFunc is an aggregate that counts a search's window and ranks it
// as the matches stream past: tabadul_window(n, seq, score, source, tlp,
// language) returns a windowSummary as JSON, the counts by source, TLP
// and language and the best n matches by score, then seq, descending.
//
// A first page did this in SQL: the window materialized, then a GROUP BY
// and an ORDER BY … LIMIT over it. Each copied every match into a
// temporary B-tree, and at 100,000 reports that was a fifth of the median
// query's ranking statement. The aggregate keeps a map of the few
// combinations of source, TLP and language and a heap of n matches.
const windowFunc = "tabadul_window"

func init() {
	sqlite.MustRegisterFunction(windowFunc, &sqlite.FunctionImpl{
		NArgs: 6,
		// The texts are views into SQLite's row, valid during a Step
		// only; windowAggregate copies one when it first meets it.
		VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &windowAggregate{}, nil
		},
	})
}

// windowSummary is what windowFunc returns.
type windowSummary struct {
	Facets []windowFacet `json:"facets"`
	// Seqs and Scores are the best matches, best first.
	Seqs   []int64   `json:"seqs"`
	Scores []float64 `json:"scores"`
}

// windowFacet counts the matches of one source, TLP and language; Oldest
// is the least seq among them.
type windowFacet struct {
	Source   string `json:"source"`
	TLP      string `json:"tlp"`
	Language string `json:"language"`
	Count    int    `json:"count"`
	Oldest   int64  `json:"oldest"`
}

type facetKey struct{ source, tlp, language string }

// windowAggregate is one evaluation of windowFunc.
type windowAggregate struct {
	n      int
	facets map[facetKey]*windowFacet
	best   rankHeap
}

// rankHeap holds the best matches seen, the least of them on top.
type rankHeap []rankedSeq

type rankedSeq struct {
	seq   int64
	score float64
}

// compareRanked orders matches as a search ranks them: by score, then
// by seq (the newer first among equal scores).
func compareRanked(a, b rankedSeq) int {
	if c := cmp.Compare(a.score, b.score); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(i, j int) bool { return compareRanked(h[i], h[j]) < 0 }
func (h rankHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)        { *h = append(*h, x.(rankedSeq)) }
func (h *rankHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (w *windowAggregate) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	n, ok := args[0].(int64)
	seq, ok2 := args[1].(int64)
	if !ok || !ok2 || n < 0 {
		return fmt.Errorf("%s: n and seq must be integers, n not negative", windowFunc)
	}
	var score float64
	switch s := args[2].(type) {
	case float64:
		score = s
	case int64: // a search without text ranks by seq alone, at score 0
		score = float64(s)
	default:
		return fmt.Errorf("%s: a score of type %T", windowFunc, args[2])
	}
	source, ok := args[3].(string)
	tlp, ok2 := args[4].(string)
	language, ok3 := args[5].(string)
	if !ok || !ok2 || !ok3 {
		return fmt.Errorf("%s: source, tlp and language must be text", windowFunc)
	}
	if w.facets == nil {
		w.n, w.facets = int(n), map[facetKey]*windowFacet{}
	}
	// Looking the key up copies nothing; a new one is copied out of
	// SQLite's row before it is kept.
	f := w.facets[facetKey{source, tlp, language}]
	if f == nil {
		f = &windowFacet{Source: strings.Clone(source), TLP: strings.Clone(tlp), Language: strings.Clone(language), Oldest: seq}
		w.facets[facetKey{f.Source, f.TLP, f.Language}] = f
	}
	f.Count++
	f.Oldest = min(f.Oldest, seq)
	r := rankedSeq{seq: seq, score: score}
	switch {
	case len(w.best) < w.n:
		heap.Push(&w.best, r)
	case w.n > 0 && compareRanked(r, w.best[0]) > 0:
		w.best[0] = r
		heap.Fix(&w.best, 0)
	}
	return nil
}

func (w *windowAggregate) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("%s is not a window function", windowFunc)
}

func (w *windowAggregate) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	sum := windowSummary{Facets: []windowFacet{}, Seqs: make([]int64, len(w.best)), Scores: make([]float64, len(w.best))}
	for _, f := range w.facets {
		sum.Facets = append(sum.Facets, *f)
	}
	best := slices.Clone(w.best)
	slices.SortFunc(best, func(a, b rankedSeq) int { return compareRanked(b, a) })
	for i, r := range best {
		sum.Seqs[i], sum.Scores[i] = r.seq, r.score
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", windowFunc, err)
	}
	return string(b), nil
}

func (w *windowAggregate) Final(*sqlite.FunctionContext) {}
