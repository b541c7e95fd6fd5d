package postgres

import (
	"context"
	"crypto/rand"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

// metaRoster names the roster's version (see sqlrow.MetaRoster).
const metaRoster = sqlrow.MetaRoster

// rosterCache holds the last roster read, with its version.
type rosterCache struct{ sqlrow.RosterCache }

func (c *rosterCache) directory(ctx context.Context, q querier) (center.Directory, error) {
	v, err := readMeta(ctx, q, metaRoster)
	if err != nil {
		return center.Directory{}, err
	}
	return c.directoryAt(ctx, q, v)
}

// directoryAt returns the roster of version v, read through q if the
// cache holds another.
func (c *rosterCache) directoryAt(ctx context.Context, q querier, v string) (center.Directory, error) {
	return c.Get(ctx, v, func(ctx context.Context) (center.Directory, error) { return readDirectory(ctx, q) })
}

// rosterChanged gives the roster a new version.
func (t *tx) rosterChanged(ctx context.Context) error {
	v := rand.Text()
	if err := t.SetMeta(ctx, metaRoster, v); err != nil {
		return err
	}
	t.batch.rosterVersion, t.batch.rosterKnown = v, true
	return nil
}
