package distribute_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/distribute/webhook"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

var testStart = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

// receiver is a party's receiving system on the loopback: it verifies
// each webhook with the helper the project ships and counts what it got.
type receiver struct {
	party center.PartyCode
	srv   *httptest.Server
	down  atomic.Bool
	// failAt, if set, is the one request (counted from 1) answered 503.
	failAt   atomic.Int64
	requests atomic.Int64
	mu       sync.Mutex
	got      map[string]distribute.Payload // by webhook-id, after dedup
	copies   int                           // every 2xx-answered POST, duplicates included
	bad      int                           // refused by the verifier
}

func newReceiver(t *testing.T, party center.PartyCode, clock center.Clock) (*receiver, func(secret string)) {
	rc := &receiver{party: party, got: map[string]distribute.Payload{}}
	var h atomic.Pointer[webhook.Receiver]
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc.down.Load() || rc.requests.Add(1) == rc.failAt.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		h.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	setSecret := func(secret string) {
		key, err := webhook.ParseSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		h.Store(&webhook.Receiver{
			Verifier: &webhook.Verifier{Keys: [][]byte{key}, Clock: clock, Seen: &webhook.ReplayCache{}},
			Handle: func(id string, body []byte) error {
				var p distribute.Payload
				if err := json.Unmarshal(body, &p); err != nil {
					return err
				}
				rc.mu.Lock()
				defer rc.mu.Unlock()
				rc.copies++
				if _, dup := rc.got[id]; dup {
					t.Errorf("%s: webhook-id %s handled twice", party, id)
				}
				rc.got[id] = p
				return nil
			},
		})
	}
	return rc, setSecret
}

type fixture struct {
	st    *sqlite.Store
	rec   *record.Recorder
	clock *testkit.Clock
	w     *distribute.Worker
	recv  map[center.PartyCode]*receiver
	eps   map[center.PartyCode]store.Endpoint
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := testkit.NewClock(testStart)
	rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	w, err := distribute.New(distribute.Config{Store: st, Recorder: rec, Clock: clock,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, rec: rec, clock: clock, w: w, recv: map[center.PartyCode]*receiver{}, eps: map[center.PartyCode]store.Endpoint{}}
	for _, p := range testkit.Roster().Parties {
		rc, setSecret := newReceiver(t, p.Code, clock)
		e, secret, err := rec.CreateEndpoint(ctx, testkit.Officer(p.Code), rc.srv.URL+"/hook", "systems of "+string(p.Code), false)
		if err != nil {
			t.Fatal(err)
		}
		setSecret(secret)
		if _, err := rec.CreateSubscription(ctx, testkit.Officer(p.Code), e.ID, store.Filter{}); err != nil {
			t.Fatal(err)
		}
		f.recv[p.Code], f.eps[p.Code] = rc, e
	}
	return f
}

// workerOn returns a worker like the fixture's on st.
func (f *fixture) workerOn(st store.Store) *distribute.Worker {
	w, err := distribute.New(distribute.Config{Store: st, Recorder: f.rec, Clock: f.clock,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		panic(err)
	}
	return w
}

func draft(title string, tlp center.TLP, dist center.Distribution) center.Draft {
	return center.Draft{Title: title, Body: "Body of " + title, Language: "en", TLP: tlp, Distribution: dist}
}

// TestOutageOfSixHours: one party's endpoint is down for six simulated
// hours while reports flow; once it is back, every party has every
// delivery it is owed exactly once per webhook-id, and nothing it may not
// see. It runs with the store's one read of due deliveries and their
// content, and with the two reads every store has.
func TestOutageOfSixHours(t *testing.T) {
	for _, reads := range []string{"one read", "two reads"} {
		t.Run(reads, func(t *testing.T) {
			f := newFixture(t)
			if reads == "two reads" {
				// Hides the store's DueOutbound from the worker.
				f.w = f.workerOn(struct{ store.Store }{f.st})
			}
			outageOfSixHours(t, f)
		})
	}
}

func outageOfSixHours(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.recv["IQ"].down.Store(true)

	// owed counts, per party, the changes it may see: each is one
	// delivery to its one subscription.
	owed := map[center.PartyCode]int{}
	visible := map[center.PartyCode]map[string]bool{}
	note := func(rep center.Report) {
		for _, p := range rep.Audience {
			owed[p]++
			if visible[p] == nil {
				visible[p] = map[string]bool{}
			}
			visible[p][rep.ID] = true
		}
	}
	dists := []struct {
		tlp  center.TLP
		dist center.Distribution
	}{
		{center.TLPGreen, center.Distribution{All: true}},
		{center.TLPAmber, center.Distribution{Parties: []center.PartyCode{"SY"}}},
		{center.TLPAmber, center.Distribution{Committee: "regional"}},
		{center.TLPRed, center.Distribution{Parties: []center.PartyCode{"IR"}}},
	}
	sources := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	var reports []center.Report
	for step := 0; step < 6*60; step++ {
		if step%9 == 0 {
			n := len(reports)
			d := dists[n%len(dists)]
			rep, err := f.rec.SubmitReport(ctx, testkit.Analyst(sources[n%len(sources)]), draft("report "+string(rune('A'+n%26)), d.tlp, d.dist))
			if err != nil {
				t.Fatal(err)
			}
			note(rep)
			reports = append(reports, rep)
		}
		if step%45 == 44 {
			// A revision that widens the distribution to every member,
			// and a revocation.
			prev := reports[len(reports)-3]
			rev, err := f.rec.ReviseReport(ctx, testkit.Analyst(prev.Source), prev.ID, draft(prev.Title+" (widened)", center.TLPGreen, center.Distribution{All: true}))
			if err != nil {
				t.Fatal(err)
			}
			note(rev)
			gone := reports[len(reports)-2]
			revoked, err := f.rec.RevokeReport(ctx, testkit.Analyst(gone.Source), gone.ID)
			if err != nil {
				t.Fatal(err)
			}
			note(revoked)
		}
		if _, err := f.w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
	}
	if n := len(f.recv["IQ"].got); n != 0 {
		t.Fatalf("IQ got %d webhooks while down", n)
	}
	h, err := f.st.EndpointHealth(ctx, "IQ", f.eps["IQ"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if h.Endpoint.Failures < 5 || h.Pending != int64(owed["IQ"]) || h.Dead != 0 {
		t.Fatalf("IQ's health after the outage: failures %d, pending %d (owed %d), dead %d", h.Endpoint.Failures, h.Pending, owed["IQ"], h.Dead)
	}

	f.recv["IQ"].down.Store(false)
	for step := 0; step < 3*60 && f.pending(t) > 0; step++ {
		f.clock.Advance(time.Minute)
		if _, err := f.w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.pending(t); n > 0 {
		t.Fatalf("%d deliveries still pending three hours after the endpoint came back", n)
	}
	f.wantReceived(t, owed)
	for p, rc := range f.recv {
		for id, pl := range rc.got {
			if !visible[p][pl.Data.ID] {
				t.Errorf("%s got %s about report %s, which it may not see", p, id, pl.Data.ID)
			}
		}
		t.Logf("%s: %d webhooks, %d copies answered", p, len(rc.got), rc.copies)
	}
	if owed["JO"] == 0 || owed["IQ"] == 0 {
		t.Fatal("the test shares nothing with JO or IQ; it proves nothing")
	}
	// Every receipt is covered by the transparency log: each delivered
	// delivery names a delivery.receipts event, one per recorded batch,
	// and the log's audit rebuilds each event's receipts from the rows
	// that name it and checks them against its digest.
	events := map[string]center.EventType{}
	for after := int64(0); ; {
		evs, err := f.st.Events(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			events[e.ID] = e.Type
			after = e.Seq
		}
	}
	receipts, batches := 0, map[string]bool{}
	for p := range owed {
		ds, err := f.st.Deliveries(ctx, p, store.DeliveryQuery{State: store.Delivered, Limit: store.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if events[d.ReceiptEvent] != record.DeliveryReceipts {
				t.Errorf("delivery %s names %q, not a receipts event", d.ID, d.ReceiptEvent)
			}
			receipts++
			batches[d.ReceiptEvent] = true
		}
	}
	total := 0
	for _, n := range owed {
		total += n
	}
	if receipts != total {
		t.Errorf("%d receipts, want %d", receipts, total)
	}
	t.Logf("%d receipts logged by %d events", receipts, len(batches))
	rep, err := tlog.Check(ctx, f.st, tlog.CheckOptions{Audit: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("log audit: %s", p)
	}
}

// subscribeOrdered gives the party an ordered endpoint at url, subscribed
// to everything.
func (f *fixture) subscribeOrdered(t *testing.T, party center.PartyCode, url string) {
	t.Helper()
	ctx := context.Background()
	e, _, err := f.rec.CreateEndpoint(ctx, testkit.Officer(party), url, "ordered", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer(party), e.ID, store.Filter{}); err != nil {
		t.Fatal(err)
	}
}

// wantReceived checks that each party's receiver got as many distinct
// webhooks as it is owed.
func (f *fixture) wantReceived(t *testing.T, owed map[center.PartyCode]int) {
	t.Helper()
	for p, rc := range f.recv {
		if len(rc.got) != owed[p] {
			t.Errorf("%s got %d distinct webhooks, owed %d", p, len(rc.got), owed[p])
		}
	}
}

func (f *fixture) pending(t *testing.T) int64 {
	var n int64
	for p, e := range f.eps {
		h, err := f.st.EndpointHealth(context.Background(), p, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		n += h.Pending
	}
	return n
}

// TestHorizonThenRedrive: an endpoint down past the horizon gets its
// deliveries dead-lettered; a redrive by the party's officer sends them.
func TestHorizonThenRedrive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.recv["SY"].down.Store(true)
	rep, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft("to Syria", center.TLPAmber, center.Distribution{Parties: []center.PartyCode{"SY"}}))
	if err != nil {
		t.Fatal(err)
	}
	for range 4 * 24 * 6 { // four days in ten-minute steps
		if _, err := f.w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(10 * time.Minute)
	}
	ds, err := f.st.Deliveries(ctx, "SY", store.DeliveryQuery{Report: rep.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].State != store.Dead || ds[0].Attempts < 5 {
		t.Fatalf("after four days down: %+v", ds)
	}
	// Dead at the horizon, give or take the breaker's hold (at most the
	// longest backoff) and the test's ten-minute steps.
	if d := ds[0]; d.Done.Sub(d.Created) < 72*time.Hour || d.Done.Sub(d.Created) > 73*time.Hour+10*time.Minute {
		t.Errorf("dead-lettered %s after it was recorded; the horizon is 72h", d.Done.Sub(d.Created))
	}
	// Another party cannot redrive it; an analyst of SY may not either.
	if err := f.rec.Redrive(ctx, testkit.Officer("IQ"), ds[0].ID); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("IQ redrives SY's delivery: %v", err)
	}
	if err := f.rec.Redrive(ctx, testkit.Analyst("SY"), ds[0].ID); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("an analyst redrives: %v", err)
	}
	f.recv["SY"].down.Store(false)
	if err := f.rec.Redrive(ctx, testkit.Officer("SY"), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.recv["SY"].got); n != 1 {
		t.Fatalf("SY got %d webhooks after the redrive, want 1", n)
	}
	for _, p := range f.recv["SY"].got {
		if p.Data.ID != rep.ID || p.Type != store.InboxCreated {
			t.Errorf("SY got %s %s", p.Type, p.Data.ID)
		}
	}
}

// TestFilters: a subscription gets only what its filter selects, a search
// query included.
func TestFilters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// RU's systems want only GREEN reports from IQ that mention a drone
	// or a word that starts with quadcop.
	text, where, err := analyze.CompileFilter("drone OR quadcop*")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.rec.DeleteEndpoint(ctx, testkit.Officer("RU"), f.eps["RU"].ID); err != nil {
		t.Fatal(err)
	}
	rc, setSecret := newReceiver(t, "RU", f.clock)
	e2, secret, err := f.rec.CreateEndpoint(ctx, testkit.Officer("RU"), rc.srv.URL+"/filtered", "", false)
	if err != nil {
		t.Fatal(err)
	}
	setSecret(secret)
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer("RU"), e2.ID, store.Filter{
		Sources: []center.PartyCode{"IQ"}, TLP: []center.TLP{center.TLPGreen}, Query: "drone OR quadcop*", Text: text, Where: where}); err != nil {
		t.Fatal(err)
	}
	all := center.Distribution{All: true}
	want := map[string]bool{}
	for _, c := range []struct {
		src   center.PartyCode
		tlp   center.TLP
		title string
		match bool
	}{
		{"IQ", center.TLPGreen, "A drone seen over the river", true},
		{"IQ", center.TLPGreen, "Drones over the border", true},   // the stem matches
		{"IQ", center.TLPGreen, "Quadcopters near the dam", true}, // the prefix matches
		{"IQ", center.TLPGreen, "A quad bike", false},
		{"IQ", center.TLPAmber, "A drone, amber", false},
		{"SY", center.TLPGreen, "A drone from Syria", false},
		{"IQ", center.TLPGreen, "Nothing of interest", false},
	} {
		rep, err := f.rec.SubmitReport(ctx, testkit.Analyst(c.src), draft(c.title, c.tlp, all))
		if err != nil {
			t.Fatal(err)
		}
		if c.match {
			want[rep.ID] = true
		}
	}
	if _, err := f.w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range rc.got {
		got[p.Data.ID] = true
	}
	if len(got) != len(want) {
		t.Fatalf("RU's filtered endpoint got %d reports, want %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Errorf("missing %s", id)
		}
	}
}

// TestOrderedEndpoint: an endpoint that asks for order gets its
// deliveries one at a time, in the order recorded, a failure holding back
// the rest.
func TestOrderedEndpoint(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var mu sync.Mutex
	var seen []int64
	fail := atomic.Int32{}
	fail.Store(2)
	inflight := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if inflight.Add(1) > 1 {
			t.Error("two deliveries in flight to an ordered endpoint")
		}
		defer inflight.Add(-1)
		var p distribute.Payload
		json.NewDecoder(r.Body).Decode(&p)
		if fail.Add(-1) >= 0 {
			http.Error(w, "later", http.StatusServiceUnavailable)
			return
		}
		mu.Lock()
		seen = append(seen, p.EventSeq)
		mu.Unlock()
	}))
	defer srv.Close()
	f.subscribeOrdered(t, "JO", srv.URL)
	for i := range 20 {
		if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft("ordered "+string(rune('a'+i)), center.TLPGreen, center.Distribution{Committee: "regional"})); err != nil {
			t.Fatal(err)
		}
	}
	for range 60 {
		if _, err := f.w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
	}
	if len(seen) != 20 {
		t.Fatalf("ordered endpoint got %d, want 20", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("out of order: %v", seen)
		}
	}
}

// TestSlowEndpointDelaysNoOther: while one party's endpoint holds every
// request it gets, the others get all of theirs.
func TestSlowEndpointDelaysNoOther(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	release := make(chan struct{})
	// held counts the requests the slow endpoint holds now; most, the
	// most it held at once.
	var held, most atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := held.Add(1)
		defer held.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-release:
		case <-r.Context().Done(): // the worker gave up on it
		}
	}))
	defer slow.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	e, _, err := f.rec.CreateEndpoint(ctx, testkit.Officer("SY"), slow.URL, "slow", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer("SY"), e.ID, store.Filter{}); err != nil {
		t.Fatal(err)
	}
	// No attempt times out during the test: a timed-out request may still
	// be held by the server when its retry arrives.
	w, err := distribute.New(distribute.Config{Store: f.st, Recorder: f.rec, Clock: f.clock, Timeout: 5 * time.Minute,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(wctx); close(done) }()
	f.rec.OnDeliveries(w.Wake)
	const n = 100
	for i := range n {
		if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft(fmt.Sprint("report ", i), center.TLPGreen, center.Distribution{All: true})); err != nil {
			t.Fatal(err)
		}
	}
	for tries := 0; ; tries++ {
		f.recv["RU"].mu.Lock()
		got := len(f.recv["RU"].got)
		f.recv["RU"].mu.Unlock()
		if got == n {
			break
		}
		if tries == 2000 { // 20 s
			t.Fatalf("RU got %d of %d while SY's slow endpoint held %d requests", got, n, held.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if m := most.Load(); m == 0 || m > 16 {
		t.Errorf("the slow endpoint held %d requests at once; the limit is 16", m)
	}
	close(release)
	stop()
	<-done
}

// TestAttemptTimeout: an attempt that gets no answer within Timeout fails
// as a failed attempt (the delivery stays pending, its error recorded),
// and the endpoint's next attempts, on the same senders, are bounded
// afresh and go through once it answers.
func TestAttemptTimeout(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var hang atomic.Bool
	hang.Store(true)
	var answered atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so that the server sees the worker hang up
		if hang.Load() {
			<-r.Context().Done() // until the worker gives up
			return
		}
		answered.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	e, _, err := f.rec.CreateEndpoint(ctx, testkit.Officer("SY"), srv.URL, "hangs", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.CreateSubscription(ctx, testkit.Officer("SY"), e.ID, store.Filter{}); err != nil {
		t.Fatal(err)
	}
	w, err := distribute.New(distribute.Config{Store: f.st, Recorder: f.rec, Clock: f.clock, Timeout: 200 * time.Millisecond,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	for i := range n {
		if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft(fmt.Sprint("report ", i), center.TLPGreen, center.Distribution{All: true})); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the drain took %s with a 200 ms timeout", took)
	}
	ds, err := f.st.Deliveries(ctx, "SY", store.DeliveryQuery{Endpoint: e.ID, Limit: 10})
	if err != nil || len(ds) != n {
		t.Fatalf("%d deliveries, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.State != store.Pending || d.Attempts != 1 || d.LastStatus != 0 || !strings.Contains(d.LastError, "context") {
			t.Errorf("after a timeout: %s, %d attempts, status %d, error %q", d.State, d.Attempts, d.LastStatus, d.LastError)
		}
	}
	// Answering now: the retries go through.
	hang.Store(false)
	for tries := 0; answered.Load() < n && tries < 20; tries++ {
		f.clock.Advance(time.Hour)
		if _, err := w.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := answered.Load(); got != n {
		t.Fatalf("%d of %d retries answered", got, n)
	}
	if ds, _ := f.st.Deliveries(ctx, "SY", store.DeliveryQuery{Endpoint: e.ID, State: store.Delivered, Limit: 10}); len(ds) != n {
		t.Fatalf("%d delivered, want %d", len(ds), n)
	}
}

// losingStore is the fixture's store, but the first delivery of the first
// content read stops being pending just before that read, as if another
// worker had delivered it: the race the worker's reads must survive.
type losingStore struct {
	*sqlite.Store
	f     *fixture
	t     *testing.T
	reads [][]int64 // the deliveries each content read asked for
}

func (s *losingStore) Outbound(ctx context.Context, seqs []int64) ([]store.Outbound, error) {
	s.reads = append(s.reads, slices.Clone(seqs))
	if len(s.reads) == 1 {
		for p := range s.f.eps {
			ds, err := s.Store.Deliveries(ctx, p, store.DeliveryQuery{Limit: 100})
			if err != nil {
				s.t.Fatal(err)
			}
			for _, d := range ds {
				if d.Seq == seqs[0] {
					lost := record.AttemptResult{Delivery: d, State: store.Delivered,
						Attempt: store.Attempt{Delivery: d.ID, N: 1, At: s.f.clock.Now(), Status: 204}}
					if err := s.f.rec.RecordAttempts(ctx, []record.AttemptResult{lost}, record.Breaker{}); err != nil {
						s.t.Fatal(err)
					}
				}
			}
		}
	}
	return s.Store.Outbound(ctx, seqs)
}

// TestContentReadOncePerVersion: a new version owed to every endpoint is
// read whole once, not once per endpoint, and shared; when the delivery
// it was read with is no longer pending, the others still get it.
func TestContentReadOncePerVersion(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ls := &losingStore{Store: f.st, f: f, t: t}
	w := f.workerOn(ls)
	rep, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft("owed to all", center.TLPGreen, center.Distribution{All: true}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	// The first read asked for one delivery of the version; it came back
	// empty, so the second asked for the next one.
	if len(ls.reads) != 2 || len(ls.reads[0]) != 1 || len(ls.reads[1]) != 1 {
		t.Fatalf("content reads %v: want two of one delivery each", ls.reads)
	}
	var got, dead int
	for p, rc := range f.recv {
		rc.mu.Lock()
		for _, pl := range rc.got {
			if pl.Data.ID != rep.ID || pl.Data.Body != rep.Body {
				t.Errorf("%s got %+v, want the report's content", p, pl.Data)
			}
			got++
		}
		rc.mu.Unlock()
		ds, err := f.st.Deliveries(ctx, p, store.DeliveryQuery{State: store.Dead, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		dead += len(ds)
	}
	// The four members are owed it (the associate JO is not); one of their
	// deliveries went to the other worker.
	if got != 3 || dead != 0 {
		t.Errorf("%d webhooks received, %d dead letters; want 3 and none", got, dead)
	}
	if n := len(f.recv["JO"].got); n != 0 {
		t.Errorf("JO, outside the distribution, received %d webhooks", n)
	}
}

// readsStore notes the due reads for all endpoints a worker makes.
type readsStore struct {
	*sqlite.Store
	mu    sync.Mutex
	reads []store.DueQuery
}

func (s *readsStore) DueOutbound(ctx context.Context, q store.DueQuery) ([]store.DueOutbound, error) {
	if q.Endpoint == "" {
		s.mu.Lock()
		s.reads = append(s.reads, q)
		s.mu.Unlock()
	}
	return s.Store.DueOutbound(ctx, q)
}

// TestReadsContinueWhereTheyStopped: a backlog larger than what a read
// for all endpoints takes is read in several, each continuing after the
// last row of the one before instead of naming what the worker holds. An
// endpoint that fails once makes the next read start over, since the
// deliveries to it that the worker dropped lie behind: one pass delivers
// everything but the attempt that failed, and every delivery arrives
// once.
func TestReadsContinueWhereTheyStopped(t *testing.T) {
	for _, c := range []struct{ concurrency, perEndpoint, failAt int }{
		{4, 1, 3}, {4, 4, 1}, {4, 4, 2}, {8, 2, 2}, {4, 2, 1}, {2, 4, 1}, {6, 4, 3},
	} {
		t.Run(fmt.Sprintf("%d in all, %d an endpoint, attempt %d fails", c.concurrency, c.perEndpoint, c.failAt), func(t *testing.T) {
			readsContinueWhereTheyStopped(t, c.concurrency, c.perEndpoint, c.failAt)
		})
	}
}

func readsContinueWhereTheyStopped(t *testing.T, concurrency, perEndpoint, failAt int) {
	ctx := context.Background()
	f := newFixture(t)
	rs := &readsStore{Store: f.st}
	w, err := distribute.New(distribute.Config{Store: rs, Recorder: f.rec, Clock: f.clock, Concurrency: concurrency, PerEndpoint: perEndpoint,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	owed := map[center.PartyCode]int{}
	for i := range 40 {
		rep, err := f.rec.SubmitReport(ctx, testkit.Analyst("SY"), draft(fmt.Sprint("report ", i), center.TLPGreen, center.Distribution{All: true}))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Audience {
			owed[p]++
		}
		f.clock.Advance(time.Millisecond)
	}
	f.recv["IQ"].failAt.Store(int64(failAt))
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.pending(t); n != 1 {
		t.Fatalf("%d deliveries pending after one pass, want the one whose attempt failed", n)
	}
	f.clock.Advance(time.Hour)
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.pending(t); n > 0 {
		t.Fatalf("%d deliveries still pending", n)
	}
	f.wantReceived(t, owed)
	var continued, restarted int
	for i, q := range rs.reads {
		switch {
		case !q.AfterDue.IsZero():
			continued++
		case i > 0:
			restarted++
		}
	}
	if continued == 0 || restarted == 0 {
		t.Errorf("%d reads for all endpoints: %d continued, %d started over; want some of each", len(rs.reads), continued, restarted)
	}
}

// TestOrderedEndpointInABacklog: an ordered endpoint's next delivery
// becomes sendable only once the one before it is answered, behind where
// the worker's reads for all endpoints have gone on to; one pass over a
// backlog larger than those reads still delivers all of it, in order.
func TestOrderedEndpointInABacklog(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	w, err := distribute.New(distribute.Config{Store: f.st, Recorder: f.rec, Clock: f.clock, Concurrency: 4, PerEndpoint: 2,
		Guard: distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p distribute.Payload
		json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		seen = append(seen, p.EventSeq)
		mu.Unlock()
	}))
	defer srv.Close()
	f.subscribeOrdered(t, "SY", srv.URL)
	for i := range 30 {
		if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("IQ"), draft(fmt.Sprint("report ", i), center.TLPGreen, center.Distribution{All: true})); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Millisecond)
	}
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.pending(t); n > 0 {
		t.Errorf("%d deliveries to the other endpoints still pending after one pass", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 30 || !slices.IsSorted(seen) {
		t.Fatalf("the ordered endpoint got %d of 30 in one pass, in order: %v", len(seen), slices.IsSorted(seen))
	}
}
