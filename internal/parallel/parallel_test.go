package parallel

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, tt := range []struct {
		n, minShare int
	}{
		{0, 1}, {1, 1}, {2, 1}, {7, 0}, {100, 32}, {1000, 3}, {31, 32},
	} {
		calls := make([]atomic.Int32, tt.n)
		For(tt.n, tt.minShare, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if got := calls[i].Load(); got != 1 {
				t.Errorf("For(%d, %d): index %d called %d times", tt.n, tt.minShare, i, got)
			}
		}
	}
}

// TestForStaysOnTheCallerBelowItsShare: work smaller than minShare does
// not start a goroutine.
func TestForStaysOnTheCallerBelowItsShare(t *testing.T) {
	before := runtime.NumGoroutine()
	most := 0
	For(10, 32, func(int) { most = max(most, runtime.NumGoroutine()) })
	if most > before {
		t.Errorf("10 calls with a share of 32 ran with %d goroutines, %d before", most, before)
	}
}
