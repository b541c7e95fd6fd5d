package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestNodesClaimEachDeliveryOnce: three nodes' stores claim the due
// deliveries of one database at once, as three delivery workers do, and
// record each one's attempt; every delivery is claimed by one node and
// attempted once, and an ordered endpoint's deliveries go one after
// another in order although the nodes race for them.
func TestNodesClaimEachDeliveryOnce(t *testing.T) {
	_, ss := nodes(t, 3)
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	recs := make([]*record.Recorder, len(ss))
	for i, s := range ss {
		recs[i] = record.NewRecorder(s, clock, center.DefaultLimits)
	}
	if err := recs[0].Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	ordered := ""
	for _, p := range []center.PartyCode{"IQ", "SY", "IR"} {
		e, _, err := recs[0].CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", p == "IR")
		if err != nil {
			t.Fatal(err)
		}
		if p == "IR" {
			ordered = e.ID
		}
		if _, err := recs[0].CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	const reports = 60
	for i := range reports {
		d := center.Draft{Title: fmt.Sprintf("claimed %d", i), Body: "b", Language: "en", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
		if _, err := recs[i%len(recs)].SubmitReport(ctx, testkit.Analyst("RU"), d); err != nil {
			t.Fatal(err)
		}
	}
	const want = 3 * reports

	var mu sync.Mutex
	claimedBy := map[int64]int{}
	lastOrdered := int64(0)
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() {
			c := store.Claim{Claimant: fmt.Sprintf("node-%d", i), Lease: time.Minute}
			for idle := 0; idle < 3; {
				ds, err := s.ClaimDueDeliveries(ctx, store.DueQuery{Now: clock.Now(), Limit: 7}, c)
				if err != nil {
					t.Errorf("node %d claims: %v", i, err)
					return
				}
				if len(ds) == 0 {
					idle++ // another node may be recording the ordered one
					time.Sleep(20 * time.Millisecond)
					continue
				}
				idle = 0
				res := make([]record.AttemptResult, len(ds))
				mu.Lock()
				for j, d := range ds {
					if prev, ok := claimedBy[d.Seq]; ok {
						t.Errorf("delivery %d claimed by node %d and node %d", d.Seq, prev, i)
					}
					claimedBy[d.Seq] = i
					if d.Endpoint == ordered {
						if d.Seq < lastOrdered {
							t.Errorf("ordered delivery %d claimed after %d", d.Seq, lastOrdered)
						}
						lastOrdered = d.Seq
					}
					res[j] = record.AttemptResult{Delivery: d, State: store.Delivered,
						Attempt: store.Attempt{At: clock.Now(), Status: 204}}
				}
				mu.Unlock()
				if err := recs[i].RecordAttempts(ctx, res, record.Breaker{}); err != nil {
					t.Errorf("node %d records: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(claimedBy) != want {
		t.Fatalf("%d deliveries claimed, want %d", len(claimedBy), want)
	}
	per := map[int]int{}
	for _, n := range claimedBy {
		per[n]++
	}
	t.Logf("claims per node: %v", per)
	for _, p := range []center.PartyCode{"IQ", "SY", "IR"} {
		ds, err := ss[1].Deliveries(ctx, p, store.DeliveryQuery{Limit: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != reports {
			t.Fatalf("%s has %d deliveries, want %d", p, len(ds), reports)
		}
		for _, d := range ds {
			if d.State != store.Delivered || d.Attempts != 1 {
				t.Errorf("%s's delivery %s: %s after %d attempts, want delivered after 1", p, d.ID, d.State, d.Attempts)
			}
		}
	}
}
