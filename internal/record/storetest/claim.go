package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testDeliveryClaims: while a delivery is leased to one claimant no other
// claimant's read returns it; the lease ends on the injected clock, or
// when an attempt is recorded, and a claimant that keeps reading keeps
// what it holds; an ordered endpoint's next delivery waits for the one
// leased before it.
func testDeliveryClaims(t *testing.T, f *fixture) {
	f.found()
	ctx := f.ctx
	const lease = time.Minute
	for _, p := range []center.PartyCode{"IQ", "SY", "IR"} {
		e, _, err := f.rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", p == "IR")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	for range 8 {
		f.submit("RU", draft("claimed", center.TLPGreen, all))
	}
	// 8 deliveries each to IQ and SY; IR's endpoint is ordered: one due.
	const wantDue = 17
	claim := func(who string, q store.DueQuery) []store.Delivery {
		t.Helper()
		q.Now = f.clock.Now()
		if q.Limit == 0 {
			q.Limit = 100
		}
		ds, err := f.s.ClaimDueDeliveries(ctx, q, store.Claim{Claimant: who, Lease: lease})
		if err != nil {
			t.Fatalf("%s claims: %v", who, err)
		}
		for _, d := range ds {
			if d.State != store.Pending || d.NextAttempt.After(q.Now) {
				t.Fatalf("%s claimed %+v, not due", who, d)
			}
		}
		return ds
	}
	seqs := func(ds []store.Delivery) []int64 {
		out := make([]int64, len(ds))
		for i, d := range ds {
			out[i] = d.Seq
		}
		slices.Sort(out)
		return out
	}
	if _, err := f.s.ClaimDueDeliveries(ctx, store.DueQuery{Now: f.clock.Now(), Limit: 1}, store.Claim{}); err == nil {
		t.Fatal("a claim without a claimant was accepted")
	}
	due, err := f.s.DueDeliveries(ctx, store.DueQuery{Now: f.clock.Now(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != wantDue {
		t.Fatalf("%d deliveries due, want %d", len(due), wantDue)
	}
	// A claim after a Seq leaves out what comes before it, as a read
	// does. (node-z claims nothing else below.)
	if z := claim("node-z", store.DueQuery{Endpoint: due[0].Endpoint, After: due[len(due)-1].Seq, Limit: 100}); len(z) != 0 {
		t.Fatalf("a claim after the newest due returned %v", seqs(z))
	}
	last := due[len(due)-1]
	if z := claim("node-z", store.DueQuery{AfterDue: last.NextAttempt, After: last.Seq, Limit: 100}); len(z) != 0 {
		t.Fatalf("a claim for all endpoints after the last due returned %v", seqs(z))
	}
	a := claim("node-a", store.DueQuery{Limit: 6})
	if !slices.Equal(seqs(a), seqs(due[:6])) {
		t.Fatalf("node-a claimed %v, want the oldest due %v", seqs(a), seqs(due[:6]))
	}
	b := claim("node-b", store.DueQuery{})
	if len(b) != wantDue-6 || slices.ContainsFunc(b, func(d store.Delivery) bool { return slices.Contains(seqs(a), d.Seq) }) {
		t.Fatalf("node-b claimed %v while node-a holds %v", seqs(b), seqs(a))
	}
	if c := claim("node-c", store.DueQuery{}); len(c) != 0 {
		t.Fatalf("node-c claimed %v, all of them leased", seqs(c))
	}
	if c := claim("node-c", store.DueQuery{Endpoint: a[0].Endpoint}); len(c) != 0 {
		t.Fatalf("node-c claimed %v of one endpoint, all of them leased", seqs(c))
	}
	// The plain read still sees them: it is not a claim.
	if again, _ := f.s.DueDeliveries(ctx, store.DueQuery{Now: f.clock.Now(), Limit: 100}); len(again) != wantDue {
		t.Fatalf("DueDeliveries sees %d of %d leased deliveries", len(again), wantDue)
	}
	// A claimant's own leased deliveries are its own to read again.
	if own := claim("node-b", store.DueQuery{}); !slices.Equal(seqs(own), seqs(b)) {
		t.Fatalf("node-b reads again %v, want its own %v", seqs(own), seqs(b))
	}

	// Recording an attempt ends the lease: a retry due at once goes to
	// whoever claims next.
	now := f.clock.Now()
	retry := a[0]
	if err := f.rec.RecordAttempts(ctx, []record.AttemptResult{{Delivery: retry,
		Attempt: store.Attempt{At: now, Status: 503, Error: "answered 503"}, State: store.Pending, Next: now}}, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	if c := claim("node-c", store.DueQuery{}); !slices.Equal(seqs(c), []int64{retry.Seq}) {
		t.Fatalf("node-c claimed %v after node-a recorded an attempt of %d", seqs(c), retry.Seq)
	}

	// node-a keeps reading, so it keeps the rest; node-b does not, and
	// loses its leases when they expire.
	f.clock.Advance(lease - time.Second)
	if got := claim("node-a", store.DueQuery{SkipDeliveries: seqs(a[1:])}); len(got) != 0 {
		t.Fatalf("node-a claimed %v, all of them leased", seqs(got))
	}
	f.clock.Advance(2 * time.Second)
	// node-c holds the retry it claimed, and now node-b's deliveries.
	c := claim("node-c", store.DueQuery{SkipDeliveries: []int64{retry.Seq}})
	if !slices.Equal(seqs(c), seqs(b)) {
		t.Fatalf("node-c claimed %v once node-b's leases expired, want %v", seqs(c), seqs(b))
	}
	// node-a's renewed leases expire too when it stops reading.
	f.clock.Advance(lease)
	if d := claim("node-d", store.DueQuery{}); len(d) != wantDue {
		t.Fatalf("node-d claimed %d once every lease expired, want %d", len(d), wantDue)
	}

	// Concurrent claimants split the due deliveries between them.
	f.clock.Advance(lease)
	var mu sync.Mutex
	got := map[int64]string{}
	var wg sync.WaitGroup
	for i := range 4 {
		who := string(rune('p' + i))
		wg.Go(func() {
			var held []int64 // as a worker leaves out what it holds
			for {
				ds, err := f.s.ClaimDueDeliveries(ctx, store.DueQuery{Now: f.clock.Now(), SkipDeliveries: held, Limit: 2},
					store.Claim{Claimant: who, Lease: lease})
				if err != nil {
					t.Errorf("%s claims: %v", who, err)
					return
				}
				mu.Lock()
				fresh := 0
				for _, d := range ds {
					if prev, ok := got[d.Seq]; ok && prev != who {
						t.Errorf("delivery %d claimed by %s and %s", d.Seq, prev, who)
					} else if !ok {
						fresh++
					}
					got[d.Seq] = who
					held = append(held, d.Seq)
				}
				mu.Unlock()
				if fresh == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(got) != wantDue {
		t.Fatalf("concurrent claimants took %d deliveries, want %d", len(got), wantDue)
	}
}
