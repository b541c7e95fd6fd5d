package sqlite

import (
	"context"
	"crypto/rand"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
)

// metaRoster names the roster's version: a random token replaced in the
// same transaction as every change to parties or committees. Reading it is
// one indexed lookup; reading the roster is two joins, on every write of a
// report. A token, not a counter, because a rolled-back change must not
// leave behind a version number that a later, different change reuses.
const metaRoster = "roster_version"

// rosterCache holds the last roster read, with its version. It serves every
// process and node correctly: the version is read from the database each
// time, so a change made elsewhere is seen at once.
type rosterCache struct {
	mu      sync.Mutex
	version string
	dir     center.Directory
}

func (c *rosterCache) directory(ctx context.Context, q querier) (center.Directory, error) {
	v, err := readMeta(ctx, q, metaRoster)
	if err != nil {
		return center.Directory{}, err
	}
	c.mu.Lock()
	if v != "" && v == c.version {
		dir := c.dir
		c.mu.Unlock()
		return dir, nil
	}
	c.mu.Unlock()
	dir, err := readDirectory(ctx, q)
	if err != nil || v == "" {
		return dir, err
	}
	c.mu.Lock()
	c.version, c.dir = v, dir
	c.mu.Unlock()
	return dir, nil
}

// rosterChanged gives the roster a new version.
func (t *tx) rosterChanged(ctx context.Context) error {
	return t.SetMeta(ctx, metaRoster, rand.Text())
}
