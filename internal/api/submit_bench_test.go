package api

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// benchClients is how many clients submit at once.
const benchClients = 32

// benchBody is a report of about 1 KB of Arabic text, as the seed's.
func benchBody(i int) []byte {
	d := sampleDraft()
	d["title"] = fmt.Sprintf("تقرير رقم %d", i)
	d["body"] = strings.Repeat("سعت الحكومة العراقية إلى النأي بنفسها عن أي تحالف عسكري جديد لمواجهة داعش. ", 7)
	b, _ := json.Marshal(d)
	return b
}

// BenchmarkSubmit measures report submission over real HTTP on loopback
// with 32 concurrent clients against a durable (fsync'd) SQLite store, next
// to two floors measured in the same run: the same rows inserted into a
// plain SQLite table one fsync'd transaction per row, and in batches of 256
// rows per transaction.
//
//	go test -run '^$' -bench BenchmarkSubmit -benchtime 20000x ./internal/api/
func BenchmarkSubmit(b *testing.B) {
	b.Run("http", benchmarkSubmitHTTP)
	b.Run("http-batch", benchmarkSubmitHTTPBatch)
	b.Run("plain-insert-per-row", func(b *testing.B) { benchmarkPlainInsert(b, 1) })
	b.Run("plain-insert-batched", func(b *testing.B) { benchmarkPlainInsert(b, 256) })
}

// benchmarkSubmitHTTP is benchmarkSubmitNodes with one node: a durable
// SQLite store.
func benchmarkSubmitHTTP(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "tabadul.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkSubmitNodes(b, []store.Store{st})
}

// benchBatch is how many reports a batch of http-batch holds, and
// benchBatchClients how many clients send batches at once: two, so that
// one batch is analyzed while the other is written.
const (
	benchBatch        = 500
	benchBatchClients = 2
)

// benchmarkSubmitHTTPBatch submits the same reports as http, by
// POST /api/v1/reports/batch in batches of benchBatch.
func benchmarkSubmitHTTPBatch(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "tabadul.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rec := record.NewRecorder(st, center.SystemClock{}, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		b.Fatal(err)
	}
	if _, err := rec.CreateUser(ctx, center.User{Username: "iq-analyst", Party: "IQ", Role: center.Analyst}, "", testcenter.CheapHashing); err != nil {
		b.Fatal(err)
	}
	tok, _, err := rec.IssueToken(ctx, "iq-analyst", "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(Config{Store: st, Recorder: rec, Clock: center.SystemClock{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	var batch bytes.Buffer
	batch.WriteString(`{"reports": [`)
	for i := range benchBatch {
		if i > 0 {
			batch.WriteByte(',')
		}
		batch.Write(benchBody(i))
	}
	batch.WriteString(`]}`)
	latencies := make([][]time.Duration, benchBatchClients)
	var next, sent atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range benchBatchClients {
		wg.Go(func() {
			for next.Add(benchBatch)-benchBatch < int64(b.N) {
				took, err := benchPost(hs.Client(), hs.URL+reportsPath+"/batch", tok, batch.Bytes())
				if err != nil {
					b.Error(err)
					return
				}
				latencies[c] = append(latencies[c], took)
				sent.Add(benchBatch)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	// Whole batches: b.N rounded up to one.
	b.ReportMetric(float64(sent.Load())/elapsed.Seconds(), "reports/s")
	lat := slices.Concat(latencies...)
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "batch-p50-ms")
	}
}

// benchPost posts a submission's body to url as the bearer of tok, reads
// the answer, and returns how long that took; an answer other than 201 is
// an error.
func benchPost(client *http.Client, url, tok string, body []byte) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	t0 := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(t0)
	if res.StatusCode != http.StatusCreated {
		return took, fmt.Errorf("status %d", res.StatusCode)
	}
	return took, nil
}

// benchmarkPlainInsert inserts b.N rows shaped like report versions into a
// bare SQLite table with the center's durability settings, batch rows per
// transaction, from the same number of goroutines.
func benchmarkPlainInsert(b *testing.B, batch int) {
	path := filepath.Join(b.TempDir(), "plain.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE plain (id INTEGER PRIMARY KEY, report TEXT, title TEXT, body TEXT, tlp TEXT, tags TEXT, audience TEXT)`); err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("سعت الحكومة العراقية إلى النأي بنفسها عن أي تحالف عسكري جديد لمواجهة داعش. ", 7)
	var next atomic.Int64
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, benchClients)
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				first := next.Add(int64(batch)) - int64(batch)
				if first >= int64(b.N) {
					return
				}
				n := min(int64(batch), int64(b.N)-first)
				t0 := time.Now()
				tx, err := db.Begin()
				if err != nil {
					b.Error(err)
					return
				}
				for i := range n {
					if _, err := tx.Exec(`INSERT INTO plain (report, title, body, tlp, tags, audience) VALUES (?, ?, ?, ?, ?, ?)`,
						center.NewReportID(), fmt.Sprint("تقرير رقم ", first+i), body, "GREEN", `["border","داعش"]`, `["IQ","IR","RU","SY"]`); err != nil {
						b.Error(err)
						return
					}
				}
				if err := tx.Commit(); err != nil {
					b.Error(err)
					return
				}
				latencies[c] = append(latencies[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	reportRates(b, elapsed, slices.Concat(latencies...))
}

// reportRates adds rows/s and the latency percentiles of one operation (a
// request, or a transaction of the plain inserts) to the benchmark's line.
func reportRates(b *testing.B, elapsed time.Duration, lat []time.Duration) {
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reports/s")
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
