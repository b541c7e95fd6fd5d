package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit: updates queued while the writer is busy go in one
// batch, each caller gets its own outcome, a caller whose context ends
// while the queue is full is told so and nothing of its update runs, and
// after Close updates are refused.
func TestGroupCommit(t *testing.T) {
	errClosed := errors.New("closed")
	entered := make(chan struct{})
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	g := StartGroupCommit(4, errClosed, func(batch []*QueuedUpdate) {
		mu.Lock()
		sizes = append(sizes, len(batch))
		mu.Unlock()
		for _, u := range batch {
			u.Finish(u.Fn(nil))
		}
	})
	ctx := context.Background()
	// hold is an update that keeps the writer busy until release closes.
	hold := func(Tx) error { entered <- struct{}{}; <-release; return nil }
	queued := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); len(g.reqs) < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d updates queued, want %d", len(g.reqs), n)
			}
		}
	}

	held := make(chan error, 1)
	go func() { held <- g.Update(ctx, hold) }()
	<-entered
	got := make([]error, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = g.Update(ctx, func(Tx) error { return fmt.Errorf("u%d", i) }) })
	}
	queued(4)
	// The queue is full: an update whose context has ended is refused
	// without running.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.Update(cancelled, func(Tx) error { t.Error("an update refused at the queue ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("an update whose context ended at a full queue: %v", err)
	}
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Errorf("the first update: %v", err)
	}
	for i, err := range got {
		if want := fmt.Sprintf("u%d", i); err == nil || err.Error() != want {
			t.Errorf("update %d: %v, want its own outcome %s", i, err, want)
		}
	}
	mu.Lock()
	if fmt.Sprint(sizes) != "[1 4]" {
		t.Errorf("batches of %v, want [1 4]: the first alone, then the four queued behind it together", sizes)
	}
	mu.Unlock()

	if !g.Close() {
		t.Error("the first Close reports that it did not close")
	}
	if g.Close() {
		t.Error("the second Close reports that it closed")
	}
	if err := g.Update(ctx, func(Tx) error { t.Error("an update ran after Close"); return nil }); err != errClosed {
		t.Errorf("Update after Close: %v, want %v", err, errClosed)
	}
}
