package sqlite

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
	return c.Get(ctx, v, func(ctx context.Context) (center.Directory, error) { return readDirectory(ctx, q) })
}

// rosterChanged gives the roster a new version.
func (t *tx) rosterChanged(ctx context.Context) error {
	return t.SetMeta(ctx, metaRoster, rand.Text())
}
