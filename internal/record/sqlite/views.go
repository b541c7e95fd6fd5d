package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

// A party's view of a version is the report_views row keyed by the
// party's number shifted past the version's seq (migration 00024): a read
// finds the viewer's view of a version with one seek on an integer, and
// walks all of the viewer's views, newest first, as one range of keys.
//
// Statements take the viewer's base (viewKeys.base) as an argument:
//
//	rv.view = ? | v.seq               the viewer's view of version v
//	rv.view > ? AND rv.view < ?       all of the viewer's views (base, end)

// seqBits is how many low bits of a view's key hold the seq.
const seqBits = 40

// viewKeys are the keys of one party's views.
type viewKeys struct{ base int64 }

// of is the key of the party's view of the version seq.
func (k viewKeys) of(seq int64) int64 { return k.base | seq }

// end is the first key past the party's views.
func (k viewKeys) end() int64 { return k.base + 1<<seqBits }

// partyNums caches the parties' numbers by code. A number, once
// committed, never changes and never goes to another party, so the cache
// is never stale; only numbers found are kept.
type partyNums struct{ m sync.Map }

// readNums calls put with each party's code and number, as q reads them.
func readNums(ctx context.Context, q querier, put func(center.PartyCode, int64)) error {
	return sqlrow.Query(q.QueryContext(ctx, `SELECT code, num FROM parties`)).Each(backend, "party numbers", func(sc sqlrow.Scanner) error {
		var code center.PartyCode
		var n int64
		if err := sc.Scan(&code, &n); err != nil {
			return err
		}
		put(code, n)
		return nil
	})
}

// load caches the numbers of the parties committed.
func (c *partyNums) load(ctx context.Context, q querier) error {
	return readNums(ctx, q, func(code center.PartyCode, n int64) { c.m.Store(code, n) })
}

// get returns the number of the party code, if cached.
func (c *partyNums) get(code center.PartyCode) (int64, bool) {
	n, ok := c.m.Load(code)
	if !ok {
		return 0, false
	}
	return n.(int64), true
}

// noViews are the keys of a code that names no party: all negative,
// where every view's key is positive, so that it sees nothing.
var noViews = viewKeys{-1 << seqBits}

// viewsOf returns the keys of viewer's views; noViews if viewer names no
// party.
func (s *Store) viewsOf(ctx context.Context, viewer center.PartyCode) (viewKeys, error) {
	if n, ok := s.nums.get(viewer); ok {
		return viewKeys{n << seqBits}, nil
	}
	var n int64
	switch err := s.rd.QueryRowContext(ctx, `SELECT num FROM parties WHERE code = ?`, viewer).Scan(&n); {
	case errors.Is(err, sql.ErrNoRows):
		return noViews, nil
	case err != nil:
		return viewKeys{}, fmt.Errorf("sqlite: party %s: %w", viewer, err)
	}
	s.nums.m.Store(viewer, n)
	return viewKeys{n << seqBits}, nil
}
