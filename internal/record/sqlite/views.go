package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
)

// A party's view of a version is the report_views row keyed by the
// party's number shifted past the version's seq (migration 00024): a read
// finds the viewer's view of a version with one rowid seek, and walks all
// of the viewer's views, newest first, as one range of keys.
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

// viewsOf returns the keys of viewer's views. A code that names no party
// gets the keys of number 0, which no party has: it sees nothing.
func (s *Store) viewsOf(ctx context.Context, viewer center.PartyCode) (viewKeys, error) {
	if n, ok := s.nums.m.Load(viewer); ok {
		return viewKeys{n.(int64) << seqBits}, nil
	}
	var n int64
	switch err := s.rd.QueryRowContext(ctx, `SELECT num FROM parties WHERE code = ?`, viewer).Scan(&n); {
	case errors.Is(err, sql.ErrNoRows):
		return viewKeys{}, nil
	case err != nil:
		return viewKeys{}, fmt.Errorf("sqlite: party %s: %w", viewer, err)
	}
	s.nums.m.Store(viewer, n)
	return viewKeys{n << seqBits}, nil
}
