package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// indexedCenter is a store whose recorder indexes every report, as
// `tabadul serve` runs it.
type indexedCenter struct {
	t    *testing.T
	path string
	st   *sqlite.Store
	rec  *record.Recorder
	log  bytes.Buffer
}

// openIndexed opens the store at path (founding a center there if it
// holds none) with an indexing recorder.
func openIndexed(t *testing.T, path string) *indexedCenter {
	t.Helper()
	c := &indexedCenter{t: t, path: path}
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true, Logger: slog.New(slog.NewTextHandler(&c.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	checkOnClose(t, st, path)
	c.st = st
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	c.rec = record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if founded, err := c.rec.Founded(context.Background()); err != nil {
		t.Fatal(err)
	} else if !founded {
		if err := c.rec.Found(context.Background(), testkit.Charter()); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *indexedCenter) submit(title string) center.Report {
	c.t.Helper()
	r, err := c.rec.SubmitReport(context.Background(), testkit.Analyst("IQ"),
		center.Draft{Title: title, Body: "تقرير عن " + title, TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// found returns how many reports IQ finds for query.
func (c *indexedCenter) found(query string) int {
	c.t.Helper()
	res, err := analyze.NewSearcher(c.st, nil).Search(context.Background(), "IQ", query, 0, 10)
	if err != nil {
		c.t.Fatalf("search %q: %v", query, err)
	}
	return res.Total
}

func (c *indexedCenter) stale() bool {
	c.t.Helper()
	stale, err := c.rec.IndexStale(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return stale
}

// searchDB opens the index's database beside the store's.
func searchDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"-search?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSearchIndexLevelsOnOpen: a store reopened as it was keeps its index;
// one whose index may have missed a change (its file lost, a batch of
// changes committed to the store but not to the index, another layout)
// gets an empty index marked stale, and Reindex makes every report
// findable again.
func TestSearchIndexLevelsOnOpen(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, path string)
		stale  bool
	}{
		{"reopened", func(*testing.T, string) {}, false},
		{"index file lost", func(t *testing.T, path string) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + "-search" + suffix); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		}, true},
		{"a batch not applied", func(t *testing.T, path string) {
			if _, err := searchDB(t, path).Exec(`UPDATE meta SET value = value - 1 WHERE key = 'index_applied'`); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"another layout", func(t *testing.T, path string) {
			if _, err := searchDB(t, path).Exec(`UPDATE meta SET value = '0' WHERE key = 'schema'`); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tabadul.db")
			c := openIndexed(t, path)
			for _, title := range []string{"قافلة", "مطار", "ميناء"} {
				c.submit(title)
			}
			if n := c.found("قافلة"); n != 1 {
				t.Fatalf("before reopening, found %d", n)
			}
			c.st.Close()
			tc.tamper(t, path)

			c = openIndexed(t, path)
			if got := c.stale(); got != tc.stale {
				t.Fatalf("IndexStale after reopening = %v, want %v", got, tc.stale)
			}
			want := 1
			if tc.stale {
				want = 0 // emptied, not half there
			}
			for _, q := range []string{"قافلة", "مطار", "ميناء"} {
				if n := c.found(q); n != want {
					t.Errorf("after reopening, %s found %d times, want %d", q, n, want)
				}
			}
			if _, err := c.rec.Reindex(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			c.submit("قافلة أخرى")
			if n := c.found("قافلة"); n != 2 || c.stale() {
				t.Errorf("after Reindex, found %d (stale %v), want 2", n, c.stale())
			}
		})
	}
}

// TestSearchIndexFailureKeepsTheReport: when the index cannot be written,
// the report is still recorded and its Update succeeds (it is in the
// store; refusing it would make the client send it again); the failure is
// logged, and the next Open finds the index behind and has it rebuilt.
func TestSearchIndexFailureKeepsTheReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tabadul.db")
	c := openIndexed(t, path)
	c.submit("قافلة")
	if _, err := searchDB(t, path).Exec(`DROP TABLE search`); err != nil {
		t.Fatal(err)
	}
	lost := c.submit("مطار")
	if got, err := c.st.Report(context.Background(), "IQ", lost.ID); err != nil || got.Title != "مطار" {
		t.Fatalf("the report whose indexing failed: %+v, %v", got, err)
	}
	// The failure passes, but the index stays behind: a later batch that
	// could be written is not, or the index would look level.
	if _, err := searchDB(t, path).Exec(`CREATE VIRTUAL TABLE search USING fts5(surface, stems, filters, content = '', contentless_delete = 1, tokenize = 'ascii')`); err != nil {
		t.Fatal(err)
	}
	later := c.submit("ميناء")
	if !strings.Contains(c.log.String(), "search index could not be written") || !strings.Contains(c.log.String(), "no such table") {
		t.Errorf("log: %s", c.log.String())
	}
	c.st.Close()

	c = openIndexed(t, path)
	if !c.stale() {
		t.Fatal("the index missed changes, yet it is not stale")
	}
	if _, err := c.rec.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"قافلة", "مطار", "ميناء"} {
		if n := c.found(q); n != 1 {
			t.Errorf("after Reindex, %s found %d times, want 1", q, n)
		}
	}
	if _, err := c.st.Report(context.Background(), "IQ", later.ID); err != nil {
		t.Error(err)
	}
}

// TestPurgeErasesIndexRows: purging a report takes its versions' rows out
// of the index's database itself, not only out of the results.
func TestPurgeErasesIndexRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tabadul.db")
	c := openIndexed(t, path)
	purged := c.submit("قافلة")
	if _, err := c.rec.ReviseReport(context.Background(), testkit.Analyst("IQ"), purged.ID,
		center.Draft{Title: "قافلة ثانية", Body: "نص", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}); err != nil {
		t.Fatal(err)
	}
	c.submit("مطار")
	rows := func() int {
		var n int
		if err := searchDB(t, path).QueryRow(`SELECT count(*) FROM search_docsize`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n != 3 {
		t.Fatalf("index rows before the purge: %d, want 3", n)
	}
	if err := c.st.Update(context.Background(), func(tx store.Tx) error {
		return tx.PurgeReport(context.Background(), purged.ID, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	}); err != nil {
		t.Fatal(err)
	}
	if n := rows(); n != 1 {
		t.Errorf("index rows after purging a report of two versions: %d, want 1", n)
	}
	if n := c.found("قافلة"); n != 0 {
		t.Errorf("the purged report is found %d times", n)
	}
}

// TestSearchIndexBesideAnotherStore: a store opened while another has the
// same files open (the CLI beside a running server) leaves the index as
// it is even when the counts differ, since they may differ by the other's
// batches in flight; both index what they record, and a store opened
// alone later finds the counts level.
func TestSearchIndexBesideAnotherStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tabadul.db")
	server := openIndexed(t, path)
	server.submit("قافلة")
	db := searchDB(t, path)
	// As if the server had a batch in flight.
	if _, err := db.Exec(`UPDATE meta SET value = value - 1 WHERE key = 'index_applied'`); err != nil {
		t.Fatal(err)
	}
	cli := openIndexed(t, path)
	if n := cli.found("قافلة"); n != 1 || cli.stale() {
		t.Fatalf("a store opened beside another emptied the index: found %d, stale %v", n, cli.stale())
	}
	if _, err := db.Exec(`UPDATE meta SET value = value + 1 WHERE key = 'index_applied'`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, c := range []*indexedCenter{server, cli} {
		wg.Go(func() {
			for range 5 {
				if _, err := c.rec.SubmitReport(context.Background(), testkit.Analyst("IQ"), center.Draft{Title: "مطار", Body: "تقرير",
					TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	cli.st.Close()
	server.st.Close()

	c := openIndexed(t, path)
	if c.stale() {
		t.Fatal("the counts of two stores' batches came apart")
	}
	if n := c.found("مطار"); n != 10 {
		t.Errorf("found %d of the ten reports the two stores recorded", n)
	}
}

// TestRebuildHoldsMergesUntilItsEnd: Reindex turns FTS5's automerge off
// for its batches and on again at its end, whether it ends well or not;
// a store opened alone after a rebuild that never finished (a process
// stopped) turns it on again.
func TestRebuildHoldsMergesUntilItsEnd(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tabadul.db")
	c := openIndexed(t, path)
	for _, title := range []string{"قافلة", "مطار", "ميناء"} {
		c.submit(title)
	}
	db := searchDB(t, path)
	automerge := func() int64 {
		t.Helper()
		var v int64
		if err := db.QueryRow(`SELECT v FROM search_config WHERE k = 'automerge'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := automerge(); got != 16 {
		t.Fatalf("automerge before any rebuild = %d, want 16", got)
	}

	var during []int64
	n, err := c.rec.Reindex(ctx, func(int) { during = append(during, automerge()) })
	if err != nil || n != 3 {
		t.Fatalf("Reindex = %d, %v", n, err)
	}
	if len(during) != 1 || during[0] != 0 {
		t.Errorf("automerge during the rebuild = %v, want [0]", during)
	}
	if got := automerge(); got != 16 {
		t.Errorf("automerge after the rebuild = %d, want 16", got)
	}
	if n := c.found("قافلة"); n != 1 {
		t.Errorf("after the rebuild, found %d, want 1", n)
	}

	// A rebuild that fails after its first batch still turns it on.
	failing, cancel := context.WithCancel(ctx)
	if _, err := c.rec.Reindex(failing, func(int) { cancel() }); err == nil {
		t.Error("Reindex with its context canceled after a batch succeeded")
	}
	if got := automerge(); got != 16 {
		t.Errorf("automerge after a failed rebuild = %d, want 16", got)
	}

	// One that never finished: the next store alone turns it on.
	if err := c.st.StartIndexRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got := automerge(); got != 0 {
		t.Fatalf("automerge after StartIndexRebuild = %d, want 0", got)
	}
	c.st.Close()
	c = openIndexed(t, path)
	if got := automerge(); got != 16 {
		t.Errorf("automerge after reopening = %d, want 16", got)
	}
	if n := c.found("مطار"); n != 1 || c.stale() {
		t.Errorf("after reopening, found %d (stale %v), want 1", n, c.stale())
	}
}
