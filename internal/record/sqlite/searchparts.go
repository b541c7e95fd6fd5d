package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// A first page's ranking statement scores every match of its window, and
// one statement runs on one core. For a word found in some hundreds of
// reports (the median query of the search benchmark) that statement is
// three quarters of the search. So the statement splits its work with
// other readers as it goes: once it has met a few matches (splitRule), it
// knows how densely they lie along the seqs, and when the matches left
// look many but too few to fill the window, it cuts the seqs it has still
// to walk into parts. It keeps walking the newest part itself; each older
// part is walked by a statement of its own on another reader, at once.
// FTS5 seeks a part's first seq in its doclists, and bm25() weighs terms
// by the whole index, so each part scores a match as the one statement
// would; Go then counts and ranks the parts' matches as one window.
//
// Splitting costs nothing to a query with few matches, which never
// reaches splitRule.after, nor to one that fills the window in its newest
// part, which the density foretells. When the density misleads, an older
// part stops once the newer parts' matches, and its own, are all the
// window can still take.

// maxSearchParts bounds the parts of one ranking: each part looks its
// terms up in the index again, and a center serves several analysts.
const maxSearchParts = 4

// splitRule says when a ranking splits: after is how many matches a
// statement meets before it considers splitting; minPart is the fewest
// matches an older part is expected to hold for its statement to be worth
// starting.
type splitRule struct{ after, minPart int }

var defaultSplit = splitRule{after: 32, minPart: 128}

// searchParts is how many parts a store splits a ranking into by default.
func searchParts(readers int) int {
	return max(1, min(runtime.GOMAXPROCS(0), maxSearchParts, readers/2))
}

// runWindow reads the viewer's newest window matches (-1: all), newest
// first, into runs, and returns how many rows of each run the window
// holds (-1: all).
func (sq searchSQL) runWindow(ctx context.Context, window int, scored bool) ([]*windowRun, []int, error) {
	first := &windowRun{}
	if sq.s.searchParts < 2 || sq.newest != `search.rowid` {
		// A search without text reads report_views in order; there is
		// no index to seek in.
		if err := sq.run(ctx, first, window, scored); err != nil {
			return nil, nil, err
		}
		return []*windowRun{first}, []int{-1}, nil
	}
	sp := &windowSplit{sq: sq, ctx: ctx, window: window, scored: scored, first: first}
	defer sp.stop()
	first.admit = sp.admitFirst
	err := sq.run(ctx, first, window, scored)
	return sp.finish(err)
}

// windowSplit is a window's statement and the parts it has handed to
// other readers.
type windowSplit struct {
	sq     searchSQL
	ctx    context.Context
	window int
	scored bool
	first  *windowRun
	// newest is the seq of the first match; bound, once the window is
	// cut, the seq at or below which the first statement leaves the
	// matches to the parts.
	newest, bound int64
	decided, cut  bool
	parts         []*windowPart
	cancel        context.CancelFunc
	wg            sync.WaitGroup
}

// windowPart is an older part of a split window, walked by a statement
// of its own.
type windowPart struct {
	run *windowRun
	err error
}

// admitFirst is the first statement's windowRun.admit: it splits the
// window once, then leaves the parts' matches to them.
func (sp *windowSplit) admitFirst(seq int64) bool {
	if sp.cut {
		return seq > sp.bound
	}
	switch n := len(sp.first.rows); {
	case n == 0:
		sp.newest = seq
	case n >= sp.sq.s.split.after && !sp.decided:
		sp.decided = true
		sp.split(seq) // seq stays the first statement's
	}
	return true
}

// split cuts the seqs below seq into parts if the matches met so far
// foretell enough of them there, but not so many that the first part
// alone fills the window, and starts a statement on each older part.
func (sp *windowSplit) split(seq int64) {
	k := int64(sp.sq.s.searchParts)
	low, err := sp.sq.lowestSeq(sp.ctx)
	if err != nil || seq-low < k {
		return // unsplit is still right; and each part has a seq
	}
	met := float64(len(sp.first.rows))
	left := met * float64(seq-low) / float64(sp.newest-seq+1)
	if left/float64(k) < float64(sp.sq.s.split.minPart) || sp.window >= 0 && met+left/float64(k) >= float64(sp.window) {
		return
	}
	// Parts of seqs at or below seq, newest first: the first statement
	// keeps (bounds[0], seq], part j takes (bounds[j], bounds[j-1]], the
	// last every seq at or below its upper bound.
	span := seq - low + 1
	bounds := make([]int64, k-1)
	for j := range bounds {
		bounds[j] = seq - span*int64(j+1)/k
	}
	sp.bound, sp.cut = bounds[0], true
	ctx, cancel := context.WithCancel(sp.ctx)
	sp.cancel = cancel
	newer := []*windowRun{sp.first}
	for j := range bounds {
		p := &windowPart{run: &windowRun{}}
		if sp.window >= 0 {
			// A part needs no more matches than the window has room
			// for after the newer parts' matches, which only grow.
			p.run.admit = admitWithin(sp.window, slices.Clone(newer), p.run)
		}
		sp.parts = append(sp.parts, p)
		newer = append(newer, p.run)
		part := sp.sq.seqs(bounds, j)
		sp.wg.Go(func() { p.err = part.run(ctx, p.run, sp.window, sp.scored) })
	}
}

// admitWithin admits a match to run while the window has room for it
// after the matches of the newer runs.
func admitWithin(window int, newer []*windowRun, run *windowRun) func(int64) bool {
	return func(int64) bool {
		room := int64(window) - run.kept.Load()
		for _, r := range newer {
			room -= r.kept.Load()
		}
		return room > 0
	}
}

// finish waits for the parts and returns the runs and how many rows of
// each the window holds, newest first.
func (sp *windowSplit) finish(err error) ([]*windowRun, []int, error) {
	if err != nil {
		return nil, nil, err
	}
	runs, limits := []*windowRun{sp.first}, []int{-1}
	room := sp.window - len(sp.first.rows)
	if sp.window >= 0 && room <= 0 {
		return runs, limits, nil // the first part filled the window; stop drops the others
	}
	sp.wg.Wait()
	for _, p := range sp.parts {
		if sp.window >= 0 && room <= 0 {
			break
		}
		if p.err != nil {
			return nil, nil, p.err
		}
		n := len(p.run.rows)
		if sp.window >= 0 {
			n = min(n, room)
			room -= n
		}
		runs, limits = append(runs, p.run), append(limits, n)
	}
	return runs, limits, nil
}

// stop ends the parts' statements, if any still runs, and waits for them.
func (sp *windowSplit) stop() {
	if sp.cancel != nil {
		sp.cancel()
	}
	sp.wg.Wait()
}

// seqs returns the search narrowed to the part of bounds that split
// describes: j = 0 is the newest part below the first statement's.
func (sq searchSQL) seqs(bounds []int64, j int) searchSQL {
	sq.args = slices.Clip(sq.args)
	sq.where += ` AND search.rowid <= ?`
	sq.args = append(sq.args, bounds[j])
	if j+1 < len(bounds) {
		sq.where += ` AND search.rowid > ?`
		sq.args = append(sq.args, bounds[j+1])
	}
	return sq
}

// lowestSeq returns the least seq of the center's versions.
func (sq searchSQL) lowestSeq(ctx context.Context) (int64, error) {
	var low int64
	if err := sq.s.rd.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0) FROM versions`).Scan(&low); err != nil {
		return 0, fmt.Errorf("sqlite: search: the lowest seq: %w", err)
	}
	return low, nil
}

// run feeds the viewer's newest window matches (-1: all) of sq to r.
func (sq searchSQL) run(ctx context.Context, r *windowRun, window int, scored bool) error {
	id, done := r.register()
	defer done()
	query, args := sq.windowQuery(id, window, scored)
	st, err := sq.s.rd.get(ctx, query)
	if err != nil {
		return fmt.Errorf("sqlite: search: %w", err)
	}
	// In a transaction of its own: bm25() reads each match's size from
	// FTS5's docsize table through a statement of its own, and a
	// statement that ends outside a transaction commits SQLite's
	// implicit one (vdbeCommit) as it resets, once a match: 4% of a
	// query's CPU.
	tx, err := sq.s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: search: %w", err)
	}
	defer tx.Rollback()
	var n int64
	if err := tx.StmtContext(ctx, st).QueryRowContext(ctx, args...).Scan(&n); err != nil && !r.stopped {
		return fmt.Errorf("sqlite: search: %w", err)
	}
	return nil
}
