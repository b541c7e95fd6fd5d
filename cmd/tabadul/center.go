package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
)

// openStore opens the center's database, creating the data directory (for
// its owner only) and the database if they do not exist.
func (a *app) openStore(ctx context.Context) (*sqlite.Store, error) {
	if err := os.MkdirAll(a.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return sqlite.Open(ctx, a.dbPath(), sqlite.Options{})
}

// openCenter opens a database that already holds a center, for the commands
// that manage one. It does not create a database where there is none, so that
// a mistyped --data is an error, not a new empty center.
func (a *app) openCenter(ctx context.Context) (*sqlite.Store, *record.Recorder, error) {
	noCenter := fmt.Errorf("no center in %s: found one with 'tabadul init', or start the demo center with 'tabadul serve'", a.dataDir)
	if _, err := os.Stat(a.dbPath()); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, noCenter
	}
	st, err := sqlite.Open(ctx, a.dbPath(), sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	registry := analyze.NewRegistry(st)
	rec := record.NewRecorder(st, a.clock, center.DefaultLimits).ExtractWith(registry)
	founded, err := rec.Founded(ctx)
	if err == nil && !founded {
		err = noCenter
	}
	if err == nil {
		err = registry.Refresh(ctx)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, rec, nil
}
