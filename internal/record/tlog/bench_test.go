package tlog_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

// The benchmarks of BENCHMARKS.md, "Transparency log". They are not run by
// scripts/test.sh.

// benchEvent is an event like the write path's.
func benchEvent(i int, at time.Time) center.Event {
	salt, digest := make([]byte, 16), make([]byte, 32)
	rand.Read(salt)
	rand.Read(digest)
	return center.Event{ID: "event--" + uuid.NewString(), Type: center.ReportSubmitted, Party: "IQ", User: "iq-analyst",
		At: at.Add(time.Duration(i) * time.Microsecond), Subject: "report--" + uuid.NewString(), Digest: digest, Salt: salt}
}

// pendingStore returns a store at path holding n pending events, reopened
// with fsync on.
func pendingStore(b *testing.B, n int) (*sqlite.Store, xtlog.Key) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "tabadul.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for lo := 0; lo < n; lo += 5000 {
		if err := st.Update(ctx, func(tx store.Tx) error {
			for i := lo; i < min(lo+5000, n); i++ {
				if _, err := tx.AppendEvent(ctx, benchEvent(i, at)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	if st, err = sqlite.Open(ctx, path, sqlite.Options{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key, err := xtlog.EnsureKey(ctx, st, "tabadul.bench/log")
	if err != nil {
		b.Fatal(err)
	}
	return st, key
}

// BenchmarkIntegrator sequences b.N pending entries, with fsync, in
// batches of 1, 16 and 256: each batch is one transaction that stores the
// entries' indexes, the tree's new hashes and a signed checkpoint.
func BenchmarkIntegrator(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			st, key := pendingStore(b, b.N)
			in, err := xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: st, Key: key, MaxBatch: batch})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			done := 0
			for done < b.N {
				n, err := in.Step(ctx)
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
			if size, _ := st.LogSize(ctx); size != int64(b.N) {
				b.Fatalf("log size %d, want %d", size, b.N)
			}
		})
	}
}

// BenchmarkHashEntries is the floor under the integrator: encoding each
// entry and its RFC 6962 leaf hash, SHA-256, in memory.
func BenchmarkHashEntries(b *testing.B) {
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	evs := make([]center.Event, 4096)
	for i := range evs {
		evs[i] = benchEvent(i, at)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		e, err := xtlog.EntryOf(evs[i%len(evs)]).Marshal()
		if err != nil {
			b.Fatal(err)
		}
		tlog.RecordHash(e)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
}

// BenchmarkPublishLatency measures, for each report submitted through the
// write path (fsync on), the time until a checkpoint including it is
// published, cosigned by 3 of 4 witnesses running on the loopback, each
// fsync'ing its own state. Submissions arrive every 10 ms from 4 writers.
func BenchmarkPublishLatency(b *testing.B) {
	f := newFixture(b, sqlite.Options{})
	f.witnesses("IQ", "SY", "IR", "RU")
	var mu sync.Mutex
	published := map[int64]time.Time{} // size -> when
	var co *xtlog.Cosigner
	co, err := xtlog.NewCosigner(xtlog.CosignerConfig{Store: f.st, Key: f.key, Clock: f.clock,
		OnPublish: func(cp store.Checkpoint) {
			mu.Lock()
			published[cp.Size] = time.Now()
			mu.Unlock()
		}})
	if err != nil {
		b.Fatal(err)
	}
	in, err := xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: f.st, Key: f.key, OnCheckpoint: func(int64) { co.Notify() }})
	if err != nil {
		b.Fatal(err)
	}
	f.rec.OnEvents(in.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	co.Start(ctx)
	in.Start(ctx)
	defer in.Stop()
	defer co.Stop()

	type sub struct {
		id string
		at time.Time
	}
	subs := make([]sub, b.N)
	b.ResetTimer()
	var wg sync.WaitGroup
	const writers = 4
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += writers {
				start := time.Now()
				rep, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), center.Draft{
					Title: fmt.Sprintf("report %d", i), Body: "body", Language: "en",
					TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
				if err != nil {
					b.Error(err)
					return
				}
				subs[i] = sub{rep.ID, start}
				time.Sleep(10*time.Millisecond*writers - time.Since(start))
			}
		}()
	}
	wg.Wait()
	// Wait for the last to be published.
	deadline := time.Now().Add(30 * time.Second)
	for {
		size, _ := f.st.LogSize(ctx)
		mu.Lock()
		_, ok := published[size]
		mu.Unlock()
		if ok && size > 0 {
			if evs, _ := f.st.Events(ctx, 0, 1<<30); int64(len(evs)) == size {
				break
			}
		}
		if time.Now().After(deadline) {
			b.Fatal("not everything was published within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	mu.Lock()
	sizes := make([]int64, 0, len(published))
	for s := range published {
		sizes = append(sizes, s)
	}
	mu.Unlock()
	slices.Sort(sizes)
	lat := make([]time.Duration, 0, b.N)
	for _, s := range subs {
		evs, err := f.st.SubjectEvents(ctx, s.id)
		if err != nil || len(evs) != 1 {
			b.Fatal(err)
		}
		i, _ := slices.BinarySearch(sizes, evs[0].Index+1)
		lat = append(lat, published[sizes[i]].Sub(s.at))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
