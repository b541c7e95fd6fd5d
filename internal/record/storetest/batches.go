package storetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// RunBatches checks that the batch methods a backend's Tx may have
// (store.AttemptBatchTx, store.OutboxBatchTx, store.ReportBatchTx) leave what their one-by-one
// counterparts leave: the same work is recorded in two stores from
// newStore, one of them seen by the write path through oneByOne, which
// hides those methods, and the rows are compared.
func RunBatches(t *testing.T, newStore NewStore) {
	t.Run("FinishAttempts", func(t *testing.T) { testFinishAttemptsBatch(t, newStore) })
	t.Run("Outbox", func(t *testing.T) { testOutboxBatch(t, newStore) })
	t.Run("NewReports", func(t *testing.T) { testNewReportsBatch(t, newStore) })
}

// testNewReportsBatch: a batch of new reports (Recorder.SubmitReports,
// more than one statement's chunk of them where a backend chunks) leaves
// every party the reports, versions, inbox entries and deliveries, and
// the log the events, that the same batch leaves written one report at a
// time: in the same order, each report seen only by its audience.
func testNewReportsBatch(t *testing.T, newStore NewStore) {
	dists := []center.Distribution{{All: true}, {Parties: []center.PartyCode{"SY"}}, {Parties: []center.PartyCode{"IR", "RU"}}}
	drafts := make([]center.Draft, 300)
	for i := range drafts {
		drafts[i] = center.Draft{Title: fmt.Sprintf("Report %d", i), Body: "A convoy was seen at dawn.", Language: "en",
			TLP: center.TLPGreen, Distribution: dists[i%len(dists)]}
		if i%4 == 0 {
			drafts[i].Tags = []string{"convoy", fmt.Sprint("t", i%3)}
		}
	}
	run := func(t *testing.T, wrap func(store.Store) store.Store) []string {
		ctx := context.Background()
		s, rec, clock := outbox(t, newStore, wrap, 0)
		clock.Advance(time.Second)
		if _, err := rec.SubmitReports(ctx, testkit.Analyst("IQ"), slices.Clone(drafts)); err != nil {
			t.Fatal(err)
		}
		var out []string
		title := map[string]string{} // report id → title: ids differ from store to store
		for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU"} {
			page, err := s.Reports(ctx, p, store.ReportQuery{Limit: store.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Items {
				title[r.ID] = r.Title
				vs, err := s.Versions(ctx, p, r.ID)
				if err != nil || len(vs) != 1 {
					t.Fatalf("versions of %s: %d, %v", r.ID, len(vs), err)
				}
				out = append(out, fmt.Sprint(p, " reads ", r.Title, " ", r.Source, " ", r.Author, " ", r.TLP, " ", r.Tags, " ", r.Distribution, " ", r.Audience, " ", r.Version.Equal(r.Created)))
			}
			inbox, err := s.Inbox(ctx, p, 0, store.MaxPageSize)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range inbox {
				out = append(out, fmt.Sprint(p, " inbox ", e.Type, " ", e.Version.Title))
			}
			ds, err := s.Deliveries(ctx, p, store.DeliveryQuery{Limit: store.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				out = append(out, fmt.Sprint(p, " delivery ", d.State, " ", title[d.Report]))
			}
		}
		evs, err := s.Events(ctx, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == center.ReportSubmitted {
				out = append(out, fmt.Sprint("event ", e.Party, " ", e.User, " ", title[e.Subject]))
			}
		}
		return out
	}
	batched := run(t, func(s store.Store) store.Store { return s })
	single := run(t, func(s store.Store) store.Store { return oneByOne{s} })
	if len(single) < 2*len(drafts) {
		t.Fatalf("one by one: only %d rows", len(single))
	}
	if !slices.Equal(batched, single) {
		for i := range min(len(batched), len(single)) {
			if batched[i] != single[i] {
				t.Fatalf("row %d: batched %q, one by one %q (%d and %d rows)", i, batched[i], single[i], len(batched), len(single))
			}
		}
		t.Fatalf("batched %d rows, one by one %d", len(batched), len(single))
	}
}

// oneByOne hides the store's batch methods from the write path, which
// then writes outbox rows, attempts and events one statement at a time.
type oneByOne struct{ store.Store }

func (s oneByOne) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(struct{ store.Tx }{tx}) })
}

// founded returns a store from newStore with a center founded in it, seen
// by the write path through wrap, the recorder and its clock.
func founded(t *testing.T, newStore NewStore, wrap func(store.Store) store.Store) (store.Store, *record.Recorder, *testkit.Clock) {
	t.Helper()
	s := newStore(t)
	t.Cleanup(func() { s.Close() })
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(wrap(s), clock, center.DefaultLimits)
	if err := rec.Found(context.Background(), testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	return s, rec, clock
}

// outbox returns a founded store where IQ and SY have an endpoint each,
// subscribed to everything, and IQ submitted n reports shared with all.
func outbox(t *testing.T, newStore NewStore, wrap func(store.Store) store.Store, n int) (store.Store, *record.Recorder, *testkit.Clock) {
	t.Helper()
	s, rec, clock := founded(t, newStore, wrap)
	FillOutbox(t, rec, clock, n)
	return s, rec, clock
}

// FillOutbox gives IQ and SY an endpoint each, subscribed to everything,
// and has IQ submit n reports shared with all, a second apart: each owes
// both a delivery.
func FillOutbox(t testing.TB, rec *record.Recorder, clock *testkit.Clock, n int) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []center.PartyCode{"IQ", "SY"} {
		e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		clock.Advance(time.Second)
		if _, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), center.Draft{Title: fmt.Sprintf("Report %d", i),
			Body: "A convoy was seen at dawn.", Language: "en", TLP: center.TLPGreen,
			Distribution: center.Distribution{All: true}}); err != nil {
			t.Fatal(err)
		}
	}
}

// testFinishAttemptsBatch: recording a batch of attempts with the
// backend's batch statements (store.AttemptBatchTx) leaves the same deliveries,
// attempt rows, breakers and events as recording them one by one, for
// every outcome (receipt, retry, dead letter, and a delivery no longer
// pending) and across the statements' chunks where a backend has them.
func testFinishAttemptsBatch(t *testing.T, newStore NewStore) {
	type outcome struct {
		deliveries []store.Delivery
		attempts   []store.Attempt
		endpoints  []store.Endpoint
		events     []center.Event
	}
	run := func(t *testing.T, wrap func(store.Store) store.Store) outcome {
		ctx := context.Background()
		s, rec, clock := outbox(t, newStore, wrap, 40)
		parties := []center.PartyCode{"IQ", "SY"}
		now := clock.Advance(time.Minute)
		due, err := s.DueDeliveries(ctx, store.DueQuery{Now: now, Limit: 1000})
		if err != nil || len(due) < 80 {
			t.Fatalf("%d due, %v", len(due), err)
		}
		// The first is delivered before the batch, so the batch's result
		// for it is stale.
		first := record.AttemptResult{Delivery: due[0], Attempt: store.Attempt{Delivery: due[0].ID, N: 1, At: now, Status: 200}, State: store.Delivered}
		if err := rec.RecordAttempts(ctx, []record.AttemptResult{first}, record.Breaker{}); err != nil {
			t.Fatal(err)
		}
		var batch []record.AttemptResult
		for i, d := range due {
			r := record.AttemptResult{Delivery: d, Attempt: store.Attempt{Delivery: d.ID, N: d.Attempts + 1, At: now.Add(time.Duration(i) * time.Millisecond),
				Latency: time.Duration(i) * time.Millisecond}}
			switch i % 5 {
			case 1:
				r.State, r.Attempt.Status, r.Attempt.Error, r.Next = store.Pending, 503, "answered 503", now.Add(time.Minute)
			case 2:
				r.State, r.Attempt.Error = store.Dead, "dial: refused"
			default:
				r.State, r.Attempt.Status = store.Delivered, 204
			}
			batch = append(batch, r)
		}
		breaker := record.Breaker{Threshold: 3, Cooldown: func(n int) time.Duration { return time.Duration(n) * time.Second }}
		if err := rec.RecordAttempts(ctx, batch, breaker); err != nil {
			t.Fatal(err)
		}
		var out outcome
		for _, p := range parties {
			ds, err := s.Deliveries(ctx, p, store.DeliveryQuery{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			eps, err := s.Endpoints(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.EndpointHealth(ctx, p, eps[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			out.deliveries = append(out.deliveries, ds...)
			out.attempts = append(out.attempts, h.LastAttempts...)
			out.endpoints = append(out.endpoints, h.Endpoint)
		}
		evs, err := s.Events(ctx, 0, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Type == record.DeliveryReceipts || e.Type == record.DeliveryDead {
				if len(e.Digest) != 32 || len(e.Salt) != 16 || len(e.ID) != len("event--")+36 {
					t.Fatalf("event %+v: not a digest, salt and id", e)
				}
				out.events = append(out.events, e)
			}
		}
		return out
	}
	batched := run(t, func(s store.Store) store.Store { return s })
	single := run(t, func(s store.Store) store.Store { return oneByOne{s} })
	// Ids are random in each store: compare by position.
	if len(batched.deliveries) != len(single.deliveries) || len(batched.attempts) != len(single.attempts) ||
		len(batched.events) != len(single.events) {
		t.Fatalf("batched: %d deliveries, %d attempts, %d events; one by one: %d, %d, %d",
			len(batched.deliveries), len(batched.attempts), len(batched.events),
			len(single.deliveries), len(single.attempts), len(single.events))
	}
	// A delivered row names its receipts' event: the same one, by
	// position, both ways.
	position := func(o outcome, id string) int {
		return slices.IndexFunc(o.events, func(e center.Event) bool { return e.ID == id && e.Type == record.DeliveryReceipts })
	}
	states := map[store.DeliveryState]int{}
	for i, b := range batched.deliveries {
		o := single.deliveries[i]
		states[b.State]++
		if pb, po := position(batched, b.ReceiptEvent), position(single, o.ReceiptEvent); pb != po || (pb >= 0) != (b.State == store.Delivered) {
			t.Errorf("delivery %d (%s) names receipts event %d batched, %d one by one", i, b.State, pb, po)
		}
		b.ID, b.Endpoint, b.Subscription, b.Report, o.ID, o.Endpoint, o.Subscription, o.Report = "", "", "", "", "", "", "", ""
		b.ReceiptEvent, o.ReceiptEvent = "", ""
		if fmt.Sprint(b) != fmt.Sprint(o) {
			t.Errorf("delivery %d:\nbatched    %+v\none by one %+v", i, b, o)
		}
	}
	if states[store.Delivered] == 0 || states[store.Pending] == 0 || states[store.Dead] == 0 {
		t.Fatalf("states %v: the test does not cover every outcome", states)
	}
	for i, b := range batched.attempts {
		o := single.attempts[i]
		b.Delivery, o.Delivery = "", ""
		if b != o {
			t.Errorf("attempt %d:\nbatched    %+v\none by one %+v", i, b, o)
		}
	}
	for i, b := range batched.endpoints {
		o := single.endpoints[i]
		if b.Failures != o.Failures || fmt.Sprint(b.OpenUntil) != fmt.Sprint(o.OpenUntil) {
			t.Errorf("endpoint %d breaker: batched %d %v, one by one %d %v", i, b.Failures, b.OpenUntil, o.Failures, o.OpenUntil)
		}
	}
	for i, b := range batched.events {
		o := single.events[i]
		if b.Type != o.Type || b.Party != o.Party || !b.At.Equal(o.At) || b.Seq != o.Seq {
			t.Errorf("event %d:\nbatched    %+v\none by one %+v", i, b, o)
		}
	}
}

// testOutboxBatch: writing a version's outbox rows with the backend's
// batch statements (store.OutboxBatchTx) leaves the same inbox entries and
// deliveries as writing them one by one, across the statements' chunks (a
// report owes 160 deliveries here) and for each kind of entry (created,
// updated, shared, revoked).
func testOutboxBatch(t *testing.T, newStore NewStore) {
	type outcome struct {
		inbox      []store.InboxItem
		deliveries []store.Delivery
	}
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	run := func(t *testing.T, wrap func(store.Store) store.Store) outcome {
		ctx := context.Background()
		s, rec, clock := founded(t, newStore, wrap)
		for _, p := range parties {
			e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", false)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 40 {
				f := store.Filter{}
				if i%4 == 3 {
					f.TLP = []center.TLP{center.TLPAmber} // matches the revision only
				}
				if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, f); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := range 6 {
			clock.Advance(time.Second)
			rep, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), center.Draft{Title: fmt.Sprintf("Report %d", i),
				Body: "A convoy was seen at dawn.", Language: "en", TLP: center.TLPGreen,
				Distribution: center.Distribution{Parties: []center.PartyCode{"IQ", "SY"}}})
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
			if _, err := rec.ReviseReport(ctx, testkit.Analyst("IQ"), rep.ID, center.Draft{Title: fmt.Sprintf("Report %d, widened", i),
				Body: "A convoy was seen at dawn.", Language: "en", TLP: center.TLPAmber,
				Distribution: center.Distribution{All: true}}); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				clock.Advance(time.Second)
				if _, err := rec.RevokeReport(ctx, testkit.Analyst("IQ"), rep.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		var out outcome
		for _, p := range parties {
			items, err := s.Inbox(ctx, p, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := s.Deliveries(ctx, p, store.DeliveryQuery{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			out.inbox = append(out.inbox, items...)
			out.deliveries = append(out.deliveries, ds...)
		}
		return out
	}
	batched := run(t, func(s store.Store) store.Store { return s })
	single := run(t, func(s store.Store) store.Store { return oneByOne{s} })
	if len(batched.inbox) != len(single.inbox) || len(batched.deliveries) != len(single.deliveries) {
		t.Fatalf("batched: %d inbox entries, %d deliveries; one by one: %d, %d",
			len(batched.inbox), len(batched.deliveries), len(single.inbox), len(single.deliveries))
	}
	types := map[string]int{}
	for i, b := range batched.inbox {
		o := single.inbox[i]
		types[b.Type]++
		if b.Seq != o.Seq || b.Party != o.Party || b.Type != o.Type || b.VersionSeq != o.VersionSeq || !b.At.Equal(o.At) {
			t.Errorf("inbox entry %d:\nbatched    %+v\none by one %+v", i, b.InboxEntry, o.InboxEntry)
		}
	}
	if len(types) != 4 {
		t.Fatalf("inbox types %v: the test does not cover every kind", types)
	}
	// Ids are random in each store: compare by position.
	perWrite := map[time.Time]int{} // each write of the test has its own time
	for i, b := range batched.deliveries {
		o := single.deliveries[i]
		perWrite[b.Created]++
		b.ID, b.Endpoint, b.Subscription, b.Report, o.ID, o.Endpoint, o.Subscription, o.Report = "", "", "", "", "", "", "", ""
		if fmt.Sprint(b) != fmt.Sprint(o) {
			t.Errorf("delivery %d:\nbatched    %+v\none by one %+v", i, b, o)
		}
	}
	// More than a statement of SQLite's takes (128 rows).
	if most := slices.Max(slices.Collect(maps.Values(perWrite))); most <= 128 {
		t.Fatalf("at most %d deliveries for one version: the test does not cross a statement's chunk", most)
	}
}
