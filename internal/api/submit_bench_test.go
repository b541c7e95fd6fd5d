package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
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
