package sqlite

import (
	"cmp"
	"container/heap"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// windowFunc is an aggregate that hands a search's window to Go as the
// matches stream past: tabadul_window(run, seq, score, source, tlp,
// language) appends each match to the windowRun registered as run, which
// then counts them by source, TLP and language and ranks the best n
// (windowRun.summary).
//
// A first page did this in SQL: the window materialized, then a GROUP BY
// and an ORDER BY … LIMIT over it. Each copied every match into a
// temporary B-tree, and at 100,000 reports that was a fifth of the median
// query's ranking statement. Scanning the matches' rows through
// database/sql instead costs a tenth more than an aggregate, which is
// given SQLite's values in place. And a run can end its statement early
// (windowRun.admit), which is how a window split into parts stops reading
// the matches that the newer parts have made unnecessary (searchparts.go).
const windowFunc = "tabadul_window"

func init() {
	sqlite.MustRegisterFunction(windowFunc, &sqlite.FunctionImpl{
		NArgs: 6,
		// The texts are views into SQLite's row, valid during a Step
		// only; a windowRun copies one when it first meets it.
		VolatileArgs: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) {
			return &windowAggregate{}, nil
		},
	})
}

// A windowRun is one statement's pass over a window, newest match first.
type windowRun struct {
	// admit, if set, is asked before each match is kept; false ends the
	// statement, and the run is then stopped, not failed.
	admit func(seq int64) bool

	rows    []windowRow
	facets  []facetKey
	index   map[facetKey]int32
	stopped bool
	// kept is len(rows), for the goroutines of other parts to read.
	kept atomic.Int64
}

// windowRow is a match: its seq, score and index in windowRun.facets.
type windowRow struct {
	seq   int64
	score float64
	facet int32
}

type facetKey struct{ source, tlp, language string }

// errRunStopped is what windowAggregate returns to SQLite to end a
// statement that its run's admit refused.
var errRunStopped = errors.New(windowFunc + ": stopped")

// windowRuns are the runs that statements feed, by the number a statement
// names its run with: an argument of SQL can carry no Go pointer, so a
// statement binds the number and the aggregate looks the run up once.
var windowRuns struct {
	sync.Mutex
	next int64
	byID map[int64]*windowRun
}

// register makes r the run that statements naming the returned number
// feed, until the returned func is called.
func (r *windowRun) register() (int64, func()) {
	windowRuns.Lock()
	defer windowRuns.Unlock()
	if windowRuns.byID == nil {
		windowRuns.byID = map[int64]*windowRun{}
	}
	windowRuns.next++
	id := windowRuns.next
	windowRuns.byID[id] = r
	return id, func() {
		windowRuns.Lock()
		delete(windowRuns.byID, id)
		windowRuns.Unlock()
	}
}

// add keeps a match, unless admit refuses it.
func (r *windowRun) add(seq int64, score float64, source, tlp, language string) bool {
	if r.admit != nil && !r.admit(seq) {
		r.stopped = true
		return false
	}
	// Looking the key up copies nothing; a new one is copied out of
	// SQLite's row before it is kept.
	f, ok := r.index[facetKey{source, tlp, language}]
	if !ok {
		if r.index == nil {
			r.index = map[facetKey]int32{}
		}
		k := facetKey{strings.Clone(source), strings.Clone(tlp), strings.Clone(language)}
		f = int32(len(r.facets))
		r.facets = append(r.facets, k)
		r.index[k] = f
	}
	r.rows = append(r.rows, windowRow{seq: seq, score: score, facet: f})
	r.kept.Store(int64(len(r.rows)))
	return true
}

// windowAggregate is one evaluation of windowFunc.
type windowAggregate struct{ run *windowRun }

func (w *windowAggregate) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	if w.run == nil {
		id, ok := args[0].(int64)
		windowRuns.Lock()
		w.run = windowRuns.byID[id]
		windowRuns.Unlock()
		if !ok || w.run == nil {
			return fmt.Errorf("%s: no run %v", windowFunc, args[0])
		}
	}
	seq, ok := args[1].(int64)
	if !ok {
		return fmt.Errorf("%s: a seq of type %T", windowFunc, args[1])
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
	if !w.run.add(seq, score, source, tlp, language) {
		return errRunStopped
	}
	return nil
}

func (w *windowAggregate) WindowInverse(*sqlite.FunctionContext, []driver.Value) error {
	return fmt.Errorf("%s is not a window function", windowFunc)
}

func (w *windowAggregate) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	if w.run == nil {
		return int64(0), nil
	}
	return int64(len(w.run.rows)), nil
}

func (w *windowAggregate) Final(*sqlite.FunctionContext) {}

// windowSummary is a window counted and ranked.
type windowSummary struct {
	Facets []windowFacet
	// Seqs and Scores are the best matches, best first.
	Seqs   []int64
	Scores []float64
}

// windowFacet counts the matches of one source, TLP and language; Oldest
// is the least seq among them.
type windowFacet struct {
	Source, TLP, Language string
	Count                 int
	Oldest                int64
}

// summary counts the first rows of each run (all of a run when its limit
// is negative) and ranks the best n of them. A facet appears once per run
// that has it; store.FacetCount adds them up.
func summary(runs []*windowRun, limits []int, n int) windowSummary {
	sum := windowSummary{Facets: []windowFacet{}}
	var best rankHeap
	for i, r := range runs {
		rows := r.rows
		if limits[i] >= 0 && limits[i] < len(rows) {
			rows = rows[:limits[i]]
		}
		facets := make([]windowFacet, len(r.facets))
		for _, row := range rows {
			f := &facets[row.facet]
			if f.Count == 0 || row.seq < f.Oldest {
				f.Oldest = row.seq
			}
			f.Count++
			m := rankedSeq{seq: row.seq, score: row.score}
			switch {
			case len(best) < n:
				heap.Push(&best, m)
			case n > 0 && compareRanked(m, best[0]) > 0:
				best[0] = m
				heap.Fix(&best, 0)
			}
		}
		for j, f := range facets {
			if f.Count > 0 {
				k := r.facets[j]
				f.Source, f.TLP, f.Language = k.source, k.tlp, k.language
				sum.Facets = append(sum.Facets, f)
			}
		}
	}
	sum.Seqs, sum.Scores = make([]int64, len(best)), make([]float64, len(best))
	for i := len(best) - 1; i >= 0; i-- {
		m := heap.Pop(&best).(rankedSeq)
		sum.Seqs[i], sum.Scores[i] = m.seq, m.score
	}
	return sum
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
