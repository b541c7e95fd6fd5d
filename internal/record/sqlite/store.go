// Package sqlite is the embedded SQLite backend of the store contract, on
// modernc.org/sqlite (pure Go, no C compiler).
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// commit is fsync'd before Update returns. To keep that from costing
// throughput, one goroutine commits: it gathers every Update waiting at the
// moment into one transaction, runs each inside its own SAVEPOINT (so one
// failing Update rolls back alone), and commits once for all of them.
//
// Reads use a separate pool of read-only connections, which WAL lets run
// beside the writer; they see every commit that has returned.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tabadul/tabadul/internal/record/schema"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Options tune the store. The zero value is the production setting.
type Options struct {
	// MaxBatch caps how many Updates share one commit; 0 means 256.
	MaxBatch int
	// Readers is the size of the read pool; 0 means 2×GOMAXPROCS, at least 4.
	Readers int
	// NoSync turns fsync off. Only for tests and benchmarks that measure
	// something other than the disk; never in a center.
	NoSync bool
}

// Store is a center's SQLite database. It implements store.Store.
type Store struct {
	w, r *sql.DB
	opts Options
	// wstmts and rd prepare each statement once for the writer and the
	// read pool.
	wstmts *stmtCache
	rd     cachedDB
	roster rosterCache
	// active caches the active subscriptions for the write path, which
	// reads them for every report (see tx.ActiveSubscriptions).
	active sqlrow.Versioned[[]store.Subscription]

	writer *store.GroupCommit
}

var _ store.Store = (*Store)(nil)

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("sqlite: store closed")

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.Readers <= 0 {
		opts.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	sync := "FULL"
	if opts.NoSync {
		sync = "OFF"
	}
	dsn := func(extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous("+sync+")")
		q.Add("_pragma", "foreign_keys(1)")
		// 64 MiB of page cache: a batch of a few hundred reports stays in
		// memory until its commit instead of spilling pages mid-transaction.
		q.Add("_pragma", "cache_size(-65536)")
		// Each Update runs in a SAVEPOINT, whose undo pages SQLite keeps in
		// a sub-journal; in memory, not in a temporary file.
		q.Add("_pragma", "temp_store(MEMORY)")
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("_txlock", "immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One committer writes, one transaction at a time. The second
	// connection exists so that preparing a statement (which database/sql
	// does on a free connection) never waits for the open transaction; the
	// transaction then prepares it once on its own connection.
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(2)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn("_pragma", "query_only(1)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	r.SetConnMaxIdleTime(0)
	s := &Store{w: w, r: r, opts: opts,
		wstmts: newStmtCache(w), rd: cachedDB{newStmtCache(r)}}
	s.writer = store.StartGroupCommit(opts.MaxBatch, ErrClosed, s.commit)
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, schema.SQLite())
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.writer.Update(ctx, fn)
}

// commit runs a batch of updates in one transaction and reports each
// outcome after the commit.
func (s *Store) commit(batch []*store.QueuedUpdate) {
	results := make([]error, len(batch))
	// Statements run without the callers' cancellation: interrupting one
	// statement could roll back the whole shared transaction.
	ctx := context.Background()
	err := func() error {
		sqlTx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlite: begin: %w", err)
		}
		var index []indexRow
		// An update alone in its transaction needs no savepoint: if it
		// fails, the transaction is rolled back. That spares a large update
		// (a bulk import) the savepoint's journal, which SQLite walks from
		// its start at the end of every statement: quadratic in the
		// update's size.
		alone := len(batch) == 1
		for i, u := range batch {
			if err := u.Ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			var rows []indexRow
			results[i], rows, err = s.runUpdate(ctx, sqlTx, !alone, u.Fn)
			if err != nil {
				sqlTx.Rollback()
				return err
			}
			if alone && results[i] != nil {
				if err := sqlTx.Rollback(); err != nil {
					return fmt.Errorf("sqlite: rollback: %w", err)
				}
				return nil
			}
			index = append(index, rows...)
		}
		// The search rows of every update that succeeded go in last, outside
		// the savepoints: FTS5 flushes its pending terms at each savepoint,
		// so indexing inside them made one index segment per report.
		t := s.newTx(sqlTx)
		for _, r := range index {
			if err := t.exec(ctx, "index version",
				`INSERT INTO search (rowid, surface, stems, filters) VALUES (?, ?, ?, ?)`, r.seq, r.surface, r.stems, r.filters); err != nil {
				sqlTx.Rollback()
				return err
			}
		}
		if err := sqlTx.Commit(); err != nil {
			return fmt.Errorf("sqlite: commit: %w", mapError(err))
		}
		return nil
	}()
	for i, u := range batch {
		if err != nil {
			u.Finish(err)
		} else {
			u.Finish(results[i])
		}
	}
}

// runUpdate runs fn in sqlTx, inside a savepoint if savepoint is set. fnErr
// is fn's own failure, already rolled back if in a savepoint (otherwise
// the caller rolls back the transaction); err is a failure of the
// transaction itself. index holds the search rows fn asked for, to be
// written after the savepoints; none when fn failed.
func (s *Store) runUpdate(ctx context.Context, sqlTx *sql.Tx, savepoint bool, fn func(store.Tx) error) (fnErr error, index []indexRow, err error) {
	if savepoint {
		if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT u"); err != nil {
			return nil, nil, fmt.Errorf("sqlite: savepoint: %w", err)
		}
	}
	t := s.newTx(sqlTx)
	fnErr = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("sqlite: update panicked: %v", p)
			}
		}()
		return fn(t)
	}()
	if fnErr != nil {
		t.index = nil
	}
	if !savepoint {
		return fnErr, t.index, nil
	}
	if fnErr != nil {
		if _, err := sqlTx.ExecContext(ctx, "ROLLBACK TO u"); err != nil {
			return nil, nil, fmt.Errorf("sqlite: rollback to savepoint: %w", err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, "RELEASE u"); err != nil {
		return nil, nil, fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return fnErr, t.index, nil
}

// newTx returns a store.Tx in the writer's transaction sqlTx.
func (s *Store) newTx(sqlTx *sql.Tx) *tx {
	return &tx{tx: sqlTx, stmts: s.wstmts, roster: &s.roster, active: &s.active}
}

// Close implements store.Store.
func (s *Store) Close() error {
	if !s.writer.Close() {
		return nil
	}
	s.wstmts.close()
	s.rd.close()
	return errors.Join(s.r.Close(), s.w.Close())
}
