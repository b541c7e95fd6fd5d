package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
	"github.com/tabadul/tabadul/internal/testkit"
)

// newOutbox returns a store (seen by the write path through wrap) where
// IQ and SY have an endpoint each, subscribed to everything, and IQ
// submitted n reports shared with all, and the path of its database.
func newOutbox(t *testing.T, wrap func(store.Store) store.Store, n int) (*sqlite.Store, *record.Recorder, *testkit.Clock, string) {
	s, rec, clock, path := newFounded(t, wrap)
	storetest.FillOutbox(t, rec, clock, n)
	return s, rec, clock, path
}

// newFounded returns a founded center's store (seen by the write path
// through wrap), its recorder and clock, and the path of its database.
func newFounded(t testing.TB, wrap func(store.Store) store.Store) (*sqlite.Store, *record.Recorder, *testkit.Clock, string) {
	path := filepath.Join(t.TempDir(), "tabadul.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	checkOnClose(t, s, path)
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(wrap(s), clock, center.DefaultLimits)
	if err := rec.Found(context.Background(), testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	return s, rec, clock, path
}

// TestDueOutbound: the worker's one read returns what DueDeliveries and
// then Outbound return, for every kind of query (all endpoints, one,
// skip lists, a limit, an ordered endpoint, an open breaker), and marks,
// without its content, a delivery its party may not see.
func TestDueOutbound(t *testing.T) {
	ctx := context.Background()
	s, rec, clock, path := newOutbox(t, func(s store.Store) store.Store { return s }, 12)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := clock.Advance(time.Minute)
	all, err := s.DueDeliveries(ctx, store.DueQuery{Now: now, Limit: 100})
	if err != nil || len(all) != 24 {
		t.Fatalf("%d due, %v", len(all), err)
	}
	// A delivery that failed once and is due again: its attempts and its
	// next attempt come back with it.
	failed := all[7]
	if err := rec.RecordAttempts(ctx, []record.AttemptResult{{Delivery: failed,
		Attempt: store.Attempt{Delivery: failed.ID, N: 1, At: now, Status: 503, Error: "answered 503"},
		State:   store.Pending, Next: now.Add(-time.Second)}}, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	if all, err = s.DueDeliveries(ctx, store.DueQuery{Now: now, Limit: 100}); err != nil || len(all) != 24 {
		t.Fatalf("%d due, %v", len(all), err)
	}
	if !slices.ContainsFunc(all, func(d store.Delivery) bool { return d.Attempts == 1 && d.LastStatus == 503 }) {
		t.Fatal("the failed delivery is not due again")
	}
	// A report revoked: its version reads as revoked, for the deliveries
	// of its creation and of its revocation.
	if _, err := rec.RevokeReport(ctx, testkit.Analyst("IQ"), all[4].Report); err != nil {
		t.Fatal(err)
	}
	var iq, sy []store.Delivery
	for _, d := range all {
		if d.Party == "IQ" {
			iq = append(iq, d)
		} else {
			sy = append(sy, d)
		}
	}
	// The write path never owes a party what it may not see; make one such
	// row by hand.
	outs, err := s.Outbound(ctx, []int64{sy[2].Seq})
	if err != nil || len(outs) != 1 {
		t.Fatalf("outbound: %d, %v", len(outs), err)
	}
	if _, err := db.ExecContext(ctx, `
		UPDATE versions SET audience = (SELECT json_group_array(value) FROM json_each(audience) WHERE value != 'SY')
		WHERE seq = ?`, outs[0].Item.VersionSeq); err != nil {
		t.Fatal(err)
	}
	check := func(name string, q store.DueQuery) {
		t.Helper()
		q.Now = now
		due, err := s.DueDeliveries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		seqs := make([]int64, len(due))
		for i, d := range due {
			seqs[i] = d.Seq
		}
		outs, err := s.Outbound(ctx, seqs)
		if err != nil {
			t.Fatal(err)
		}
		byseq := map[int64]store.Outbound{}
		for _, o := range outs {
			byseq[o.Delivery.Seq] = o
		}
		got, err := s.DueOutbound(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(due) {
			t.Fatalf("%s: %d from DueOutbound, %d due", name, len(got), len(due))
		}
		for i, g := range got {
			if !reflect.DeepEqual(g.Delivery, due[i]) {
				t.Errorf("%s: delivery %d:\n%+v\nwant %+v", name, i, g.Delivery, due[i])
			}
			want, ok := byseq[due[i].Seq]
			switch {
			case g.Sendable != ok:
				t.Errorf("%s: delivery %d sendable %v, Outbound returned it: %v", name, i, g.Sendable, ok)
			case ok && !reflect.DeepEqual(g.Outbound, want):
				t.Errorf("%s: delivery %d:\n%+v\nwant %+v", name, i, g.Outbound, want)
			case !ok && (g.Item.Version.Body != "" || g.Endpoint.Secret != nil):
				t.Errorf("%s: an unsendable delivery carries content", name)
			}
		}
		// Without content: the same, each version's head alone and each
		// delivery without what only its listing shows.
		q.WithoutContent = true
		heads, err := s.DueOutbound(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(heads) != len(got) {
			t.Fatalf("%s, without content: %d, want %d", name, len(heads), len(got))
		}
		for i, h := range heads {
			want := got[i]
			d := &want.Delivery
			d.Subscription, d.LastStatus, d.LastError, d.LastLatency, d.Done, d.ReceiptEvent = "", 0, "", 0, nil, ""
			if want.Sendable {
				v := want.Item.Version
				want.Item.Version = center.Report{Seq: v.Seq, ID: v.ID, Revoked: v.Revoked, Purged: v.Purged}
			}
			if !reflect.DeepEqual(h, want) {
				t.Errorf("%s, without content: delivery %d:\n%+v\nwant %+v", name, i, h, want)
			}
		}
		if name == "all" && !slices.ContainsFunc(heads, func(h store.DueOutbound) bool { return h.Sendable && h.Item.Version.Revoked != nil }) {
			t.Errorf("%s: no revoked version among the due: the test does not cover it", name)
		}
	}
	check("all", store.DueQuery{Limit: 100})
	check("limit", store.DueQuery{Limit: 5})
	check("skip", store.DueQuery{Limit: 100, SkipEndpoints: []string{iq[0].Endpoint}, SkipDeliveries: []int64{sy[0].Seq, sy[5].Seq}})
	check("one endpoint", store.DueQuery{Limit: 100, Endpoint: sy[0].Endpoint, SkipDeliveries: []int64{sy[1].Seq}})
	check("one endpoint, limit", store.DueQuery{Limit: 3, Endpoint: iq[0].Endpoint, SkipDeliveries: []int64{iq[0].Seq}})
	if _, err := db.ExecContext(ctx, `UPDATE endpoints SET ordered = 1 WHERE id = ?`, iq[0].Endpoint); err != nil {
		t.Fatal(err)
	}
	check("ordered", store.DueQuery{Limit: 100})
	check("ordered, one endpoint", store.DueQuery{Limit: 100, Endpoint: iq[0].Endpoint})
	if _, err := db.ExecContext(ctx, `UPDATE endpoints SET open_until = ? WHERE id = ?`, now.Add(time.Hour).UnixMicro(), sy[0].Endpoint); err != nil {
		t.Fatal(err)
	}
	check("breaker open", store.DueQuery{Limit: 100})
	check("breaker open, one endpoint", store.DueQuery{Limit: 100, Endpoint: sy[0].Endpoint})

	// Several endpoints' reads in one: each query's rows, one after the
	// other, as DueOutbound returns them; more queries than one
	// statement takes go in several.
	if _, err := db.ExecContext(ctx, `UPDATE endpoints SET open_until = NULL, ordered = 0`); err != nil {
		t.Fatal(err)
	}
	for _, withoutContent := range []bool{false, true} {
		qs := []store.DueQuery{
			{Endpoint: sy[0].Endpoint, Limit: 4, After: sy[1].Seq, SkipDeliveries: []int64{sy[3].Seq}},
			{Endpoint: iq[0].Endpoint, Limit: 100, SkipDeliveries: []int64{iq[2].Seq}},
			{Endpoint: sy[0].Endpoint, Limit: 2},
		}
		for len(qs) <= 20 {
			qs = append(qs, store.DueQuery{Endpoint: iq[0].Endpoint, Limit: 1 + len(qs)%3, After: iq[len(qs)%len(iq)].Seq})
		}
		var want []store.DueOutbound
		for i := range qs {
			qs[i].Now, qs[i].WithoutContent = now, withoutContent
			got, err := s.DueOutbound(ctx, qs[i])
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, got...)
		}
		got, err := s.DueOutboundEach(ctx, qs)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 20 || !reflect.DeepEqual(got, want) {
			t.Errorf("DueOutboundEach (without content %v): %d rows, want the %d of DueOutbound", withoutContent, len(got), len(want))
		}
	}
	if got, err := s.DueOutboundEach(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("DueOutboundEach of no query: %d rows, %v", len(got), err)
	}
	if _, err := s.DueOutboundEach(ctx, []store.DueQuery{{Now: now, Endpoint: iq[0].Endpoint, Limit: 1}, {Now: now, Limit: 1}}); err == nil {
		t.Error("DueOutboundEach took a query for all endpoints")
	}
}

// TestActiveSubscriptionsFollowChanges: the write path keeps the active
// subscriptions between transactions, and every change reaches the next
// report's deliveries — a new subscription, a deleted one, one made by
// another process on the same database, a deleted endpoint — while a
// subscription whose update was rolled back never does.
func TestActiveSubscriptionsFollowChanges(t *testing.T) {
	ctx := context.Background()
	s, rec, _, path := newOutbox(t, func(s store.Store) store.Store { return s }, 0)
	iq := testkit.Officer("IQ")
	eps, err := s.Endpoints(ctx, "IQ")
	if err != nil || len(eps) != 1 {
		t.Fatalf("%d endpoints, %v", len(eps), err)
	}
	owed := func(step string, want int) {
		t.Helper()
		rep, err := rec.SubmitReport(ctx, testkit.Analyst("SY"), center.Draft{Title: step, Body: "A convoy.", Language: "en",
			TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := s.Deliveries(ctx, "IQ", store.DeliveryQuery{Report: rep.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != want {
			t.Errorf("%s: IQ owed %d deliveries, want %d", step, len(ds), want)
		}
	}
	owed("one subscription", 1)
	second, err := rec.CreateSubscription(ctx, iq, eps[0].ID, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	owed("a second subscription", 2)

	// An update that adds a subscription, reads the active ones (filling
	// the cache) and fails: rolled back, its subscription never counts.
	failed := errors.New("rolled back")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertSubscription(ctx, store.Subscription{ID: "subscription--rolled-back", Party: "IQ",
			Endpoint: eps[0].ID, Created: time.Now()}); err != nil {
			return err
		}
		if subs, err := tx.ActiveSubscriptions(ctx, []center.PartyCode{"IQ"}); err != nil || len(subs) != 3 {
			t.Errorf("inside the update: %d active subscriptions, %v; want 3", len(subs), err)
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("the failing update: %v", err)
	}
	owed("after a rolled-back subscription", 2)

	// Another process deletes one: this one's next report sees it gone.
	other, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	otherRec := record.NewRecorder(other, testkit.NewClock(time.Now()), center.DefaultLimits)
	if err := otherRec.DeleteSubscription(ctx, iq, second.ID); err != nil {
		t.Fatal(err)
	}
	other.Close()
	owed("after another process deleted one", 1)

	if err := rec.DeleteEndpoint(ctx, iq, eps[0].ID); err != nil {
		t.Fatal(err)
	}
	owed("after the endpoint's deletion", 0)
}

// BenchmarkSubmitWithSubscriptions: recording a report when each of the
// four members has 50 subscriptions, each with a filter (sources, TLP,
// tags and a search query), and every report is shared with all: the
// write path reads the active subscriptions for every report.
//
//	go test -run '^$' -bench SubmitWithSubscriptions ./internal/record/sqlite/
func BenchmarkSubmitWithSubscriptions(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rec := record.NewRecorder(s, testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)), center.DefaultLimits)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		b.Fatal(err)
	}
	for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU"} {
		e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", false)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 50 {
			f := store.Filter{Sources: []center.PartyCode{"IQ", "SY"}, TLP: []center.TLP{center.TLPGreen, center.TLPAmber},
				Tags: []string{fmt.Sprint("tag", i)}, Query: fmt.Sprintf("convoy OR قافلة%d", i)}
			if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, f); err != nil {
				b.Fatal(err)
			}
		}
	}
	draft := center.Draft{Title: "Convoy", Body: "A convoy was seen at dawn near the crossing.", Language: "en",
		TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
	b.ResetTimer()
	for b.Loop() {
		if _, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft); err != nil {
			b.Fatal(err)
		}
	}
}

// newBacklog returns a founded store where the four members have two
// endpoints each, subscribed to everything, and reports shared with all
// owe them n deliveries, and the endpoints' ids.
func newBacklog(b *testing.B, n int) (*sqlite.Store, *record.Recorder, *testkit.Clock, []string) {
	ctx := context.Background()
	s, rec, clock, _ := newFounded(b, func(s store.Store) store.Store { return s })
	var eps []string
	for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU"} {
		for range 2 {
			e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "", false)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
				b.Fatal(err)
			}
			eps = append(eps, e.ID)
		}
	}
	drafts := make([]center.Draft, 500)
	for i := range drafts {
		drafts[i] = center.Draft{Title: "Convoy", Body: "A convoy was seen at dawn near the crossing.", Language: "en",
			TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
	}
	for owed := 0; owed < n; owed += len(drafts) * len(eps) {
		if _, err := rec.SubmitReports(ctx, testkit.Analyst("IQ"), drafts); err != nil {
			b.Fatal(err)
		}
	}
	return s, rec, clock, eps
}

// BenchmarkRecordAttempts: recording receipts in batches of 256, as the
// worker does, over 160,000 pending deliveries (no fsync: the statements'
// cost alone).
//
//	go test -run '^$' -bench RecordAttempts -benchtime 500x ./internal/record/sqlite/
func BenchmarkRecordAttempts(b *testing.B) {
	ctx := context.Background()
	s, rec, clock, _ := newBacklog(b, 160_000)
	var due []store.Delivery
	for {
		q := store.DueQuery{Now: clock.Now(), Limit: 10_000}
		if len(due) > 0 {
			q.After = due[len(due)-1].Seq
		}
		got, err := s.DueDeliveries(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		due = append(due, got...)
	}
	const batch = 256
	recorded := 0
	for b.Loop() {
		if recorded+batch > len(due) {
			b.Fatal("the backlog ran out: ask for fewer iterations")
		}
		res := make([]record.AttemptResult, batch)
		for i := range res {
			res[i] = record.AttemptResult{Delivery: due[recorded+i], State: store.Delivered,
				Attempt: store.Attempt{At: clock.Now(), Status: 204, Latency: time.Millisecond}}
		}
		if err := rec.RecordAttempts(ctx, res, record.Breaker{}); err != nil {
			b.Fatal(err)
		}
		recorded += batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(recorded), "µs/delivery")
}

// BenchmarkDueOutboundEach: the worker's read for two endpoints that ran
// low, 40 due deliveries each without content, each read continuing
// where the endpoint's last one stopped, over 160,000 pending deliveries.
//
//	go test -run '^$' -bench DueOutboundEach -benchtime 1000x ./internal/record/sqlite/
func BenchmarkDueOutboundEach(b *testing.B) {
	ctx := context.Background()
	s, _, clock, eps := newBacklog(b, 160_000)
	after := map[string]int64{}
	rows := 0
	for i := 0; b.Loop(); i++ {
		e1, e2 := eps[i%len(eps)], eps[(i+3)%len(eps)]
		outs, err := s.DueOutboundEach(ctx, []store.DueQuery{
			{Now: clock.Now(), Endpoint: e1, After: after[e1], Limit: 40, WithoutContent: true},
			{Now: clock.Now(), Endpoint: e2, After: after[e2], Limit: 40, WithoutContent: true}})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			after[o.Delivery.Endpoint] = o.Delivery.Seq
		}
		rows += len(outs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(rows), "µs/row")
}

// BenchmarkSubmitBatch records batches of 1,000 reports (one
// SubmitReports each, as a bulk import or the search benchmark submits
// them) shared with all, on a store already holding 20,000: the writer's
// cost per report, without analysis or fsync.
//
//	go test -run '^$' -bench SubmitBatch -benchtime 20x ./internal/record/sqlite/
func BenchmarkSubmitBatch(b *testing.B) {
	ctx := context.Background()
	_, rec, _, _ := newFounded(b, func(s store.Store) store.Store { return s })
	drafts := make([]center.Draft, 1000)
	for i := range drafts {
		drafts[i] = center.Draft{Title: fmt.Sprint("Convoy ", i), Language: "en",
			Body: "A convoy was seen at dawn near the crossing, heading north with six trucks and an escort of two armoured vehicles.",
			TLP:  center.TLPGreen, Distribution: center.Distribution{All: true}}
	}
	for range 20 {
		if _, err := rec.SubmitReports(ctx, testkit.Analyst("IQ"), drafts); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := rec.SubmitReports(ctx, testkit.Analyst("IQ"), drafts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(drafts)), "µs/report")
}

// TestInboxSeqsOnlyGrow: the seqs the write path gives inbox rows (the
// consecutive rowids of AppendInboxes' statements) grow with every row,
// across the updates of one commit, an update rolled back among them,
// the parties, and a reopened store, and never repeat.
func TestInboxSeqsOnlyGrow(t *testing.T) {
	ctx := context.Background()
	s, rec, clock, path := newFounded(t, func(s store.Store) store.Store { return s })
	draft := center.Draft{Title: "Convoy", Language: "en", Body: "A convoy was seen at dawn.",
		TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
	var wg sync.WaitGroup
	var audience atomic.Int64 // the inbox rows written
	for i := range 12 {
		wg.Go(func() {
			if i%4 == 3 {
				// Takes seqs, then fails: its savepoint is rolled back.
				err := s.Update(ctx, func(tx store.Tx) error {
					if _, err := tx.AppendInbox(ctx, store.InboxEntry{Party: "IQ", Type: "report.created",
						Report: "report--none", VersionSeq: 1, At: clock.Now()}); err != nil {
						return err
					}
					return errors.New("changed its mind")
				})
				if err == nil {
					t.Error("the failing update succeeded")
				}
				return
			}
			for range 5 {
				rep, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft)
				if err != nil {
					t.Error(err)
				}
				audience.Add(int64(len(rep.Audience)))
			}
		})
	}
	wg.Wait()
	seen := map[int64]center.PartyCode{}
	last := int64(0)
	check := func(s *sqlite.Store, want int) {
		t.Helper()
		n := 0
		for _, party := range testkit.Roster().Parties {
			p := party.Code
			items, err := s.Inbox(ctx, p, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for i, it := range items {
				if i > 0 && it.Seq <= items[i-1].Seq {
					t.Errorf("%s's inbox: seq %d after %d", p, it.Seq, items[i-1].Seq)
				}
				if other, ok := seen[it.Seq]; ok && other != p {
					t.Errorf("seq %d given to %s and to %s", it.Seq, other, p)
				}
				seen[it.Seq] = p
				last = max(last, it.Seq)
				n++
			}
		}
		if n != want {
			t.Errorf("%d inbox rows, want %d", n, want)
		}
	}
	check(s, int(audience.Load()))
	before := last
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	checkOnClose(t, s, path)
	if _, err := record.NewRecorder(s, clock, center.DefaultLimits).SubmitReport(ctx, testkit.Analyst("SY"), draft); err != nil {
		t.Fatal(err)
	}
	items, err := s.Inbox(ctx, "RU", before, 10)
	if err != nil || len(items) != 1 || items[0].Seq <= before {
		t.Fatalf("after reopening, RU's inbox after %d: %+v, %v; want one row after it", before, items, err)
	}
}

// TestBatchDistributesAsOneByOne: a batch of reports (SubmitReports)
// writes the versions, views, tags, inbox entries, deliveries and log
// events that the same reports submitted one by one write, in the same
// order, and indexes them alike: the batch writes each table once for
// all its reports.
func TestBatchDistributesAsOneByOne(t *testing.T) {
	ctx := context.Background()
	drafts := []center.Draft{
		{Title: "one", Body: "a convoy", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}, Tags: []string{"x"}},
		{Title: "two", Body: "a checkpoint", TLP: center.TLPAmber, Distribution: center.Distribution{Parties: []center.PartyCode{"SY"}}},
		{Title: "three", Body: "a crossing", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}},
		{Title: "four", Body: "a bridge", TLP: center.TLPGreen, Distribution: center.Distribution{Parties: []center.PartyCode{"IR", "RU"}}, Tags: []string{"x", "y"}},
	}
	record := func(batch bool) map[string][]string {
		s, rec, _, path := newFounded(t, func(s store.Store) store.Store { return s })
		rec.IndexWith(analyze.Indexer{})
		for _, sub := range []struct {
			party  center.PartyCode
			filter store.Filter
		}{
			{"IQ", store.Filter{}},
			{"SY", store.Filter{Tags: []string{"x"}}},
			{"SY", store.Filter{TLP: []center.TLP{center.TLPAmber}}},
			{"RU", store.Filter{}},
		} {
			e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(sub.party), "https://"+string(sub.party)+".example/hook", "", false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rec.CreateSubscription(ctx, testkit.Officer(sub.party), e.ID, sub.filter); err != nil {
				t.Fatal(err)
			}
		}
		if batch {
			if _, err := rec.SubmitReports(ctx, testkit.Analyst("IQ"), drafts); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, d := range drafts {
				if _, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), d); err != nil {
					t.Fatal(err)
				}
			}
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		read := func(q string) []string {
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var a, b, c string
				if err := rows.Scan(&a, &b, &c); err != nil {
					t.Fatal(err)
				}
				out = append(out, a+" "+b+" "+c)
			}
			return out
		}
		got := map[string][]string{
			"versions": read(`SELECT v.title, r.source || ' ' || v.tlp || ' ' || v.language || ' ' || v.author || ' ' || v.body,
				v.distribution || ' ' || v.tags || ' ' || v.audience || ' ' || (v.version = r.created) FROM versions v JOIN reports r ON r.rid = v.rid ORDER BY v.seq`),
			"views": read(`SELECT p.code, v.title, rv.source || ' ' || rv.tlp || ' ' || rv.language || ' ' || (rv.version = v.version) || ' ' || (rv.rid = v.rid)
				FROM report_views rv JOIN versions v ON v.seq = rv.seq JOIN parties p ON p.num = rv.view >> 40 ORDER BY rv.seq, p.code`),
			"tags":  read(`SELECT t.tag, v.title, '' FROM version_tags t JOIN versions v ON v.seq = t.seq ORDER BY t.seq, t.tag`),
			"inbox": read(`SELECT i.party, i.type, v.title FROM inbox i JOIN versions v ON v.seq = i.version_seq ORDER BY i.seq`),
			"deliveries": read(`SELECT d.party, s.filter, v.title FROM deliveries d JOIN subscriptions s ON s.id = d.subscription
				JOIN inbox i ON i.seq = d.inbox_seq JOIN versions v ON v.seq = i.version_seq ORDER BY d.seq`),
			"events": read(`SELECT e.type, e.party, coalesce(v.title, '') FROM events e
				LEFT JOIN reports r ON r.id = e.subject LEFT JOIN versions v ON v.rid = r.rid WHERE e.type LIKE 'report.%' ORDER BY e.seq`),
		}
		for _, q := range []string{"convoy", "checkpoint", "bridge", "tag:x", "tlp:amber"} {
			for _, p := range []center.PartyCode{"IQ", "SY", "RU"} {
				res, err := analyze.NewSearcher(s, nil).Search(ctx, p, q, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				var titles []string
				for _, h := range res.Hits {
					titles = append(titles, h.Report.Title)
				}
				got["search"] = append(got["search"], fmt.Sprint(p, " ", q, " ", titles))
			}
		}
		return got
	}
	one, batch := record(false), record(true)
	if len(one["versions"]) != 4 || len(one["views"]) != 13 || len(one["tags"]) != 3 || len(one["inbox"]) != 13 || len(one["deliveries"]) != 9 || len(one["events"]) != 4 {
		t.Fatalf("one by one: %d versions, %d views, %d tags, %d inbox entries, %d deliveries, %d events", len(one["versions"]),
			len(one["views"]), len(one["tags"]), len(one["inbox"]), len(one["deliveries"]), len(one["events"]))
	}
	if !slices.Contains(one["search"], "RU tag:x [four one]") || !slices.Contains(one["search"], "SY tlp:amber [two]") {
		t.Fatalf("one by one, searches found %q", one["search"])
	}
	for what, rows := range one {
		if !slices.Equal(rows, batch[what]) {
			t.Errorf("%s one by one:\n%q\nas a batch:\n%q", what, rows, batch[what])
		}
	}
}
