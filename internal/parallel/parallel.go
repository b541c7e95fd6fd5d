// Package parallel spreads independent CPU-bound work over the cores:
// analyzing a batch of reports, cutting a page's snippets.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls fn(i) for every i in [0, n), on as many goroutines as there
// are cores but no more than one per minShare calls, so that a small n
// runs on the caller's goroutine alone rather than paying for goroutines
// it cannot use. It returns when every call has returned. The calls must
// be independent: they run in no particular order.
func For(n, minShare int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if minShare > 0 {
		workers = min(workers, n/minShare)
	}
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}
