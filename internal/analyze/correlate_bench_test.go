package analyze_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/entity"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// The correlation benchmarks run on a generated store of
// TABADUL_BENCH_REPORTS reports (200,000 by default), built once through
// the write path, with extraction, into TABADUL_BENCH_DIR (a temporary
// directory by default; set it to keep the store between runs). Only
// -bench builds it: a plain go test never does.

var (
	benchOnce sync.Once
	benchSt   *sqlite.Store
	benchIDs  []string
	benchErr  error
)

func benchStore(b *testing.B) (*sqlite.Store, []string) {
	b.Helper()
	benchOnce.Do(func() { benchSt, benchIDs, benchErr = buildBenchStore() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSt, benchIDs
}

func buildBenchStore() (*sqlite.Store, []string, error) {
	n := 200_000
	if v := os.Getenv("TABADUL_BENCH_REPORTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return nil, nil, err
		}
	}
	dir := os.Getenv("TABADUL_BENCH_DIR")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "tabadul-correlate-bench-"); err != nil {
			return nil, nil, err
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("correlate-%d.db", n))
	idsPath := path + ".ids"
	ctx := context.Background()
	if ids, err := os.ReadFile(idsPath); err == nil {
		st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
		return st, strings.Fields(string(ids)), err
	}
	os.Remove(path)
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		return nil, nil, err
	}
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	g := analyze.NewRegistry(st)
	rec := record.NewRecorder(st, clock, center.DefaultLimits).ExtractWith(g)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		return nil, nil, err
	}
	es, err := entity.Seed()
	if err != nil {
		return nil, nil, err
	}
	if _, err := rec.SeedEntities(ctx, es); err != nil {
		return nil, nil, err
	}
	var countries []string
	for _, e := range es {
		if len(e.ID) == len("location--IQ") {
			for _, a := range e.Aliases {
				if a.Lang == "en" {
					countries = append(countries, a.Name)
				}
			}
		}
	}
	article, err := os.ReadFile(filepath.Join("..", "demo", "article-ar.txt"))
	if err != nil {
		return nil, nil, err
	}
	words := strings.Fields(string(article))
	members := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"}
	ids := make([]string, n)
	texts := make([]string, n)
	const workers = 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			for i := w; i < n; i += workers {
				var body string
				if i > 1000 && rng.IntN(20) == 0 && texts[i-1000] != "" {
					// A syndicated copy of an earlier report, re-wrapped.
					body = strings.ReplaceAll(texts[i-1000], " ", "\n")
				} else {
					var b strings.Builder
					for range 40 + rng.IntN(60) {
						b.WriteString(words[rng.IntN(len(words))])
						b.WriteByte(' ')
					}
					for range 1 + rng.IntN(3) {
						// Countries by popularity: a few in most reports.
						c := countries[min(len(countries)-1, int(rng.ExpFloat64()*8))]
						b.WriteString(c + " ")
					}
					if rng.IntN(3) == 0 {
						fmt.Fprintf(&b, "hash %032x ", rng.IntN(n/4))
					}
					if rng.IntN(5) == 0 {
						fmt.Fprintf(&b, "c2 10.%d.%d.%d ", rng.IntN(4), rng.IntN(256), rng.IntN(50))
					}
					body = b.String()
				}
				texts[i] = body
				src := members[rng.IntN(len(members))]
				d := center.Distribution{All: true}
				if rng.IntN(2) == 0 {
					var ps []center.PartyCode
					for _, p := range parties {
						if rng.IntN(2) == 0 {
							ps = append(ps, p)
						}
					}
					d = center.Distribution{Parties: ps}
					if len(ps) == 0 {
						d = center.Distribution{All: true}
					}
				}
				r, err := rec.SubmitReport(ctx, testkit.Analyst(src), center.Draft{Title: fmt.Sprintf("report %d", i), Body: body, Language: "en",
					TLP: center.TLPAmber, Distribution: d})
				if err != nil {
					errs <- err
					return
				}
				ids[i] = r.ID
				if i%20000 == 0 {
					fmt.Fprintf(os.Stderr, "correlate bench: %d of %d reports\n", i, n)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(idsPath, []byte(strings.Join(ids, "\n")), 0o644); err != nil {
		return nil, nil, err
	}
	return st, ids, nil
}

// visibleSample returns up to k report ids viewer may see, at random.
func visibleSample(b *testing.B, st store.Reader, ids []string, viewer center.PartyCode, k int) []string {
	rng := rand.New(rand.NewPCG(5, 6))
	var out []string
	for len(out) < k {
		id := ids[rng.IntN(len(ids))]
		if _, err := st.Report(context.Background(), viewer, id); err == nil {
			out = append(out, id)
		} else if !errors.Is(err, center.ErrNotFound) {
			b.Fatal(err)
		}
	}
	return out
}

// percentiles reports the p50 and p99 of the latencies as metrics.
func percentiles(b *testing.B, unit string, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-"+unit)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-"+unit)
}

// threadCPU returns the CPU time the calling OS thread has used. On a
// machine shared with other work, wall-clock latencies measure the queue
// for the CPU as much as the query; a query's own CPU time does not.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs fn for each iteration and reports wall-clock and CPU-time
// percentiles.
func timed(b *testing.B, fn func(i int)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wall, cpu []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start, c0 := time.Now(), threadCPU()
		fn(i)
		wall, cpu = append(wall, time.Since(start)), append(cpu, threadCPU()-c0)
		i++
	}
	percentiles(b, "ms", wall)
	percentiles(b, "cpu-ms", cpu)
}

// BenchmarkRelated is GET /reports/{id}/related's work for IQ, on random
// reports IQ may see.
func BenchmarkRelated(b *testing.B) {
	st, ids := benchStore(b)
	c := analyze.NewCorrelator(st)
	sample := visibleSample(b, st, ids, "IQ", 2000)
	ctx := context.Background()
	timed(b, func(i int) {
		if _, err := c.Related(ctx, "IQ", sample[i%len(sample)], 20); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkDuplicates is GET /reports/{id}/duplicates's work for IQ.
func BenchmarkDuplicates(b *testing.B) {
	st, ids := benchStore(b)
	c := analyze.NewCorrelator(st)
	sample := visibleSample(b, st, ids, "IQ", 2000)
	ctx := context.Background()
	timed(b, func(i int) {
		if _, err := c.Duplicates(ctx, "IQ", sample[i%len(sample)]); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkNearDuplicateLookup is the write path's near-duplicate lookup
// for one new report: its signature's bands looked up and the candidates
// compared, inside a write transaction (rolled back).
func BenchmarkNearDuplicateLookup(b *testing.B) {
	st, ids := benchStore(b)
	ctx := context.Background()
	sample := visibleSample(b, st, ids, "IQ", 500)
	var sigs [][]uint32
	var bands [][]int64
	for _, id := range sample {
		r, _ := st.Report(ctx, "IQ", id)
		s, bs := entity.Signature(lang.Analyze(r.Title+"\n"+r.Body, r.Language).Tokens)
		if s != nil {
			sigs, bands = append(sigs, s), append(bands, bs)
		}
	}
	errDone := errors.New("done")
	b.ResetTimer()
	i := 0
	for b.Loop() {
		k := i % len(sigs)
		err := st.Update(ctx, func(tx store.Tx) error {
			cands, err := tx.DupCandidates(ctx, bands[k], 500)
			if err != nil {
				return err
			}
			n := 0
			for _, c := range cands {
				if store.Similarity(sigs[k], c.Signature) >= store.NearDuplicateThreshold {
					n++
				}
			}
			if n == 0 {
				return errors.New("a report's own signature was not found")
			}
			return errDone
		})
		if !errors.Is(err, errDone) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkEntityPage is GET /entities/{id}'s work for IQ on a common
// country.
func BenchmarkEntityPage(b *testing.B) {
	st, _ := benchStore(b)
	c := analyze.NewCorrelator(st)
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Entity(ctx, "IQ", "IQ", "location--AF"); err != nil {
			b.Fatal(err)
		}
	}
}
