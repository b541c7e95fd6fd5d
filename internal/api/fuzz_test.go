package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
)

// FuzzSubmitReport feeds arbitrary bytes to POST /api/v1/reports as an
// authenticated analyst. Whatever the bytes, the server must not fail
// (no 5xx), must answer a refusal with a problem and record nothing, and
// must record exactly one event for a 201 whose report holds exactly the
// text the JSON encoded. The seed corpus in testdata/fuzz/FuzzSubmitReport
// holds real submissions in Arabic, Persian, Russian and English and the
// shapes of known bad input.
func FuzzSubmitReport(f *testing.F) {
	c := newTestCenter(f)
	h := c.server.Handler()
	tok := c.token("iq-analyst")
	ctx := context.Background()
	f.Add(mustJSON(f, sampleDraft()))
	events := c.watchEvents(f)

	f.Fuzz(func(t *testing.T, body []byte) {
		rec, recorded, ok := postFuzzed(t, h, reportsPath, tok, body, events, http.StatusCreated)
		if !ok {
			return
		}
		if len(recorded) != 1 || recorded[0].Type != "report.submitted" {
			t.Fatalf("201, yet events %+v", recorded)
		}
		var got report
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("201 with body %s: %v", rec.Body.Bytes(), err)
		}
		var sent draft
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatalf("201 for a body encoding/json refuses: %v", err)
		}
		stored, err := c.Store.Report(ctx, "IQ", got.ID)
		if err != nil {
			t.Fatalf("201, yet %s not readable: %v", got.ID, err)
		}
		if stored.Body != sent.Body || got.Body != sent.Body || stored.Title != strings.TrimSpace(sent.Title) {
			t.Fatalf("stored text differs from the text sent")
		}
	})
}

// postJSON posts body as JSON to path straight to h, as the bearer of
// token: a fuzz test's request, without a network. path is set as is, so
// that a fuzzed path segment reaches the router unparsed.
func postJSON(h http.Handler, path, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.URL.Path = path
	req.RequestURI = req.URL.RequestURI()
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// eventWatch reads the events recorded since it last looked.
type eventWatch struct {
	c    *testCenter
	last int64
}

// watchEvents starts watching the event log at its current end.
func (c *testCenter) watchEvents(t testing.TB) *eventWatch {
	t.Helper()
	evs, err := c.Store.Events(context.Background(), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return &eventWatch{c: c, last: evs[len(evs)-1].Seq}
}

// since returns the events recorded since the last call (up to one more
// than the largest batch records) and moves past them.
func (w *eventWatch) since(t testing.TB) []center.Event {
	t.Helper()
	recorded, err := w.c.Store.Events(context.Background(), w.last, maxBatchReports+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(recorded) > 0 {
		w.last = recorded[len(recorded)-1].Seq
	}
	return recorded
}

// postFuzzed posts a fuzzed body to path and checks what every fuzzed
// POST must hold: no 5xx, and a refusal answered with a problem that
// records nothing. It returns the answer, the events recorded, and
// whether the answer was success, the status of the route's success.
func postFuzzed(t *testing.T, h http.Handler, path, tok string, body []byte, events *eventWatch, success int) (*httptest.ResponseRecorder, []center.Event, bool) {
	t.Helper()
	rec := postJSON(h, path, tok, body)
	if rec.Code >= 500 {
		t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
	}
	recorded := events.since(t)
	if rec.Code == success {
		return rec, recorded, true
	}
	if len(recorded) != 0 {
		t.Fatalf("status %d, yet %d events recorded", rec.Code, len(recorded))
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with Content-Type %q", rec.Code, ct)
	}
	wantFuzzProblem(t, rec)
	return rec, recorded, false
}

// wantFuzzProblem fails unless a refusal's body is a problem naming its
// status.
func wantFuzzProblem(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	var p problemBody
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || !strings.HasPrefix(p.Type, "urn:tabadul:problem:") {
		t.Fatalf("status %d with problem %s (%v)", rec.Code, rec.Body.Bytes(), err)
	}
}

// FuzzSubmitReports feeds arbitrary bytes to POST /api/v1/reports/batch
// as an authenticated analyst, seeded with the submissions of
// FuzzSubmitReport's corpus, one to a batch and all in one. Whatever the
// bytes, the server must not fail (no 5xx), must answer a refusal with a
// problem and record nothing, and must record one event for each report
// of a 201, in order, each holding the text the JSON encoded.
func FuzzSubmitReports(f *testing.F) {
	c := newTestCenter(f)
	h := c.server.Handler()
	tok := c.token("iq-analyst")
	ctx := context.Background()
	var all []json.RawMessage
	for _, body := range fuzzSeeds(f, "FuzzSubmitReport") {
		if json.Valid(body) {
			f.Add([]byte(`{"reports": [` + string(body) + `]}`))
			all = append(all, body)
		}
	}
	f.Add(mustJSON(f, map[string]any{"reports": all}))
	f.Add(mustJSON(f, map[string]any{"reports": []any{sampleDraft(), sampleDraft()}}))
	events := c.watchEvents(f)

	f.Fuzz(func(t *testing.T, body []byte) {
		rec, recorded, ok := postFuzzed(t, h, reportsPath+"/batch", tok, body, events, http.StatusCreated)
		if !ok {
			return
		}
		var got struct{ Items []report }
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("201 with body %s: %v", rec.Body.Bytes(), err)
		}
		var sent struct{ Reports []draft }
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatalf("201 for a body encoding/json refuses: %v", err)
		}
		if len(recorded) != len(sent.Reports) || len(got.Items) != len(sent.Reports) {
			t.Fatalf("201 for %d reports, yet %d events and %d items", len(sent.Reports), len(recorded), len(got.Items))
		}
		for i, r := range got.Items {
			stored, err := c.Store.Report(ctx, "IQ", r.ID)
			if err != nil {
				t.Fatalf("201, yet %s not readable: %v", r.ID, err)
			}
			if recorded[i].Subject != r.ID || stored.Body != sent.Reports[i].Body || stored.Title != strings.TrimSpace(sent.Reports[i].Title) {
				t.Fatalf("report %d: stored text or event differs from what was sent", i)
			}
		}
	})
}

// fuzzSeeds reads the []byte inputs of another fuzz test's seed corpus
// (testdata/fuzz/NAME, in go test's corpus format).
func fuzzSeeds(t testing.TB, name string) [][]byte {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lit, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
		lit, ok2 := strings.CutSuffix(strings.TrimSpace(lit), ")")
		if !ok || !ok2 {
			continue
		}
		s, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out = append(out, []byte(s))
	}
	if len(out) == 0 {
		t.Fatalf("no seeds in %s", dir)
	}
	return out
}
