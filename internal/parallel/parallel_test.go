package parallel

import (
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

// TestForStaysOnTheCallerBelowItsShare: work smaller than minShare runs
// on the caller's goroutine: in order, each call over before the next.
func TestForStaysOnTheCallerBelowItsShare(t *testing.T) {
	var order []int
	running := false
	For(10, 32, func(i int) {
		if running {
			t.Errorf("call %d began while another ran", i)
		}
		running = true
		order = append(order, i)
		running = false
	})
	for i, got := range order {
		if got != i {
			t.Fatalf("calls in the order %v; want 0 to 9 in turn", order)
		}
	}
	if len(order) != 10 {
		t.Errorf("%d calls; want 10", len(order))
	}
}
