// Package sqlite is the embedded SQLite backend of the store contract, on
// modernc.org/sqlite (pure Go, no C compiler).
//
// Durability: the database runs in WAL mode with synchronous=FULL, so a
// commit is fsync'd before Update returns. To keep that from costing
// throughput, one goroutine commits: it gathers every Update waiting at the
// moment into one transaction, runs each inside its own SAVEPOINT (so one
// failing Update rolls back alone), and commits once for all of them.
//
// The search index is a database of its own beside the store's (its path
// with "-search" appended), with a committer of its own that applies each
// committed batch's index changes while the writer commits the next; an
// Update returns once both hold it (see searchdb.go).
//
// References between tables (a version's tags to the version, say) are
// declared in the schema but not enforced while writing, which is
// SQLite's default: with them enforced, every multi-row insert of the
// write path kept a statement journal of each page it touched, and the
// lookups of each row's parents, in all a quarter of a report's recording
// (BENCHMARKS.md). One write path keeps them, and CheckIntegrity
// verifies it on each database the store's contract suite and the test
// centers leave. For the same reason the write path's multi-row inserts
// say OR FAIL (see rowsOf).
//
// Reads use a separate pool of read-only connections, which WAL lets run
// beside the writer, with the index's database attached; they see every
// commit that has returned.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"

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
	// SearchParts is how many statements, each on a reader of its own,
	// rank a text search's first page at once (see searchparts.go); 0
	// means GOMAXPROCS, at most 4 and at most half the readers; 1 never
	// splits a search.
	SearchParts int
	// NoSync turns fsync off. Only for tests and benchmarks that measure
	// something other than the disk; never in a center.
	NoSync bool
	// Logger receives what the store cannot return to a caller: a failed
	// commit of the search index (see searchDB). nil means slog.Default().
	Logger *slog.Logger
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
	nums   partyNums
	// active caches the active subscriptions for the write path, which
	// reads them for every report (see tx.ActiveSubscriptions).
	active sqlrow.Versioned[[]store.Subscription]

	writer *store.GroupCommit
	// searchParts is Options.SearchParts resolved; split holds when a
	// ranking splits (see searchparts.go), a field for the tests.
	searchParts int
	split       splitRule
	// search is the search index's database and committer.
	search *searchDB
}

var _ store.Store = (*Store)(nil)

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("sqlite: store closed")

// mmapSize is how much of each database file a connection reads through a
// memory map: the most SQLite maps (SQLITE_MAX_MMAP_SIZE). The pages past
// it, and those the WAL holds, are read through the page cache.
const mmapSize = 2147418112

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
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	dsn := func(path string, extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous("+sync+")")
		// 64 MiB of page cache: a batch of a few hundred reports stays in
		// memory until its commit instead of spilling pages mid-transaction.
		q.Add("_pragma", "cache_size(-65536)")
		// Each Update runs in a SAVEPOINT, whose undo pages SQLite keeps in
		// a sub-journal; in memory, not in a temporary file.
		q.Add("_pragma", "temp_store(MEMORY)")
		// Pages read through a memory map, not the page cache: SQLite
		// built with memory management gives every connection's cache one
		// mutex, and the readers of a split ranking (searchparts.go)
		// spent a seventh of their CPU taking it in turn. The median
		// query of the search benchmark: 3.1–3.5 ms without, 2.6–2.7 ms
		// with.
		q.Add("_pragma", "mmap_size("+strconv.Itoa(mmapSize)+")")
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	for _, p := range []string{path, path + searchSuffix} {
		if err := create(ctx, p); err != nil {
			return nil, err
		}
	}
	w, err := sql.Open("sqlite", dsn(path, "_txlock", "immediate"))
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
	search, err := openSearch(ctx, path, w, dsn, opts.Logger)
	if err != nil {
		w.Close()
		return nil, err
	}
	rc, err := newAttaching(dsn(path, "_pragma", "query_only(1)"), path+searchSuffix)
	if err != nil {
		search.close()
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	r := sql.OpenDB(rc)
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	r.SetConnMaxIdleTime(0)
	s := &Store{w: w, r: r, opts: opts, search: search,
		wstmts: newStmtCache(w), rd: cachedDB{newStmtCache(r)},
		searchParts: opts.SearchParts, split: defaultSplit}
	if s.searchParts <= 0 {
		s.searchParts = searchParts(opts.Readers)
	}
	if err := s.nums.load(ctx, s.rd); err != nil {
		r.Close()
		search.close()
		w.Close()
		return nil, err
	}
	s.writer = store.StartGroupCommit(opts.MaxBatch, ErrClosed, s.commit)
	return s, nil
}

// pageSize is the page size of the databases the store creates: 16 KiB,
// not SQLite's 4. A report's rows (a version carries a body of about a
// kilobyte) and the index's doclists then fill fewer, shallower B-trees:
// at 100,000 reports, indexing was 5-10% faster and both files 7%
// smaller, and queries took as long (BENCHMARKS.md, "run 10").
const pageSize = 16384

// create makes the database file at path, if there is none, with
// pageSize and in WAL mode. SQLite fixes a database's page size when it
// writes the first page, which a connection asking for WAL does before
// any other pragma of its DSN takes effect; so the file is made by a
// connection of its own first. A database that exists keeps its page
// size.
func create(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=page_size("+strconv.Itoa(pageSize)+")")
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return nil
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
// outcome after the commit — or, when the batch changes the search index,
// after the index's committer has committed those changes too.
func (s *Store) commit(batch []*store.QueuedUpdate) {
	results := make([]error, len(batch))
	// Statements run without the callers' cancellation: interrupting one
	// statement could roll back the whole shared transaction.
	ctx := context.Background()
	var index []indexOp
	admitted := false // an update admitted a party: its number is new
	err := func() error {
		sqlTx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlite: begin: %w", err)
		}
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
			var t *tx
			results[i], t, err = s.runUpdate(ctx, sqlTx, !alone, u.Fn)
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
			index = append(index, t.index...)
			admitted = admitted || t.admitted
		}
		if len(index) > 0 {
			if err := s.search.queueTx(ctx, sqlTx); err != nil {
				sqlTx.Rollback()
				return err
			}
		}
		if err := sqlTx.Commit(); err != nil {
			index = nil
			return fmt.Errorf("sqlite: commit: %w", mapError(err))
		}
		return nil
	}()
	if err == nil && admitted {
		// Committed, a new party's number may be cached: the write path
		// then finds it there, instead of reading the parties in each
		// update until the party first reads. Without it, it still does.
		if err := s.nums.load(ctx, s.w); err != nil {
			s.opts.Logger.Warn("party numbers not cached", "err", err)
		}
	}
	if err == nil && len(index) > 0 {
		// The group commit reuses batch for the next one.
		s.search.send(indexBatch{ops: index, updates: slices.Clone(batch), results: results})
		return
	}
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
// transaction itself. t is the update's Tx: its index holds the changes to
// the search index fn asked for, for the index's committer, and admitted
// whether it admitted a party; neither when fn failed.
func (s *Store) runUpdate(ctx context.Context, sqlTx *sql.Tx, savepoint bool, fn func(store.Tx) error) (fnErr error, t *tx, err error) {
	if savepoint {
		if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT u"); err != nil {
			return nil, nil, fmt.Errorf("sqlite: savepoint: %w", err)
		}
	}
	t = s.newTx(sqlTx)
	fnErr = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("sqlite: update panicked: %v", p)
			}
		}()
		return fn(t)
	}()
	if fnErr != nil {
		t.index, t.admitted = nil, false
	}
	if !savepoint {
		return fnErr, t, nil
	}
	if fnErr != nil {
		if _, err := sqlTx.ExecContext(ctx, "ROLLBACK TO u"); err != nil {
			return nil, nil, fmt.Errorf("sqlite: rollback to savepoint: %w", err)
		}
	}
	if _, err := sqlTx.ExecContext(ctx, "RELEASE u"); err != nil {
		return nil, nil, fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return fnErr, t, nil
}

// newTx returns a store.Tx in the writer's transaction sqlTx.
func (s *Store) newTx(sqlTx *sql.Tx) *tx {
	return &tx{tx: sqlTx, stmts: s.wstmts, roster: &s.roster, active: &s.active, nums: &s.nums}
}

// Close implements store.Store.
func (s *Store) Close() error {
	if !s.writer.Close() {
		return nil
	}
	// The writer has sent its last batch: the index's committer finishes.
	searchErr := s.search.close()
	s.wstmts.close()
	s.rd.close()
	return errors.Join(searchErr, s.r.Close(), s.w.Close())
}
