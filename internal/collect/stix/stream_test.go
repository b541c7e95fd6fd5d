package stix_test

import (
	"errors"
	"flag"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/collect/stix/stixgen"
	"github.com/tabadul/tabadul/internal/testkit"
)

// endless yields a prefix, then filler bytes up to n bytes in all, then a
// suffix: a huge input that never exists in memory.
type endless struct {
	prefix, suffix string
	fill           byte
	n, off         int64
}

func (e *endless) Read(p []byte) (int, error) {
	if e.off >= e.n {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && e.off < e.n {
		switch {
		case e.off < int64(len(e.prefix)):
			p[k] = e.prefix[e.off]
		case e.off >= e.n-int64(len(e.suffix)):
			p[k] = e.suffix[e.off-(e.n-int64(len(e.suffix)))]
		default:
			p[k] = e.fill
		}
		k++
		e.off++
	}
	return k, nil
}

// A 2 GB bundle whose one object is 2 GB is refused after reading about
// the size cap, in bounded memory, and records nothing.
func TestHugeObjectIsRefusedStreaming(t *testing.T) {
	f := newFixture(t)
	var src *endless
	open := func() (io.ReadCloser, error) {
		src = &endless{
			prefix: `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"indicator","description":"`,
			suffix: `"}]}`, fill: 'x', n: 2 << 30}
		return io.NopCloser(src), nil
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := f.im.Import(f.ctx, testkit.Analyst("IQ"), open, stix.Options{MaxObjectBytes: 8 << 20})
	if !errors.Is(err, stix.ErrInput) || !strings.Contains(err.Error(), "size cap") {
		t.Fatalf("got %v, want the size cap", err)
	}
	if src.off > 16<<20 {
		t.Errorf("read %d bytes of the 2 GB input before refusing it", src.off)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
		t.Errorf("allocated %d MB refusing it", grew>>20)
	}
}

// A long bundle streams: peak heap stays flat however many objects go
// through.
func TestLongBundleStreamsInBoundedMemory(t *testing.T) {
	peakFor := func(n int) uint64 {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(stixgen.Write(pw, n, 7)) }()
		runtime.GC()
		done := peakHeap(make(chan struct{}))
		rd := stix.NewReader(pr, 0)
		count := 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			count++
		}
		if count != n {
			t.Fatalf("read %d of %d objects", count, n)
		}
		return done()
	}
	small, large := peakFor(10000), peakFor(50000)
	t.Logf("peak heap: %d KiB for 10,000 objects, %d KiB for 50,000", small>>10, large>>10)
	if large > 3*small+(8<<20) {
		t.Errorf("peak heap grows with the bundle: %d KiB → %d KiB", small>>10, large>>10)
	}
}

var streamObjects = flag.Int("stix.stream-objects", 200000, "objects BenchmarkStream reads (7,000,000 is about 2 GB)")

// BenchmarkStream reads a generated bundle of -stix.stream-objects objects
// through the checking pass, never stored anywhere, and reports its size,
// the rate and the peak heap: what a 2 GB import's first pass costs.
func BenchmarkStream(b *testing.B) {
	for range b.N {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(stixgen.Write(pw, *streamObjects, 11)) }()
		runtime.GC()
		done := peakHeap(make(chan struct{}))
		start := time.Now()
		rd := stix.NewReader(pr, 0)
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		el := time.Since(start)
		peak := done()
		b.ReportMetric(float64(rd.BytesRead())/1e6, "MB")
		b.ReportMetric(float64(*streamObjects)/el.Seconds(), "objects/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}
