package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the PostgreSQL store's statistics and size

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// tabadulWriters is how many goroutines submit reports at once, one
// report a call.
const tabadulWriters = 32

// tabadulBatchers is how many goroutines submit batches at once: each
// analyzes its batch (on every core) while the other's is committed, so
// that each write is alone in its commit.
const tabadulBatchers = 2

// viewer is the party the queries are run as; every report is
// distributed to all members, so it sees them all.
const viewer center.PartyCode = "IQ"

// tabadul is Tabadul's search over one of its stores, driven the way the
// API drives it.
type tabadul struct {
	backend  string
	path     string         // SQLite: the database file
	pg       *pgtest.Server // PostgreSQL: the throwaway server
	url      string         // PostgreSQL: the database's URL
	st       store.Store
	searcher *analyze.Searcher
	// doc maps a report id to the document's index in the corpus.
	doc map[string]int
}

// The stores the benchmark can run Tabadul on.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

const (
	tabadulDB  = "tabadul.db"
	tabadulIDs = "tabadul-ids.tsv"
)

// openTabadul opens the store with the production options: SQLite's in
// dir, or a new database on a throwaway PostgreSQL server of its own,
// durable as in production (Debian's postgresql package).
func openTabadul(ctx context.Context, dir, backend string) (*tabadul, error) {
	t := &tabadul{backend: backend, path: filepath.Join(dir, tabadulDB), doc: map[string]int{}}
	switch backend {
	case backendSQLite:
		st, err := sqlite.Open(ctx, t.path, sqlite.Options{})
		if err != nil {
			return nil, err
		}
		t.st = st
	case backendPostgres:
		srv, err := pgtest.Start(pgtest.Options{Durable: true})
		if err != nil {
			return nil, err
		}
		if t.url, err = srv.CreateDatabase(ctx); err != nil {
			srv.Stop()
			return nil, err
		}
		st, err := postgres.Open(ctx, t.url, postgres.Options{})
		if err != nil {
			srv.Stop()
			return nil, err
		}
		t.pg, t.st = srv, st
	default:
		return nil, fmt.Errorf("tabadul: no backend %q (%s or %s)", backend, backendSQLite, backendPostgres)
	}
	t.searcher = analyze.NewSearcher(t.st, analyze.StarterAliases())
	return t, nil
}

func (t *tabadul) Close() error {
	err := t.st.Close()
	if t.pg != nil {
		err = errors.Join(err, t.pg.Stop())
	}
	return err
}

// index founds the center and submits every document through the
// recorder's write path — one SubmitReport per report from tabadulWriters
// goroutines or, with batch > 0, SubmitReports of batch reports of one
// source party from tabadulBatchers goroutines — then writes the map of
// report ids to dir.
func (t *tabadul) index(ctx context.Context, dir string, docs []Doc, batch int) (time.Duration, error) {
	rec := record.NewRecorder(t.st, center.SystemClock{}, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		return 0, err
	}
	draft := func(d Doc) center.Draft {
		return center.Draft{Title: d.Title, Body: d.Body, Language: d.Lang, TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
	}
	// The work: runs of documents of one source, in corpus order.
	var runs [][]int
	if batch <= 0 {
		for i := range docs {
			runs = append(runs, []int{i})
		}
	} else {
		bySource := map[string][]int{}
		var sources []string
		for i, d := range docs {
			if _, ok := bySource[d.Source]; !ok {
				sources = append(sources, d.Source)
			}
			bySource[d.Source] = append(bySource[d.Source], i)
		}
		for _, src := range sources {
			for run := bySource[src]; len(run) > 0; run = run[min(batch, len(run)):] {
				runs = append(runs, run[:min(batch, len(run))])
			}
		}
	}
	workers := tabadulWriters
	if batch > 0 {
		workers = tabadulBatchers
	}
	ids := make([]string, len(docs))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(runs) {
					return
				}
				run := runs[k]
				drafts := make([]center.Draft, len(run))
				for j, i := range run {
					drafts[j] = draft(docs[i])
				}
				reps, err := rec.SubmitReports(ctx, testkit.Analyst(center.PartyCode(docs[run[0]].Source)), drafts)
				if err != nil {
					errs <- fmt.Errorf("tabadul: submit documents %d…: %w", run[0], err)
					return
				}
				for j, i := range run {
					ids[i] = reps[j].ID
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if err := t.settle(ctx); err != nil {
		return 0, err
	}
	var b strings.Builder
	for i, id := range ids {
		t.doc[id] = i
		fmt.Fprintf(&b, "%s\t%d\n", id, i)
	}
	if err := os.WriteFile(filepath.Join(dir, tabadulIDs), []byte(b.String()), 0o644); err != nil {
		return 0, fmt.Errorf("tabadul: %w", err)
	}
	return elapsed, nil
}

// settle gathers PostgreSQL's statistics of the loaded tables, untimed,
// as autovacuum does within a minute of a load: queried seconds after it,
// the planner would still see the empty tables of the start and loop
// over every view of the viewer. SQLite plans without statistics.
func (t *tabadul) settle(ctx context.Context) error {
	if t.backend != backendPostgres {
		return nil
	}
	db, err := sql.Open("pgx", t.url)
	if err != nil {
		return fmt.Errorf("tabadul: analyze: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("tabadul: analyze: %w", err)
	}
	return nil
}

// loadIDs reads the map of report ids written by index.
func (t *tabadul) loadIDs(dir string) error {
	f, err := os.Open(filepath.Join(dir, tabadulIDs))
	if err != nil {
		return fmt.Errorf("tabadul: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, n, _ := strings.Cut(sc.Text(), "\t")
		i, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("tabadul: %s: %w", tabadulIDs, err)
		}
		t.doc[id] = i
	}
	return sc.Err()
}

// search runs q for the first limit hits, as GET /api/v1/search does
// (the total, facets and snippets included).
func (t *tabadul) search(ctx context.Context, q Query, limit int) (int, error) {
	res, err := t.searcher.Search(ctx, viewer, q.String(), 0, limit)
	if err != nil {
		return 0, fmt.Errorf("tabadul: %q: %w", q.String(), err)
	}
	return res.Total, nil
}

// all returns every document q finds, paging through the results as a
// client does, each page continuing after the last.
func (t *tabadul) all(ctx context.Context, q Query) (map[int]bool, error) {
	found := map[int]bool{}
	var after *store.SearchKey
	for {
		res, err := t.searcher.SearchAfter(ctx, viewer, q.String(), after, store.MaxPageSize)
		if err != nil {
			return nil, fmt.Errorf("tabadul: %q: %w", q.String(), err)
		}
		for _, h := range res.Hits {
			i, ok := t.doc[h.Report.ID]
			if !ok {
				return nil, fmt.Errorf("tabadul: a hit %s that is no document of the corpus", h.Report.ID)
			}
			found[i] = true
		}
		if res.Next == nil {
			return found, nil
		}
		after = res.Next
	}
}

// size returns the size on disk of the store and of the part of it that
// is the full-text index. On SQLite: both database files, the store's and
// the search index's beside it, their WALs checkpointed, and the index's
// file. On PostgreSQL: the database and the search table with its
// indexes.
func (t *tabadul) size(ctx context.Context) (total, fts int64, err error) {
	if t.backend == backendPostgres {
		db, err := sql.Open("pgx", t.url)
		if err != nil {
			return 0, 0, fmt.Errorf("tabadul: size: %w", err)
		}
		defer db.Close()
		err = db.QueryRowContext(ctx, `SELECT pg_database_size(current_database()), pg_total_relation_size('search')`).Scan(&total, &fts)
		if err != nil {
			return 0, 0, fmt.Errorf("tabadul: size: %w", err)
		}
		return total, fts, nil
	}
	for _, path := range []string{t.path, t.path + "-search"} {
		n, err := checkpointedSize(ctx, path)
		if err != nil {
			return 0, 0, err
		}
		total += n
		fts = n
	}
	return total, fts, nil
}

// checkpointedSize checkpoints the WAL of the database at path and returns
// the size of its file and of what is left of the WAL.
func checkpointedSize(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("tabadul: size: %w", err)
	}
	defer db.Close()
	var busy, logPages, done int
	if err := db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &done); err != nil {
		return 0, fmt.Errorf("tabadul: checkpoint %s: %w", filepath.Base(path), err)
	}
	if busy != 0 {
		return 0, fmt.Errorf("tabadul: checkpoint %s: busy", filepath.Base(path))
	}
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err == nil {
			total += fi.Size()
		} else if !os.IsNotExist(err) {
			return 0, fmt.Errorf("tabadul: size: %w", err)
		}
	}
	return total, nil
}

// contentWord reports whether Tabadul keeps word, in language l, as one
// token that is not a stop word.
func tabadulContentWord(l, word string) bool {
	an := lang.Analyze(word, l)
	return len(an.Tokens) == 1 && !lang.IsStopWord(an.Tokens[0].Lang, an.Tokens[0].Surface)
}
