package distribute_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

var (
	benchReports      = flag.Int("reports", 10_000, "reports BenchmarkDelivery submits in each phase")
	benchPer          = flag.Int("per-endpoint", 16, "BenchmarkDelivery's attempts in flight per endpoint")
	benchDrainProfile = flag.String("drainprofile", "", "BenchmarkDelivery writes a CPU profile of its drain phase here")
	benchBareProfile  = flag.String("bareprofile", "", "BenchmarkDelivery writes a CPU profile of its bare client's phase here")
	benchNoSync       = flag.Bool("nosync", false, "BenchmarkDelivery without fsync: to see what the disk costs")
)

// benchReceiver is an endpoint on the loopback that notes when each
// report arrived.
type benchReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	arrived map[string]time.Time // report id -> first arrival
	n       atomic.Int64
}

func newBenchReceiver(b *testing.B, wall center.Clock, done func()) *benchReceiver {
	r := &benchReceiver{arrived: map[string]time.Time{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		at := wall.Now()
		var p struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		if _, dup := r.arrived[p.Data.ID]; !dup {
			r.arrived[p.Data.ID] = at
			r.mu.Unlock()
			done()
		} else {
			r.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(r.srv.Close)
	return r
}

func (r *benchReceiver) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.arrived = map[string]time.Time{}
}

// percentile returns the p-th percentile of sorted durations.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// cpuTime is the process's user and system CPU time so far: what a phase
// cost, whatever else the machine runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkDelivery: four parties with two endpoints each on the
// loopback, every report shared with every member, so eight signed
// webhooks per report, each receipt recorded through the write path
// (durable SQLite, search index on).
//
//   - live: 10,000 reports are submitted from 16 goroutines while the
//     worker delivers: deliveries/s over the whole run, and each
//     delivery's latency from the start of its report's submission to its
//     arrival (p50, p99);
//
//   - drain: 10,000 more reports wait in the outbox, then the worker runs
//     alone: deliveries/s;
//
//   - bare: a net/http client posts the same 80,000 payloads to the same
//     receivers, as many at a time per endpoint as the worker (16):
//     deliveries/s and request latency.
//
// Each phase also reports the process's CPU time per delivery (the
// receivers' included, in both): on a shared machine the wall-clock rates
// move with the load, what a delivery costs much less; drain/bare-time is
// the drain's time over the bare client's, the ratio the goal is set on.
// drain-written-MB is what the drain passed to write(2), the database's
// pages (WAL) and the requests: it does not move with the load.
//
//	go test -run '^$' -bench Delivery -benchtime 1x ./internal/distribute/
func BenchmarkDelivery(b *testing.B) {
	reports := *benchReports
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	wall := center.SystemClock{}
	for b.Loop() {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "tabadul.db"), sqlite.Options{NoSync: *benchNoSync})
		if err != nil {
			b.Fatal(err)
		}
		rec := record.NewRecorder(st, wall, center.DefaultLimits).IndexWith(analyze.Indexer{})
		if err := rec.Found(ctx, testkit.Charter()); err != nil {
			b.Fatal(err)
		}
		var pending sync.WaitGroup
		var receivers []*benchReceiver
		for _, p := range parties {
			for range 2 {
				rc := newBenchReceiver(b, wall, pending.Done)
				e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), rc.srv.URL, "bench", false)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
					b.Fatal(err)
				}
				receivers = append(receivers, rc)
			}
		}
		w, err := distribute.New(distribute.Config{Store: st, Recorder: rec, Clock: wall,
			Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, PerEndpoint: *benchPer})
		if err != nil {
			b.Fatal(err)
		}
		rec.OnDeliveries(w.Wake)
		wctx, stop := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { w.Run(wctx); close(stopped) }()

		pending.Add(reports * len(receivers))
		var mu sync.Mutex
		submitted := map[string]time.Time{}
		var payloads [][]byte
		submit := func(n int) time.Duration {
			next := atomic.Int64{}
			start := wall.Now()
			var subs sync.WaitGroup
			for g := range 16 {
				subs.Add(1)
				go func() {
					defer subs.Done()
					for i := next.Add(1); i <= int64(n); i = next.Add(1) {
						src := parties[(int(i)+g)%4]
						t0 := wall.Now()
						rep, err := rec.SubmitReport(ctx, testkit.Analyst(src), center.Draft{
							Title: fmt.Sprintf("Report %d on the convoy", i), Body: benchBody, Language: "en",
							TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
						if err != nil {
							b.Error(err)
							return
						}
						pl, _ := json.Marshal(distribute.Payload{Type: store.InboxCreated, Timestamp: rep.Version, Data: rep})
						mu.Lock()
						submitted[rep.ID] = t0
						payloads = append(payloads, pl)
						mu.Unlock()
					}
				}()
			}
			subs.Wait()
			return wall.Now().Sub(start)
		}
		// Live: reports are submitted while the worker delivers them.
		start := wall.Now()
		submitTime := submit(reports)
		pending.Wait()
		elapsed := wall.Now().Sub(start)
		stop()
		<-stopped
		var lat []time.Duration
		for _, rc := range receivers {
			for id, at := range rc.arrived {
				lat = append(lat, at.Sub(submitted[id]))
			}
			rc.reset()
		}
		slices.Sort(lat)
		n := float64(reports * len(receivers))
		b.ReportMetric(n/elapsed.Seconds(), "live-deliveries/s")
		b.ReportMetric(float64(reports)/submitTime.Seconds(), "reports/s")
		b.ReportMetric(ms(percentile(lat, 0.5)), "p50-ms")
		b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")

		// Drain: the same number of reports wait in the outbox; then the
		// worker starts, alone.
		rec.OnDeliveries(nil)
		pending.Add(reports * len(receivers))
		payloads = payloads[:0]
		submit(reports)
		w, err = distribute.New(distribute.Config{Store: st, Recorder: rec, Clock: wall,
			Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}, PerEndpoint: *benchPer})
		if err != nil {
			b.Fatal(err)
		}
		wctx, stop = context.WithCancel(ctx)
		stopped = make(chan struct{})
		if *benchDrainProfile != "" {
			f, err := os.Create(*benchDrainProfile)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(f)
		}
		start = wall.Now()
		cpu0 := cpuTime()
		io0 := ioWritten()
		go func() { w.Run(wctx); close(stopped) }()
		pending.Wait()
		elapsed = wall.Now().Sub(start)
		drainCPU := cpuTime() - cpu0
		drainWritten := ioWritten() - io0
		if *benchDrainProfile != "" {
			pprof.StopCPUProfile()
		}
		stop()
		<-stopped
		for _, rc := range receivers {
			rc.reset()
		}
		b.ReportMetric(n/elapsed.Seconds(), "drain-deliveries/s")
		b.ReportMetric(float64(drainCPU.Microseconds())/n, "drain-cpu-µs/delivery")
		b.ReportMetric(float64(drainWritten)/1e6, "drain-written-MB")
		st.Close()

		// The bare client: the same payloads, the same receivers, the
		// same concurrency per endpoint.
		for _, rc := range receivers {
			rc.reset()
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * *benchPer}}
		pending.Add(reports * len(receivers))
		var blat []time.Duration
		var bmu sync.Mutex
		if *benchBareProfile != "" {
			f, err := os.Create(*benchBareProfile)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(f)
		}
		bstart := wall.Now()
		bcpu0 := cpuTime()
		var posters sync.WaitGroup
		for _, rc := range receivers {
			work := make(chan []byte)
			for range *benchPer {
				posters.Add(1)
				go func() {
					defer posters.Done()
					for pl := range work {
						t0 := wall.Now()
						resp, err := client.Post(rc.srv.URL, "application/json", bytes.NewReader(pl))
						if err != nil {
							b.Error(err)
							pending.Done()
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						d := wall.Now().Sub(t0)
						bmu.Lock()
						blat = append(blat, d)
						bmu.Unlock()
					}
				}()
			}
			go func() {
				for _, pl := range payloads {
					work <- pl
				}
				close(work)
			}()
		}
		posters.Wait()
		pending.Wait()
		belapsed := wall.Now().Sub(bstart)
		bareCPU := cpuTime() - bcpu0
		if *benchBareProfile != "" {
			pprof.StopCPUProfile()
		}
		slices.Sort(blat)
		b.ReportMetric(n/belapsed.Seconds(), "bare-deliveries/s")
		b.ReportMetric(float64(bareCPU.Microseconds())/n, "bare-cpu-µs/delivery")
		b.ReportMetric(elapsed.Seconds()/belapsed.Seconds(), "drain/bare-time")
		b.ReportMetric(ms(percentile(blat, 0.5)), "bare-p50-ms")
		b.ReportMetric(ms(percentile(blat, 0.99)), "bare-p99-ms")
	}
}

const benchBody = "A convoy of twelve lorries was seen on the road north of the river at dawn, " +
	"moving towards the border crossing; the source, a driver at the checkpoint, counted them and " +
	"noted the markings. Reliability of the source is usually good; the report has not been confirmed."

// ioWritten is how many bytes the process has passed to write(2) so far
// (Linux's wchar; 0 elsewhere): the database's writes and the sockets'.
func ioWritten() int64 {
	b, _ := os.ReadFile("/proc/self/io")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
