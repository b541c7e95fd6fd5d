package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
)

// dbEnv names the environment variable that --db defaults to.
const dbEnv = "TABADUL_DB"

// onPostgres reports whether --db names a PostgreSQL database; otherwise
// the center's database is SQLite's file in the data directory.
func (a *app) onPostgres() bool { return isPostgresURL(a.dbURL()) }

// dbURL is --db, or TABADUL_DB without it. The environment is read here,
// not as the flag's default, so that --help never prints a password.
func (a *app) dbURL() string {
	if a.db != "" {
		return a.db
	}
	return os.Getenv(dbEnv)
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// checkDB refuses a --db that names neither backend.
func (a *app) checkDB() error {
	if a.dbURL() != "" && !a.onPostgres() {
		return usagef("--db %q: want a postgres:// URL, or nothing for SQLite in the data directory", redactURL(a.dbURL()))
	}
	return nil
}

// where names the center's database for messages, without a password.
func (a *app) where() string {
	if a.onPostgres() {
		return redactURL(a.dbURL())
	}
	return a.dataDir
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return s
	}
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return s
}

// openStore opens the center's database, creating the data directory (for
// its owner only) and, on SQLite, the database if they do not exist. The
// data directory holds files besides the database (the demo's credentials
// and witnesses) on either backend. log, if not nil, receives what the
// store cannot return to a caller (a failed write of SQLite's search
// index); nil means the default logger.
func (a *app) openStore(ctx context.Context, log *slog.Logger) (store.Store, error) {
	if err := a.checkDB(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(a.dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if a.onPostgres() {
		return postgres.Open(ctx, a.dbURL(), postgres.Options{})
	}
	return sqlite.Open(ctx, a.dbPath(), sqlite.Options{Logger: log})
}

// openCenter opens a database that already holds a center, for the commands
// that manage one. It does not create a database where there is none, so that
// a mistyped --data is an error, not a new empty center.
func (a *app) openCenter(ctx context.Context) (store.Store, *record.Recorder, error) {
	if err := a.checkDB(); err != nil {
		return nil, nil, err
	}
	noCenter := fmt.Errorf("no center in %s: found one with 'tabadul init', or start the demo center with 'tabadul serve'", a.where())
	var st store.Store
	var err error
	if a.onPostgres() {
		st, err = postgres.Open(ctx, a.dbURL(), postgres.Options{})
	} else {
		if _, err := os.Stat(a.dbPath()); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, noCenter
		}
		st, err = sqlite.Open(ctx, a.dbPath(), sqlite.Options{})
	}
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
