package sqlite

import (
	"context"
	"crypto/rand"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

// metaRoster names the roster's version: a random token replaced in the
// same transaction as every change to parties or committees. Reading it is
// one indexed lookup; reading the roster is two joins, on every write of a
// report. A token, not a counter, because a rolled-back change must not
// leave behind a version number that a later, different change reuses.
const metaRoster = "roster_version"

// rosterCache holds the last roster read, with its version.
type rosterCache struct{ sqlrow.RosterCache }

func (c *rosterCache) directory(ctx context.Context, q querier) (center.Directory, error) {
	v, err := readMeta(ctx, q, metaRoster)
	if err != nil {
		return center.Directory{}, err
	}
	return c.Directory(ctx, v, func(ctx context.Context) (center.Directory, error) { return readDirectory(ctx, q) })
}

// rosterChanged gives the roster a new version.
func (t *tx) rosterChanged(ctx context.Context) error {
	return t.SetMeta(ctx, metaRoster, rand.Text())
}
