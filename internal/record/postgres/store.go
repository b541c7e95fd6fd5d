// Package postgres is the PostgreSQL backend of the store contract, on
// github.com/jackc/pgx/v5, for a center that outgrows one machine: any
// number of nodes (tabadul serve processes) share one database.
//
// Writes: every write transaction first takes one transaction-level
// advisory lock (writeLock), so that write transactions of all nodes run
// one after another, as SQLite's single writer does. The write path
// relies on that: the log's order is the events' seq order, Found creates
// a center once, a revision sees the version before it. To keep that from
// costing throughput each node commits in groups, as the SQLite backend
// does: one goroutine gathers every Update waiting at the moment into one
// transaction, runs each inside its own SAVEPOINT (so one failing Update
// rolls back alone), and commits once for all of them. A commit is durable
// when Update returns (synchronous_commit on, the server's default). An
// update that goes on after one of its statements failed (PostgreSQL then
// refuses the rest of its savepoint) fails alone, its changes rolled back.
//
// Reads use a pool of connections; they see every commit that has
// returned, on every node.
//
// Several nodes: Lead elects one node for a singleton job (the log's
// integrator) with a session-level advisory lock held on a dedicated
// connection; when that node dies its connection closes, the server
// releases the lock, and another node takes it over.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tabadul/tabadul/internal/record/schema"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Options tune the store. The zero value is the production setting.
type Options struct {
	// MaxBatch caps how many Updates share one commit; 0 means 256.
	MaxBatch int
	// Readers is the size of the read pool; 0 means 2×GOMAXPROCS, at
	// least 4, as on SQLite.
	Readers int
}

// Store is a center's PostgreSQL database. It implements store.Store.
type Store struct {
	cfg    *pgx.ConnConfig
	pool   *pgxpool.Pool
	opts   Options
	roster rosterCache
	// active caches the active subscriptions for the write path, which
	// reads them for every report (see tx.ActiveSubscriptions).
	active sqlrow.Versioned[[]store.Subscription]

	// w is the committer's connection, reopened if it breaks.
	w *pgx.Conn

	writer *store.GroupCommit
}

var _ store.Store = (*Store)(nil)

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("postgres: store closed")

// Open connects to the database at url (a postgres:// URL or a libpq
// key=value string) and brings its schema up to date. Several nodes may
// open one database at the same moment: the migrations run under a
// session lock, once.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redact(err))
	}
	keepalive(pcfg.ConnConfig)
	if opts.Readers <= 0 {
		opts.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	pcfg.MaxConns = int32(opts.Readers)
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Store{cfg: pcfg.ConnConfig.Copy(), pool: pool, opts: opts}
	if s.w, err = pgx.ConnectConfig(ctx, s.cfg); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect the writer: %w", redact(err))
	}
	s.writer = store.StartGroupCommit(opts.MaxBatch, ErrClosed, s.commit)
	return s, nil
}

// keepalive makes the server notice a node that vanished without closing
// its connections (a power cut, a partition) within about ten seconds, so
// that the advisory locks it held are released: the server's TCP
// keepalive settings are per session. It also names the node's sessions
// "tabadul/PID" in pg_stat_activity, unless the URL names them.
func keepalive(c *pgx.ConnConfig) {
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	for k, v := range map[string]string{"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "1", "tcp_keepalives_count": "3",
		"application_name": "tabadul/" + strconv.Itoa(os.Getpid())} {
		if _, set := c.RuntimeParams[k]; !set {
			c.RuntimeParams[k] = v
		}
	}
}

// redact keeps a connection string's password out of an error message;
// pgx's parse errors quote the string.
func redact(err error) error {
	var pe *pgconnParseError
	if errors.As(err, &pe) {
		return errors.New("invalid database URL")
	}
	return err
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	// Nodes starting together wait for the first one's migrations, checking
	// every second for up to five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, schema.Postgres(), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.writer.Update(ctx, fn)
}

// writeLock is the advisory lock every write transaction takes first: the
// center's one writer at a time, across nodes.
const writeLock int64 = 0x7461626164756c01 // "tabadul" 01

// Round trips: the committer's statements are few and cheap, so a batch's
// time is mostly waits for the server. It takes the lock and opens the
// first savepoint in one message; an update's first statement goes in one
// message with the release of the savepoint before it and the opening of
// its own (see tx.QueryRow); the last savepoint is released before COMMIT.
var lockAndSavepoint = fmt.Sprintf("SELECT pg_advisory_xact_lock(%d); SAVEPOINT u", writeLock)

// commit runs a batch of updates in one transaction and reports each
// outcome after the commit.
func (s *Store) commit(batch []*store.QueuedUpdate) {
	results := make([]error, len(batch))
	// Statements run without the callers' cancellation: interrupting one
	// statement could roll back the whole shared transaction.
	ctx := context.Background()
	err := func() error {
		if s.w == nil || s.w.IsClosed() {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			w, err := pgx.ConnectConfig(cctx, s.cfg)
			cancel()
			if err != nil {
				return fmt.Errorf("postgres: reconnect the writer: %w", err)
			}
			s.w = w
		}
		ptx, err := s.w.Begin(ctx)
		if err != nil {
			return fmt.Errorf("postgres: begin: %w", err)
		}
		if _, err := ptx.Exec(ctx, lockAndSavepoint); err != nil {
			ptx.Rollback(ctx)
			return fmt.Errorf("postgres: take the write lock: %w", err)
		}
		b := &batchState{}
		for i, u := range batch {
			if err := u.Ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			results[i], err = s.runSavepoint(ctx, ptx, b, u.Fn, &results[i])
			if err != nil {
				ptx.Rollback(ctx)
				return err
			}
		}
		if b.used {
			// The last update's savepoint: an update that swallowed a
			// failed statement fails alone here too.
			t := &tx{q: ptx, s: s, batch: b}
			if _, err := ptx.Exec(ctx, "RELEASE SAVEPOINT u"); err != nil {
				if err := t.recoverBoundary(ctx, err); err != nil {
					ptx.Rollback(ctx)
					return err
				}
			}
		}
		if err := ptx.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: commit: %w", mapError(err))
		}
		return nil
	}()
	if err != nil && s.w != nil && !s.w.IsClosed() && s.w.PgConn().TxStatus() != 'I' {
		// A failure that left the connection inside a transaction: start
		// the next batch on a fresh connection.
		s.w.Close(ctx)
	}
	for i, u := range batch {
		if err != nil {
			u.Finish(err)
		} else {
			u.Finish(results[i])
		}
	}
}

// runSavepoint runs fn in the savepoint it opens with its first statement
// (see tx.start). fnErr is fn's own failure, already rolled back; err is a
// failure of the transaction itself. result is where fn's outcome goes,
// which a later failure of its savepoint may still set.
func (s *Store) runSavepoint(ctx context.Context, ptx pgx.Tx, b *batchState, fn func(store.Tx) error, result *error) (fnErr error, err error) {
	t := &tx{q: ptx, s: s, batch: b, self: result}
	fnErr = func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("postgres: update panicked: %v", p)
			}
		}()
		if err := fn(t); err != nil {
			return err
		}
		return t.flush(ctx)
	}()
	if fnErr != nil {
		t.pending = nil
		b.rosterKnown, b.activeKnown = false, false
		if t.began {
			if _, err := ptx.Exec(ctx, "ROLLBACK TO SAVEPOINT u"); err != nil {
				return nil, fmt.Errorf("postgres: rollback to savepoint: %w", err)
			}
			b.used, b.owner = false, nil
		}
	}
	return fnErr, nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	if !s.writer.Close() {
		return nil
	}
	var err error
	if s.w != nil {
		err = s.w.Close(context.Background())
	}
	s.pool.Close()
	return err
}
