package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
)

// TestRunLeadingRunsAJobOnOneNode: two nodes on one PostgreSQL database
// run the same job through runLeading; it never runs on both at once, and
// when the node running it stops, the other takes it over.
func TestRunLeadingRunsAJobOnOneNode(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var running, most atomic.Int32
	var started [2]atomic.Bool
	ctxs := make([]context.CancelFunc, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		st, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		nctx, cancel := context.WithCancel(ctx)
		ctxs[i] = cancel
		wg.Go(func() {
			runLeading(nctx, st, "test-job", log, func(jctx context.Context) {
				started[i].Store(true)
				n := running.Add(1)
				if n > most.Load() {
					most.Store(n)
				}
				<-jctx.Done()
				running.Add(-1)
			})
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("a node to run the job", func() bool { return started[0].Load() || started[1].Load() })
	time.Sleep(3 * postgres.LeadPoll) // the other node tries meanwhile
	first := 0
	if started[1].Load() {
		first = 1
	}
	if started[1-first].Load() {
		t.Fatal("both nodes ran the job")
	}
	ctxs[first]()
	waitFor("the other node to take the job over", func() bool { return started[1-first].Load() })
	ctxs[1-first]()
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("the job ran on %d nodes at once", most.Load())
	}
}
