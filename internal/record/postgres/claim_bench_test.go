package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// BenchmarkDeliveryClaims measures what claiming costs the delivery
// worker on PostgreSQL (a durable server on the same machine), without
// HTTP: the worker's read of 512 due deliveries from a backlog of 3,000,
// plain (DueDeliveries, one worker per center) and as a claim
// (ClaimDueDeliveries); and the drain of a backlog of 3,000 — read, then
// record each delivery's receipt through the write path, 64 at a time as
// answers come — by one node and by three nodes claiming at once.
//
//	go test -run '^$' -bench DeliveryClaims -benchtime 20x ./internal/record/postgres/
func BenchmarkDeliveryClaims(b *testing.B) {
	srv, err := pgtest.Start(pgtest.Options{Durable: true})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	open := func(b *testing.B, n int) []*postgres.Store {
		url, err := srv.CreateDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ss := make([]*postgres.Store, n)
		for i := range ss {
			if ss[i], err = postgres.Open(ctx, url, postgres.Options{}); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { ss[i].Close() })
		}
		return ss
	}
	const reports = 1000 // × 3 endpoints
	backlog := func(b *testing.B, s store.Store, rec *record.Recorder, first bool) {
		if first {
			if err := rec.Found(ctx, testkit.Charter()); err != nil {
				b.Fatal(err)
			}
			for _, p := range []center.PartyCode{"IQ", "SY", "IR"} {
				e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", false)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				for i := w; i < reports; i += 16 {
					d := center.Draft{Title: fmt.Sprint("owed ", i), Body: "b", Language: "en", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
					if _, err := rec.SubmitReport(ctx, testkit.Analyst("RU"), d); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}

	reads := []struct {
		name string
		read func(s *postgres.Store) ([]store.Delivery, error)
	}{
		{"read-plain", func(s *postgres.Store) ([]store.Delivery, error) {
			return s.DueDeliveries(ctx, store.DueQuery{Now: clock.Now(), Limit: 512})
		}},
		{"read-claim", func(s *postgres.Store) ([]store.Delivery, error) {
			return s.ClaimDueDeliveries(ctx, store.DueQuery{Now: clock.Now(), Limit: 512}, store.Claim{Claimant: "node", Lease: time.Minute})
		}},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			s := open(b, 1)[0]
			backlog(b, s, record.NewRecorder(s, clock, center.DefaultLimits), true)
			b.ResetTimer()
			for range b.N {
				if ds, err := r.read(s); err != nil || len(ds) != 512 {
					b.Fatalf("%d due, %v", len(ds), err)
				}
			}
		})
	}

	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("drain-%d-node", n), func(b *testing.B) {
			ss := open(b, n)
			recs := make([]*record.Recorder, n)
			for i, s := range ss {
				recs[i] = record.NewRecorder(s, clock, center.DefaultLimits)
			}
			var elapsed time.Duration
			for it := range b.N {
				b.StopTimer()
				backlog(b, ss[0], recs[0], it == 0)
				b.StartTimer()
				start := time.Now()
				var wg sync.WaitGroup
				for i, s := range ss {
					wg.Go(func() {
						c := store.Claim{Claimant: fmt.Sprint("node-", i), Lease: time.Minute}
						for {
							ds, err := s.ClaimDueDeliveries(ctx, store.DueQuery{Now: clock.Now(), Limit: 64}, c)
							if err != nil {
								b.Error(err)
								return
							}
							if len(ds) == 0 {
								return
							}
							res := make([]record.AttemptResult, len(ds))
							for j, d := range ds {
								res[j] = record.AttemptResult{Delivery: d, State: store.Delivered, Attempt: store.Attempt{At: clock.Now(), Status: 204}}
							}
							if err := recs[i].RecordAttempts(ctx, res, record.Breaker{}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(3*reports*b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
