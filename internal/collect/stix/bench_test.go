package stix_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/collect/stix/stixgen"
	"github.com/tabadul/tabadul/internal/testkit"
)

var benchObjects = flag.Int("stix.objects", 20000, "objects in the generated bundle of BenchmarkImport")

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop chan struct{}) func() uint64 {
	var peak atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(stop); wg.Wait(); return peak.Load() }
}

// cpuTime is the process's user and system CPU time so far: on a machine
// shared with other work, CPU per object says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImport imports a generated bundle (-stix.objects, default
// 20,000) end to end — checked, mapped, analyzed and indexed (its
// reports), recorded with fsync — next to a bare decode of the same file
// with encoding/json in the same run.
func BenchmarkImport(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bundle.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := stixgen.Write(f, *benchObjects, 1); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(path)
	b.Logf("bundle: %d objects, %.1f MB", *benchObjects, float64(fi.Size())/1e6)

	b.Run("bare-decode", func(b *testing.B) {
		for range b.N {
			runtime.GC()
			done := peakHeap(make(chan struct{}))
			start, cpu := time.Now(), cpuTime()
			f, _ := os.Open(path)
			rd := stix.NewReader(f, 0)
			n := 0
			for {
				_, err := rd.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			f.Close()
			el, cpuEl := time.Since(start), cpuTime()-cpu
			peak := done()
			b.ReportMetric(float64(n)/el.Seconds(), "objects/s")
			b.ReportMetric(float64(cpuEl.Microseconds())/float64(n), "cpu-µs/object")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		}
	})
	b.Run("import", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			fx := newBenchFixture(b)
			runtime.GC()
			b.StartTimer()
			done := peakHeap(make(chan struct{}))
			start, cpu := time.Now(), cpuTime()
			sum, err := fx.im.Import(fx.ctx, testkit.Analyst("IQ"), fileOpener(path), stix.Options{Distribution: center.Distribution{All: true}, DefaultTLP: center.TLPGreen})
			el, cpuEl := time.Since(start), cpuTime()-cpu
			peak := done()
			if err != nil || len(sum.Rejected) > 0 || sum.Imported != *benchObjects {
				b.Fatalf("%+v %v", sum.Imported, err)
			}
			b.ReportMetric(float64(sum.Imported)/el.Seconds(), "objects/s")
			b.ReportMetric(float64(cpuEl.Microseconds())/float64(sum.Imported), "cpu-µs/object")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		}
	})
}
