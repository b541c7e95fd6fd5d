package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// newDistributionCenter is a test center whose server lets endpoints on
// the loopback (the operator's allow-list), wakes streams on every change,
// and has an officer for SY too.
func newDistributionCenter(t *testing.T, sc StreamConfig) *testCenter {
	c := newTestCenter(t)
	ctx := context.Background()
	if _, err := c.Recorder.CreateUser(ctx, center.User{Username: "sy-officer", Party: "SY", Role: center.Officer}, "", testcenter.CheapHashing); err != nil {
		t.Fatal(err)
	}
	tok, _, err := c.Recorder.IssueToken(ctx, "sy-officer", "test", 0)
	if err != nil {
		t.Fatal(err)
	}
	c.tokens["sy-officer"] = tok
	changes := &distribute.Broadcast{}
	c.Recorder.OnDeliveries(changes.Notify)
	c.server, err = New(Config{Store: c.Store, Recorder: c.Recorder, Clock: c.Clock, Logger: c.server.log, Version: "test",
		Guard:   distribute.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		Changes: changes, Stream: sc})
	if err != nil {
		t.Fatal(err)
	}
	c.http.Close()
	c.http = httptest.NewServer(c.server.Handler())
	t.Cleanup(c.http.Close)
	c.client = c.http.Client()
	return c
}

type createdEndpoint struct {
	ID       string       `json:"id"`
	Secret   string       `json:"secret"`
	Endpoint endpointView `json:"endpoint"`
}

func TestEndpointsAndSubscriptions(t *testing.T) {
	c := newDistributionCenter(t, StreamConfig{})
	officer, analyst := c.token("iq-officer"), c.token("iq-analyst")
	body := map[string]any{"url": "http://127.0.0.1:9/hook", "description": "IQ's systems"}

	c.do("POST", endpointsPath, analyst, body).want(t, http.StatusForbidden)
	for _, u := range []string{"http://10.0.0.8/hook", "http://169.254.169.254/latest", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/"} {
		p := c.do("POST", endpointsPath, officer, map[string]any{"url": u}).want(t, http.StatusUnprocessableEntity).problem(t)
		if len(p.Errors) == 0 || p.Errors[0].Location != "body.url" {
			t.Errorf("%s: problem %+v", u, p)
		}
	}
	var ep createdEndpoint
	r := c.do("POST", endpointsPath, officer, body).want(t, http.StatusCreated)
	r.decode(t, &ep)
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.ID == "" || ep.Endpoint.URL != body["url"] {
		t.Fatalf("created %+v", ep)
	}
	// The secret is never shown again, and never logged.
	for _, path := range []string{endpointsPath, endpointsPath + "/" + ep.ID + "/health"} {
		got := c.do("GET", path, analyst, nil).want(t, http.StatusOK)
		if strings.Contains(string(got.body), ep.Secret) || strings.Contains(string(got.body), "whsec_") {
			t.Errorf("GET %s shows the secret", path)
		}
	}
	var rotated createdEndpoint
	c.do("POST", endpointsPath+"/"+ep.ID+"/rotate", officer, map[string]any{"overlap_seconds": 3600}).want(t, http.StatusOK).decode(t, &rotated)
	if rotated.Secret == ep.Secret || rotated.Endpoint.PrevSecretUntil == nil || !rotated.Endpoint.PrevSecretUntil.Equal(c.Clock.Now().Add(time.Hour)) {
		t.Fatalf("rotated %+v", rotated)
	}
	if strings.Contains(c.logs.String(), ep.Secret) || strings.Contains(c.logs.String(), rotated.Secret) {
		t.Error("a secret reached the log")
	}

	sub := map[string]any{"endpoint_id": ep.ID, "filter": map[string]any{"sources": []string{"SY"}, "tlp": []string{"GREEN"}, "tags": []string{}, "languages": []string{"ar"}, "query": "قافلة"}}
	c.do("POST", subscriptionsPath, analyst, sub).want(t, http.StatusForbidden)
	bad := map[string]any{"endpoint_id": ep.ID, "filter": map[string]any{"query": `"unclosed`}}
	if p := c.do("POST", subscriptionsPath, officer, bad).want(t, http.StatusUnprocessableEntity).problem(t); len(p.Errors) == 0 || p.Errors[0].Location != "body.filter.query" {
		t.Errorf("bad query: %+v", p)
	}
	var sv subscriptionView
	c.do("POST", subscriptionsPath, officer, sub).want(t, http.StatusCreated).decode(t, &sv)
	if sv.EndpointID != ep.ID || sv.Filter.Query != "قافلة" || len(sv.Filter.Sources) != 1 {
		t.Fatalf("subscription %+v", sv)
	}
	var subs listSubscriptionsOutput
	c.do("GET", subscriptionsPath, analyst, nil).want(t, http.StatusOK).decode(t, &subs.Body)
	if len(subs.Body.Items) != 1 {
		t.Fatalf("%d subscriptions", len(subs.Body.Items))
	}
	// A matching report makes a delivery; the list filters by endpoint and
	// state.
	if _, err := c.Recorder.SubmitReport(context.Background(), testkit.Analyst("SY"), center.Draft{Title: "قافلة", Body: "قافلة على الطريق", Language: "ar", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}); err != nil {
		t.Fatal(err)
	}
	var ds listDeliveriesOutput
	c.do("GET", deliveriesPath+"?state=pending&endpoint_id="+ep.ID, analyst, nil).want(t, http.StatusOK).decode(t, &ds.Body)
	if len(ds.Body.Items) != 1 || ds.Body.Items[0].Type != "report.created" {
		t.Fatalf("deliveries %+v", ds.Body.Items)
	}
	// Delivered, it names the event that logs its receipt.
	owed, err := c.Store.Deliveries(context.Background(), ds.Body.Items[0].Party, store.DeliveryQuery{Endpoint: ep.ID, Limit: 10})
	if err != nil || len(owed) != 1 {
		t.Fatalf("the store's deliveries: %d, %v", len(owed), err)
	}
	d := owed[0]
	if err := c.Recorder.RecordAttempts(context.Background(), []record.AttemptResult{{Delivery: d, Attempt: store.Attempt{At: c.Clock.Now(), Status: 200}, State: store.Delivered}}, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Items []map[string]any `json:"items"`
	}
	c.do("GET", deliveriesPath+"?state=delivered&endpoint_id="+ep.ID, analyst, nil).want(t, http.StatusOK).decode(t, &raw)
	if len(raw.Items) != 1 || raw.Items[0]["receipt_event_id"] == nil {
		t.Fatalf("delivered: %+v", raw.Items)
	}
	if e, err := c.Store.Event(context.Background(), raw.Items[0]["receipt_event_id"].(string)); err != nil || e.Type != record.DeliveryReceipts {
		t.Fatalf("the receipt's event: %+v, %v", e, err)
	}
	c.do("GET", deliveriesPath+"?state=lost", analyst, nil).want(t, http.StatusUnprocessableEntity)
	c.do("DELETE", subscriptionsPath+"/"+sv.ID, officer, nil).want(t, http.StatusNoContent)
	c.do("DELETE", endpointsPath+"/"+ep.ID, officer, nil).want(t, http.StatusNoContent)
	c.do("DELETE", endpointsPath+"/"+ep.ID, officer, nil).want(t, http.StatusNotFound)
}

// TestDistributionIsolation: no read or write path of the distribution
// shows or touches another party's endpoints, subscriptions or
// deliveries, and what does not exist looks the same as what is
// another's.
func TestDistributionIsolation(t *testing.T) {
	c := newDistributionCenter(t, StreamConfig{})
	iq, sy, syAnalyst := c.token("iq-officer"), c.token("sy-officer"), c.token("sy-analyst")
	var ep createdEndpoint
	c.do("POST", endpointsPath, iq, map[string]any{"url": "http://127.0.0.1:9/iq"}).want(t, http.StatusCreated).decode(t, &ep)
	var sv subscriptionView
	c.do("POST", subscriptionsPath, iq, map[string]any{"endpoint_id": ep.ID, "filter": map[string]any{}}).want(t, http.StatusCreated).decode(t, &sv)
	// A report for IQ alone: IQ gets a delivery, SY must not learn of it.
	rep, err := c.Recorder.SubmitReport(context.Background(), testkit.Analyst("RU"), center.Draft{Title: "for Iraq", Body: "only", TLP: center.TLPRed, Distribution: center.Distribution{Parties: []center.PartyCode{"IQ"}}})
	if err != nil {
		t.Fatal(err)
	}
	var ds listDeliveriesOutput
	c.do("GET", deliveriesPath, c.token("iq-analyst"), nil).want(t, http.StatusOK).decode(t, &ds.Body)
	if len(ds.Body.Items) != 1 {
		t.Fatalf("IQ has %d deliveries", len(ds.Body.Items))
	}
	delivery := ds.Body.Items[0].ID

	for _, tok := range []string{sy, syAnalyst} {
		for _, path := range []string{endpointsPath, subscriptionsPath, deliveriesPath, deliveriesPath + "?endpoint_id=" + ep.ID, deliveriesPath + "?report_id=" + rep.ID} {
			r := c.do("GET", path, tok, nil).want(t, http.StatusOK)
			if s := string(r.body); strings.Contains(s, ep.ID) || strings.Contains(s, delivery) || strings.Contains(s, rep.ID) || strings.Contains(s, sv.ID) {
				t.Errorf("GET %s as SY shows IQ's: %s", path, s)
			}
		}
	}
	missing := "endpoint--00000000-0000-0000-0000-000000000000"
	for _, id := range []string{ep.ID, missing} {
		a := c.do("GET", endpointsPath+"/"+id+"/health", sy, nil).want(t, http.StatusNotFound).problem(t)
		b := c.do("DELETE", endpointsPath+"/"+id, sy, nil).want(t, http.StatusNotFound).problem(t)
		c.do("POST", endpointsPath+"/"+id+"/rotate", sy, map[string]any{}).want(t, http.StatusNotFound)
		if a.Detail != b.Detail && id == missing {
			t.Log(a.Detail, b.Detail)
		}
	}
	c.do("DELETE", subscriptionsPath+"/"+sv.ID, sy, nil).want(t, http.StatusNotFound)
	c.do("POST", deliveriesPath+"/"+delivery+"/redrive", sy, nil).want(t, http.StatusNotFound)
	c.do("POST", subscriptionsPath, sy, map[string]any{"endpoint_id": ep.ID, "filter": map[string]any{}}).want(t, http.StatusUnprocessableEntity)
	// IQ's things are untouched.
	c.do("GET", endpointsPath+"/"+ep.ID+"/health", iq, nil).want(t, http.StatusOK)
}

// sseEvent is one Server-Sent Event as a client parses it.
type sseEvent struct {
	id, event, data string
	comment         bool
}

// openStream connects to the live stream and returns its events as they
// come; the stream closes when ctx ends.
func openStream(t *testing.T, c *testCenter, ctx context.Context, token, lastID string) <-chan sseEvent {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.http.URL+streamPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 1000)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<22)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sseEvent{}) {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				out <- sseEvent{comment: true, data: line}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return out
}

// nextEvents reads n events (skipping comments), failing after a while.
func nextEvents(t *testing.T, ch <-chan sseEvent, n int) []sseEvent {
	t.Helper()
	var out []sseEvent
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream closed after %d of %d events", len(out), n)
			}
			if !ev.comment && ev.id != "" {
				out = append(out, ev)
			}
		case <-timeout:
			t.Fatalf("got %d of %d events", len(out), n)
		}
	}
	return out
}

func TestStreamResumesAndIsolates(t *testing.T) {
	c := newDistributionCenter(t, StreamConfig{Heartbeat: 50 * time.Millisecond})
	ctx := context.Background()
	submit := func(title string, d center.Distribution, tlp center.TLP) center.Report {
		rep, err := c.Recorder.SubmitReport(ctx, testkit.Analyst("SY"), center.Draft{Title: title, Body: "b", TLP: tlp, Distribution: d})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	forIQ := center.Distribution{Parties: []center.PartyCode{"IQ"}}
	notIQ := center.Distribution{Parties: []center.PartyCode{"IR"}}
	submit("before the stream", forIQ, center.TLPAmber) // the stream starts at the present

	sctx, cancel := context.WithCancel(ctx)
	ch := openStream(t, c, sctx, c.token("iq-analyst"), "")
	var want []string
	for i := range 6 {
		if i%2 == 1 {
			submit(fmt.Sprint("hidden ", i), notIQ, center.TLPRed)
		}
		want = append(want, submit(fmt.Sprint("shared ", i), forIQ, center.TLPAmber).ID)
	}
	first := nextEvents(t, ch, 3)
	cancel()
	for range ch {
	}
	for i, ev := range first {
		var p distribute.Payload
		if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
			t.Fatal(err)
		}
		if p.Data.ID != want[i] || ev.event != "report.created" || fmt.Sprint(p.EventSeq) != ev.id {
			t.Fatalf("event %d: %s %s %s, want report %s", i, ev.id, ev.event, p.Data.ID, want[i])
		}
	}
	// Reconnect with the last id: the rest, once each, in order, and
	// nothing of IR's.
	for i := range 2 {
		want = append(want, submit(fmt.Sprint("later ", i), forIQ, center.TLPAmber).ID)
		submit(fmt.Sprint("hidden later ", i), notIQ, center.TLPRed)
	}
	sctx, cancel = context.WithCancel(ctx)
	defer cancel()
	ch = openStream(t, c, sctx, c.token("iq-analyst"), first[2].id)
	rest := nextEvents(t, ch, len(want)-3)
	for i, ev := range rest {
		var p distribute.Payload
		json.Unmarshal([]byte(ev.data), &p)
		if p.Data.ID != want[3+i] {
			t.Fatalf("resumed event %d is %s, want %s", i, p.Data.ID, want[3+i])
		}
	}
	// Nothing more is owed: only heartbeats follow.
	deadline := time.After(300 * time.Millisecond)
	beats := 0
	for done := false; !done; {
		select {
		case ev := <-ch:
			if !ev.comment {
				t.Fatalf("an extra event: %+v", ev)
			}
			beats++
		case <-deadline:
			done = true
		}
	}
	if beats == 0 {
		t.Error("no heartbeat in 300ms at a 50ms interval")
	}
	// Revoking the token ends the open stream at the next heartbeat.
	tok, err := c.Store.TokenByHash(ctx, secret.HashToken(c.token("iq-analyst")))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Recorder.RevokeToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	closed := time.After(5 * time.Second)
	for open := true; open; {
		select {
		case _, ok := <-ch:
			open = ok
		case <-closed:
			t.Fatal("the stream of a revoked token is still open")
		}
	}
	c.tokens["iq-analyst"] = c.token("iq-officer")
	// The stream refuses a malformed Last-Event-ID and a missing token.
	req, _ := http.NewRequest("GET", c.http.URL+streamPath, nil)
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer "+c.token("iq-analyst"))
	req.Header.Set("Last-Event-ID", "yesterday")
	if resp, err = c.client.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad Last-Event-ID: %d", resp.StatusCode)
	}
}

// TestStreamDisconnectsSlowReader: a client that stops reading is cut
// off once a write waits past the timeout, instead of being buffered for.
func TestStreamDisconnectsSlowReader(t *testing.T) {
	c := newDistributionCenter(t, StreamConfig{WriteTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	fmt.Fprintf(conn, "GET %s?last_event_id=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", streamPath, c.token("iq-analyst"))
	waitFor(t, func() bool { return c.server.activeStreams() == 1 })
	body := strings.Repeat("كلمة ", 100_000) // 1 MB a report
	for i := 0; i < 200 && c.server.activeStreams() > 0; i++ {
		if _, err := c.Recorder.SubmitReport(context.Background(), testkit.Analyst("SY"), center.Draft{Title: fmt.Sprint("big ", i), Body: body, TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return c.server.activeStreams() == 0 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}
