package storetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testDistribution: endpoints and subscriptions belong to one party and
// are managed only by its officers; every recorded change puts one inbox
// entry per party the oracle lets see it, and one outbox row per matching
// subscription, in the same transaction; no read path shows a party
// another's endpoint, delivery or inbox.
func testDistribution(t *testing.T, f *fixture) {
	f.found()
	ctx := f.ctx
	// Management: officers only, own party only.
	if _, _, err := f.rec.CreateEndpoint(ctx, testkit.Analyst("IQ"), "https://iq.example/hook", "", false); !errors.Is(err, center.ErrForbidden) {
		t.Fatalf("an analyst creates an endpoint: %v", err)
	}
	if _, _, err := f.rec.CreateEndpoint(ctx, testkit.Officer("IQ"), "ftp://iq.example/hook", "", false); !errors.Is(err, center.ErrInvalid) {
		t.Fatalf("an ftp endpoint: %v", err)
	}
	eps := map[center.PartyCode]store.Endpoint{}
	for _, p := range []center.PartyCode{"IQ", "SY", "JO"} {
		e, plain, err := f.rec.CreateEndpoint(ctx, testkit.Officer(p), "https://"+string(p)+".example/hook", "systems", false)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) < 40 || plain[:6] != record.SecretPrefix {
			t.Fatalf("secret %q is not whsec_", plain)
		}
		got, err := f.s.Endpoint(ctx, p, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Sealed at rest, and opens with the center's key to the secret
		// shown once.
		key, err := record.SealKey(ctx, f.s)
		if err != nil || key == nil {
			t.Fatalf("SealKey: %v", err)
		}
		open, err := secret.Unseal(key, got.Secret, []byte(e.ID))
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Secret) == plain || record.SecretPrefix+b64(open) != plain {
			t.Fatal("the stored secret is not the sealed form of the one shown")
		}
		eps[p] = got
	}
	if _, err := f.s.Endpoint(ctx, "SY", eps["IQ"].ID); !errors.Is(err, center.ErrNotFound) {
		t.Fatalf("SY reads IQ's endpoint: %v", err)
	}
	if err := f.rec.DeleteEndpoint(ctx, testkit.Officer("SY"), eps["IQ"].ID); !errors.Is(err, center.ErrNotFound) {
		t.Fatalf("SY deletes IQ's endpoint: %v", err)
	}
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer("SY"), eps["IQ"].ID, store.Filter{}); !errors.Is(err, center.ErrInvalid) {
		t.Fatalf("SY subscribes IQ's endpoint: %v", err)
	}
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer("IQ"), eps["IQ"].ID, store.Filter{TLP: []center.TLP{"PURPLE"}}); !errors.Is(err, center.ErrInvalid) {
		t.Fatalf("a bad TLP in a filter: %v", err)
	}
	subs := map[center.PartyCode]store.Subscription{}
	for p, e := range eps {
		fl := store.Filter{}
		if p == "SY" {
			fl.TLP = []center.TLP{center.TLPGreen}
		}
		s, err := f.rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, fl)
		if err != nil {
			t.Fatal(err)
		}
		subs[p] = s
	}
	if ss, _ := f.s.Subscriptions(ctx, "SY"); len(ss) != 1 || ss[0].ID != subs["SY"].ID || len(ss[0].Filter.TLP) != 1 {
		t.Fatalf("SY's subscriptions: %+v", ss)
	}
	if err := f.rec.DeleteSubscription(ctx, testkit.Officer("JO"), subs["IQ"].ID); !errors.Is(err, center.ErrNotFound) {
		t.Fatalf("JO deletes IQ's subscription: %v", err)
	}

	// The inbox and the outbox follow the oracle.
	dir := testkit.Roster()
	type change struct {
		rep center.Report
		tlp center.TLP
	}
	var changes []change
	cases := []struct {
		src  center.PartyCode
		tlp  center.TLP
		dist center.Distribution
	}{
		{"IQ", center.TLPGreen, all},
		{"SY", center.TLPAmber, toParties("IQ")},
		{"IR", center.TLPRed, toParties("RU")},
		{"RU", center.TLPGreen, center.Distribution{Committee: "regional"}},
		{"JO", center.TLPAmber, toParties("SY")},
	}
	for _, c := range cases {
		changes = append(changes, change{f.submit(c.src, draft("inbox", c.tlp, c.dist)), c.tlp})
	}
	// A failed write leaves no inbox entry or delivery.
	if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft("", center.TLPGreen, all)); err == nil {
		t.Fatal("an empty title was accepted")
	}
	// A revision widening IR's RED report to every member is not allowed
	// (RED needs a list); widen it to IQ instead. Then revoke it.
	rev, err := f.rec.ReviseReport(ctx, testkit.Analyst("IR"), changes[2].rep.ID, draft("inbox 2", center.TLPRed, toParties("RU", "IQ")))
	if err != nil {
		t.Fatal(err)
	}
	changes = append(changes, change{rev, center.TLPRed})
	revoked, err := f.rec.RevokeReport(ctx, testkit.Analyst("IR"), rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	changes = append(changes, change{revoked, center.TLPRed})

	for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"} {
		items, err := f.s.Inbox(ctx, p, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range changes {
			if oracleAudience(dir, c.rep.Source, c.rep.Distribution, p) {
				want = append(want, c.rep.ID)
			}
		}
		var got []string
		for i, it := range items {
			got = append(got, it.Report)
			if it.Party != p || !it.Version.VisibleTo(p) || it.Version.ID != it.Report {
				t.Errorf("%s's inbox holds %+v", p, it.InboxEntry)
			}
			if i > 0 && it.Seq <= items[i-1].Seq {
				t.Errorf("%s's inbox out of order", p)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s's inbox = %v, want %v", p, got, want)
		}
		if len(items) > 1 {
			rest, _ := f.s.Inbox(ctx, p, items[0].Seq, 100)
			if len(rest) != len(items)-1 || rest[0].Seq != items[1].Seq {
				t.Errorf("%s's inbox after %d = %d entries", p, items[0].Seq, len(rest))
			}
		}
		if last, _ := f.s.LastInboxSeq(ctx, p); len(items) > 0 && last != items[len(items)-1].Seq {
			t.Errorf("%s's LastInboxSeq = %d", p, last)
		}
		// Deliveries: one per inbox entry its subscription selects.
		ds, err := f.s.Deliveries(ctx, p, store.DeliveryQuery{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		wantN := 0
		if s, ok := subs[p]; ok {
			for _, c := range changes {
				if oracleAudience(dir, c.rep.Source, c.rep.Distribution, p) && (len(s.Filter.TLP) == 0 || slices.Contains(s.Filter.TLP, c.tlp)) {
					wantN++
				}
			}
		}
		if len(ds) != wantN {
			t.Errorf("%s has %d deliveries, want %d", p, len(ds), wantN)
		}
		for _, d := range ds {
			if d.Party != p || d.State != store.Pending || d.Endpoint != eps[p].ID {
				t.Errorf("%s's delivery list holds %+v", p, d)
			}
			outs, err := f.s.Outbound(ctx, []int64{d.Seq})
			if err != nil || len(outs) != 1 {
				t.Fatalf("Outbound(%d) = %d, %v", d.Seq, len(outs), err)
			}
			out := outs[0]
			if !out.Item.Version.VisibleTo(p) || out.Endpoint.ID != d.Endpoint || out.Delivery.Seq != d.Seq {
				t.Errorf("outbound of %s to %s: %+v", d.ID, p, out.Item.InboxEntry)
			}
		}
	}
	if h, err := f.s.EndpointHealth(ctx, "SY", eps["IQ"].ID); !errors.Is(err, center.ErrNotFound) {
		t.Fatalf("SY reads IQ's endpoint health: %+v, %v", h, err)
	}

	// The worker's reads: due now, and the attempt's outcome.
	due, err := f.s.DueDeliveries(ctx, store.DueQuery{Now: f.clock.Now(), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(due) == 0 {
		t.Fatal("no due deliveries")
	}
	dueFor := func(q store.DueQuery) []store.Delivery {
		t.Helper()
		ds, err := f.s.DueDeliveries(ctx, q)
		if err != nil {
			t.Fatalf("DueDeliveries(%+v): %v", q, err)
		}
		return ds
	}
	if only := dueFor(store.DueQuery{Now: f.clock.Now(), Endpoint: eps["IQ"].ID, Limit: 100}); len(only) == 0 || slices.ContainsFunc(only, func(d store.Delivery) bool { return d.Endpoint != eps["IQ"].ID }) {
		t.Fatalf("DueDeliveries of IQ's endpoint: %d, or another's", len(only))
	}
	if skipped := dueFor(store.DueQuery{Now: f.clock.Now(), SkipEndpoints: []string{eps["IQ"].ID}, Limit: 100}); slices.ContainsFunc(skipped, func(d store.Delivery) bool { return d.Endpoint == eps["IQ"].ID }) {
		t.Fatal("DueDeliveries returned a skipped endpoint's delivery")
	}
	if busy := dueFor(store.DueQuery{Now: f.clock.Now(), SkipDeliveries: []int64{due[0].Seq}, Limit: 100}); len(busy) != len(due)-1 || slices.ContainsFunc(busy, func(d store.Delivery) bool { return d.Seq == due[0].Seq }) {
		t.Fatal("DueDeliveries returned a skipped delivery")
	}
	// After continues past a Seq, for all endpoints and for one.
	for _, q := range []store.DueQuery{{Limit: 100}, {Endpoint: due[0].Endpoint, Limit: 100}} {
		q.Now = f.clock.Now()
		before := dueFor(q)
		if len(before) < 2 {
			t.Fatalf("%d due for %+v: the test needs two", len(before), q)
		}
		q.After = before[0].Seq
		var want []int64
		for _, d := range before {
			if d.Seq > q.After {
				want = append(want, d.Seq)
			}
		}
		var got []int64
		for _, d := range dueFor(q) {
			got = append(got, d.Seq)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("DueDeliveries after %d = %v, want %v", q.After, got, want)
		}
	}
	if later := dueFor(store.DueQuery{Now: f.clock.Now().Add(-time.Hour), Limit: 100}); len(later) != 0 {
		t.Fatalf("%d deliveries due before they were recorded", len(later))
	}
	now := f.clock.Now()
	res := []record.AttemptResult{{Delivery: due[0], Attempt: store.Attempt{At: now, Status: 204, Latency: time.Millisecond}, State: store.Delivered}}
	if len(due) > 1 {
		res = append(res, record.AttemptResult{Delivery: due[1], Attempt: store.Attempt{At: now, Status: 503, Error: "answered 503"}, State: store.Pending, Next: now.Add(time.Hour)})
	}
	if err := f.rec.RecordAttempts(ctx, res, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	if outs, _ := f.s.Outbound(ctx, []int64{due[0].Seq}); len(outs) != 0 {
		t.Fatal("Outbound returned a delivered delivery")
	}
	if len(due) > 2 {
		outs, _ := f.s.Outbound(ctx, []int64{due[2].Seq, due[1].Seq})
		if len(outs) != 2 || outs[0].Delivery.Seq > outs[1].Delivery.Seq {
			t.Fatalf("Outbound of two pending deliveries: %d, not in order", len(outs))
		}
	}
	again := dueFor(store.DueQuery{Now: now, Limit: 100})
	if len(again) != len(due)-len(res) {
		t.Fatalf("%d due after recording %d of %d", len(again), len(res), len(due))
	}
	// AfterDue continues a read for all endpoints from its last row, in its
	// order: the delivery that failed is due again after the others.
	if len(due) > 2 {
		q := store.DueQuery{Now: now.Add(2 * time.Hour), Limit: 100}
		whole := dueFor(q)
		if len(whole) < 3 || whole[len(whole)-1].Seq != due[1].Seq {
			t.Fatalf("due after the retry's time: %d, the retry not last", len(whole))
		}
		var paged []store.Delivery
		for q.Limit = 2; ; {
			page := dueFor(q)
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			last := page[len(page)-1]
			q.AfterDue, q.After = last.NextAttempt, last.Seq
		}
		if !slices.EqualFunc(paged, whole, func(a, b store.Delivery) bool { return a.Seq == b.Seq }) {
			t.Fatalf("due deliveries read by continuation: %d, want the %d of one read in its order", len(paged), len(whole))
		}
	}
	h, err := f.s.EndpointHealth(ctx, due[0].Party, due[0].Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if h.Delivered < 1 || len(h.LastAttempts) == 0 || h.LastAttempts[0].Status == 0 {
		t.Fatalf("health after a receipt: %+v", h)
	}
	// Receipts are logged by the batch: one delivery.receipts event per
	// recorded batch, named by each delivered row, committing to the
	// batch's receipts as the rows keep them.
	f.wantReceipts(due[:1])
	if len(due) > 2 {
		later := f.clock.Advance(time.Second)
		batch := []record.AttemptResult{
			{Delivery: due[2], Attempt: store.Attempt{At: later, Status: 200}, State: store.Delivered},
			{Delivery: due[1], Attempt: store.Attempt{At: later.Add(time.Millisecond), Status: 202}, State: store.Delivered},
		}
		if err := f.rec.RecordAttempts(ctx, batch, record.Breaker{}); err != nil {
			t.Fatal(err)
		}
		f.wantReceipts([]store.Delivery{due[1], due[2]})
		// Its health lists both of due[1]'s attempts, the delivering one
		// first, each once.
		h, err := f.s.EndpointHealth(ctx, due[1].Party, due[1].Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		var got []store.Attempt
		for _, a := range h.LastAttempts {
			if a.Delivery == due[1].ID {
				got = append(got, a)
			}
		}
		if len(got) != 2 || got[0].N != 2 || got[0].Status != 202 || !got[0].At.Equal(later.Add(time.Millisecond)) ||
			got[1].N != 1 || got[1].Status != 503 || got[1].Error != "answered 503" {
			t.Fatalf("attempts of a delivery that failed once, then delivered: %+v", got)
		}
	}
	// Deleting an endpoint dead-letters what is pending for it.
	if err := f.rec.DeleteEndpoint(ctx, testkit.Officer("JO"), eps["JO"].ID); err != nil {
		t.Fatal(err)
	}
	if ds, _ := f.s.Deliveries(ctx, "JO", store.DeliveryQuery{State: store.Pending, Limit: 10}); len(ds) != 0 {
		t.Fatalf("JO has %d pending deliveries to a deleted endpoint", len(ds))
	}
	if es, _ := f.s.Endpoints(ctx, "JO"); len(es) != 0 {
		t.Fatal("a deleted endpoint is listed")
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// wantReceipts checks that the newest event is the delivery.receipts
// event of the deliveries ds, delivered by one batch: each row is
// delivered and names it, its digest commits to their receipts in
// recording order, and each receipt is the row's.
func (f *fixture) wantReceipts(ds []store.Delivery) {
	f.t.Helper()
	ev, _ := f.lastEvent()
	if ev.Type != record.DeliveryReceipts || ev.Subject != record.ReceiptsSubject || ev.Party != "" {
		f.t.Fatalf("last event %s %s by %q, want the batch's receipts", ev.Type, ev.Subject, ev.Party)
	}
	var rs []record.Receipt
	for _, want := range ds {
		got, err := f.s.Deliveries(f.ctx, want.Party, store.DeliveryQuery{State: store.Delivered, Limit: store.MaxPageSize})
		if err != nil {
			f.t.Fatal(err)
		}
		i := slices.IndexFunc(got, func(d store.Delivery) bool { return d.ID == want.ID })
		if i < 0 {
			f.t.Fatalf("delivery %s is not listed as delivered", want.ID)
		}
		d := got[i]
		if d.ReceiptEvent != ev.ID {
			f.t.Fatalf("delivery %s names receipt event %q, want %s", d.ID, d.ReceiptEvent, ev.ID)
		}
		rc, ok := record.ReceiptOf(d)
		if !ok || rc.ID != want.ID || rc.Party != want.Party || rc.Endpoint != want.Endpoint || rc.Report != want.Report ||
			rc.Status < 200 || rc.Status > 299 || !rc.At.Equal(*d.Done) {
			f.t.Fatalf("receipt of %s: %+v (ok %v), delivery %+v", want.ID, rc, ok, want)
		}
		rs = append(rs, rc)
	}
	slices.SortFunc(rs, record.CompareReceipts)
	b, err := json.Marshal(record.ReceiptsContent{Receipts: rs})
	if err != nil {
		f.t.Fatal(err)
	}
	if !bytes.Equal(record.Commitment(ev.Salt, b), ev.Digest) {
		f.t.Fatalf("the receipts event's digest does not commit to its receipts %s", b)
	}
	// A delivery still pending names no receipt.
	pend, err := f.s.Deliveries(f.ctx, ds[0].Party, store.DeliveryQuery{State: store.Pending, Limit: store.MaxPageSize})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, d := range pend {
		if d.ReceiptEvent != "" {
			f.t.Fatalf("pending delivery %s names receipt event %s", d.ID, d.ReceiptEvent)
		}
	}
}
