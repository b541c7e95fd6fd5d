package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sqlite "modernc.org/sqlite"

	"github.com/tabadul/tabadul/internal/record/store"
)

// The search index lives in a database of its own, beside the store's
// (its path with searchSuffix appended), and has a committer of its own.
// SQLite lets one connection write a database at a time, and FTS5's
// tokenizing, term hashing and segment flushing were a quarter of the one
// writer's time while reports arrived: apart, they run on another core
// while the writer commits the next batch.
//
// A report stays findable the moment its Update returns: the writer hands
// each committed batch's index changes to the index's committer, and the
// batch's Updates return once those are committed too. The readers attach
// the index's database, so a search still joins the index to the viewer's
// report_views in one statement.
//
// The two commits are not one. The index is derived data, so instead the
// batches of index changes are counted: the store's meta counts those
// queued, in the writer's transaction, and the index's meta those
// applied, in the index's. If the counts differ when a store is opened
// with no other store open on the same files (the process stopped between
// the two commits, the index's commit failed, its file was lost), the
// index is emptied and the stamp of the analysis that built it cleared,
// and the next `tabadul serve` or `tabadul reindex` rebuilds it from the
// versions. With another store open — the CLI beside a running server —
// the counts may differ by the batches it has in flight, so they are
// compared only by a store that is alone (instanceLock).
const searchSuffix = "-search"

// searchSchema names the layout of the index's database. Opening one of
// another layout (or none) empties it to be rebuilt. 2: the surface
// column leaves out the forms that are their own stems (ftsSurfaceText).
const searchSchema = "2"

const (
	metaIndexQueued  = "index_queued"  // in the store's meta: batches queued
	metaIndexApplied = "index_applied" // in the index's meta: batches applied
	metaSearchSchema = "schema"        // in the index's meta
)

// createSearch lays out an empty index database. FTS5 merges the segments
// of a level once it holds 'automerge' of them, in the committing
// transaction; at its default of 4 the merges took a sixth of the
// committer's time while indexing, at 16 half as much, and queries at
// 100,000 reports are no slower. The filters column holds each version's
// source, TLP, language and tags as tokens (see filterToken).
var createSearch = []string{
	`DROP TABLE IF EXISTS search`,
	`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`,
	`CREATE VIRTUAL TABLE search USING fts5(
		surface,
		stems,
		filters,
		content = '',
		contentless_delete = 1, -- retention erases purged versions
		tokenize = 'ascii'
	)`,
	`INSERT INTO search (search, rank) VALUES ('automerge', ` + strconv.Itoa(automergeSegments) + `)`,
}

// automergeSegments is FTS5's 'automerge' setting of the index (see
// createSearch), but during a rebuild (StartIndexRebuild).
const automergeSegments = 16

// setAutomerge sets FTS5's 'automerge': 0 stops the merges that commits
// do, but for the crisis merge of a level of 16 segments, which still
// bounds a query's segments.
func (s *searchDB) setAutomerge(ctx context.Context, segments int) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO search (search, rank) VALUES ('automerge', ?)`, segments); err != nil {
		return fmt.Errorf("sqlite: search index: automerge: %w", mapError(err))
	}
	return nil
}

// An indexOp is one change to the index: a version's row inserted, or
// deleted when del is set. The document's tokens become the row's text on
// the index's committer, off the store's writer.
type indexOp struct {
	seq     int64
	del     bool
	doc     store.SearchDoc
	filters string
}

// An indexBatch is the index changes of one committed batch of Updates,
// and those Updates, which return once the changes are committed.
type indexBatch struct {
	ops     []indexOp
	updates []*store.QueuedUpdate
	results []error
}

// searchDB is the index's database and its committer.
type searchDB struct {
	w      *sql.DB
	stmts  *stmtCache
	log    *slog.Logger
	queue  chan indexBatch
	done   chan struct{}
	closed sync.Once
	lock   instanceLock
	// broken is set once a commit of the index failed: later batches are
	// not applied either, so that the counts stay apart and the next Open
	// rebuilds the index.
	broken bool
	// untidy is set while the index's segments may want merging: from a
	// batch applied until a merge step finds nothing left to merge (see
	// mergeStep). Read by tests, hence atomic.
	untidy atomic.Bool
	// quiet is how long no batch must come before the committer merges
	// (mergeQuiet; tests shorten or lengthen it), in nanoseconds.
	quiet atomic.Int64
}

// openSearch opens (creating if needed) the index's database beside the
// store's, whose writer is w, and brings it level with the store: empty
// and stale unless it applied exactly the batches the store queued.
func openSearch(ctx context.Context, path string, w *sql.DB, dsn func(path string, extra ...string) string, log *slog.Logger) (*searchDB, error) {
	iw, err := sql.Open("sqlite", dsn(path+searchSuffix, "_txlock", "immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open the search index: %w", err)
	}
	// As the store's writer: a second connection for database/sql to
	// prepare statements on while the transaction holds the first.
	iw.SetMaxOpenConns(2)
	iw.SetMaxIdleConns(2)
	iw.SetConnMaxLifetime(0)
	iw.SetConnMaxIdleTime(0)
	lock, alone, err := lockInstance(path + searchSuffix + ".lock")
	if err != nil {
		iw.Close()
		return nil, err
	}
	s := &searchDB{w: iw, stmts: newStmtCache(iw), log: log, lock: lock, queue: make(chan indexBatch, 2), done: make(chan struct{})}
	s.quiet.Store(int64(mergeQuiet))
	if err := s.level(ctx, w, alone); err != nil {
		s.stmts.close()
		iw.Close()
		lock.release()
		return nil, err
	}
	go s.loop()
	return s, nil
}

// level makes the index agree with the store's meta, emptying it if it
// is of another layout or, when this store is alone, may have missed a
// change.
func (s *searchDB) level(ctx context.Context, w *sql.DB, alone bool) error {
	queued, err := metaInt(ctx, w, metaIndexQueued)
	if err != nil {
		return err
	}
	var schema string
	var applied int64
	var exists int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'meta'`).Scan(&exists); err != nil {
		return fmt.Errorf("sqlite: search index: %w", err)
	}
	if exists > 0 {
		if schema, err = readMeta(ctx, s.w, metaSearchSchema); err != nil {
			return err
		}
		if applied, err = metaInt(ctx, s.w, metaIndexApplied); err != nil {
			return err
		}
	}
	if schema == searchSchema && (applied == queued || !alone) {
		if !alone {
			return nil
		}
		// A rebuild that stopped before its end left automerge off.
		var segments int64
		err := s.w.QueryRowContext(ctx, `SELECT v FROM search_config WHERE k = 'automerge'`).Scan(&segments)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: search index: %w", err)
		}
		if segments == automergeSegments {
			return nil
		}
		return s.setAutomerge(ctx, automergeSegments)
	}
	// Empty the index first, then clear the stamp: stopping in between
	// leaves an empty index marked stale, never a stale one marked fresh.
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: search index: %w", err)
	}
	defer tx.Rollback()
	for _, q := range createSearch {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlite: create the search index: %w", err)
		}
	}
	for k, v := range map[string]string{metaSearchSchema: searchSchema, metaIndexApplied: strconv.FormatInt(queued, 10)} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("sqlite: search index: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: search index: %w", mapError(err))
	}
	if _, err := w.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, store.MetaIndexAnalysis); err != nil {
		return fmt.Errorf("sqlite: search index: %w", mapError(err))
	}
	return nil
}

// metaInt reads an integer from q's meta table, 0 if it is not set.
func metaInt(ctx context.Context, q querier, key string) (int64, error) {
	v, err := readMeta(ctx, q, key)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sqlite: meta %s: %w", key, err)
	}
	return n, nil
}

// queueTx counts, in the writer's transaction sqlTx, the batch about to
// commit among those that queue index changes.
func (s *searchDB) queueTx(ctx context.Context, sqlTx *sql.Tx) error {
	if _, err := sqlTx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`, metaIndexQueued); err != nil {
		return fmt.Errorf("sqlite: queue index changes: %w", mapError(err))
	}
	return nil
}

// send hands the committer a batch; the store's writer calls it once the
// batch is committed.
func (s *searchDB) send(b indexBatch) { s.queue <- b }

// loop is the index's only writer. It commits whatever batches are
// waiting together, in the order they were committed to the store, and
// merges the index's segments while none is waiting.
func (s *searchDB) loop() {
	defer close(s.done)
	var batches []indexBatch
	merging := false // set once no batch came for the quiet period, until one comes
	for {
		var b indexBatch
		var ok bool
		switch {
		case !s.untidy.Load() || s.broken:
			b, ok = <-s.queue
		case merging:
			select {
			case b, ok = <-s.queue:
			default:
				s.untidy.Store(s.mergeStep())
				continue
			}
		default:
			quiet := time.NewTimer(time.Duration(s.quiet.Load()))
			select {
			case b, ok = <-s.queue:
				quiet.Stop()
			case <-quiet.C:
				merging = true
				continue
			}
		}
		merging = false
		if !ok {
			return
		}
		batches = append(batches[:0], b)
	gather:
		for len(batches) < cap(s.queue)+1 {
			select {
			case b, ok := <-s.queue:
				if !ok {
					break gather
				}
				batches = append(batches, b)
			default:
				break gather
			}
		}
		if !s.broken {
			// Set before the commit, so that once a batch is seen
			// applied, a tidy index means merged after it.
			s.untidy.Store(true)
			if err := s.apply(batches); err != nil {
				// The reports are recorded; they are not findable until the
				// index is rebuilt, which the next Open starts.
				s.broken = true
				s.log.Error("the search index could not be written; it is rebuilt when the center restarts", "err", err)
			}
		}
		for _, b := range batches {
			for i, u := range b.updates {
				u.Finish(b.results[i])
			}
		}
	}
}

// apply commits batches' changes, and counts the batches as applied.
func (s *searchDB) apply(batches []indexBatch) error {
	ctx := context.Background()
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: search index: begin: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{tx: sqlTx, stmts: s.stmts}
	for _, b := range batches {
		for _, op := range b.ops {
			var err error
			if op.del {
				err = t.exec(ctx, "unindex version", `DELETE FROM search WHERE rowid = ?`, op.seq)
			} else {
				err = t.exec(ctx, "index version", `INSERT INTO search (rowid, surface, stems, filters) VALUES (?, ?, ?, ?)`,
					op.seq, ftsSurfaceText(op.doc), ftsText(op.doc.Stems), op.filters)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := t.exec(ctx, "index changes applied", `UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = ?`,
		len(batches), metaIndexApplied); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: search index: commit: %w", mapError(err))
	}
	return nil
}

// mergeQuiet is how long the committer waits with no batch before it
// merges. A bulk load sends it a batch every few tens of milliseconds;
// merging in the gaps took a tenth of the load's CPU from the writer and
// the analysis, and indexing 100,000 reports was 8-13% faster without it
// (BENCHMARKS.md, "run 11"). The segments a load leaves are merged once it pauses, and
// FTS5's automerge bounds them meanwhile.
const mergeQuiet = 300 * time.Millisecond

// mergePages bounds the work of one merge step, in FTS5's pages of about
// 4 KB: a step takes some tens of milliseconds, which is as long as a
// batch that arrives meanwhile waits.
const mergePages = 500

// mergeStep merges some of the index's segments and reports whether more
// may be merged. FTS5 merges a level's segments as it commits, once the
// level holds 16 of them (automerge, see createSearch), which keeps
// indexing cheap but leaves a query up to 15 segments a level to look
// each of its terms up in. Once no batch has come for mergeQuiet, the
// committer merges any level of 4 or more (FTS5's usermerge), a step at
// a time, as Lucene's merge scheduler merges segments in the background:
// at 100,000 reports that took about a second after a bulk load, and
// made queries with a few hundred matches 9% faster (BENCHMARKS.md, "run
// 10"). A step that changes fewer than two rows found nothing to merge
// (FTS5's documentation of 'merge'). A failed step is logged and merging
// stops until the next batch: merging only makes queries faster.
func (s *searchDB) mergeStep() bool {
	ctx := context.Background()
	c, err := s.w.Conn(ctx) // total_changes() counts one connection's changes
	if err != nil {
		s.log.Warn("merging the search index's segments", "err", err)
		return false
	}
	defer c.Close()
	var before, after int64
	err = c.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before)
	if err == nil {
		_, err = c.ExecContext(ctx, `INSERT INTO search (search, rank) VALUES ('merge', ?)`, mergePages)
	}
	if err == nil {
		err = c.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after)
	}
	if err != nil {
		s.log.Warn("merging the search index's segments", "err", err)
		return false
	}
	return after-before >= 2
}

// close waits for the queued batches, after the store's writer stopped.
func (s *searchDB) close() error {
	s.closed.Do(func() { close(s.queue) })
	<-s.done
	s.stmts.close()
	return errors.Join(s.w.Close(), s.lock.release())
}

// attaching opens the store's read connections with the index's database
// attached as "fts": an unqualified "search" in a query finds it there.
type attaching struct {
	driver.Connector
	path string
}

func newAttaching(dsn, path string) (attaching, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return attaching{}, err
	}
	return attaching{Connector: c, path: path}, nil
}

func (a attaching) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := a.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.(driver.ExecerContext).ExecContext(ctx, `ATTACH DATABASE ? AS fts`,
		[]driver.NamedValue{{Ordinal: 1, Value: a.path}}); err != nil {
		c.Close()
		return nil, fmt.Errorf("sqlite: attach the search index: %w", err)
	}
	return c, nil
}
