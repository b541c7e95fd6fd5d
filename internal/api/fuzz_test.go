package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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

	evs, err := c.store.Events(ctx, 0, 1<<30)
	if err != nil {
		f.Fatal(err)
	}
	last := evs[len(evs)-1].Seq

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, reportsPath, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
		recorded, err := c.store.Events(ctx, last, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(recorded) > 0 {
			last = recorded[len(recorded)-1].Seq
		}
		if rec.Code != http.StatusCreated {
			if len(recorded) != 0 {
				t.Fatalf("status %d, yet %d events recorded", rec.Code, len(recorded))
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("status %d with Content-Type %q", rec.Code, ct)
			}
			var p problemBody
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || !strings.HasPrefix(p.Type, "urn:tabadul:problem:") {
				t.Fatalf("status %d with problem %s (%v)", rec.Code, rec.Body.Bytes(), err)
			}
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
		stored, err := c.store.Report(ctx, "IQ", got.ID)
		if err != nil {
			t.Fatalf("201, yet %s not readable: %v", got.ID, err)
		}
		if stored.Body != sent.Body || got.Body != sent.Body || stored.Title != strings.TrimSpace(sent.Title) {
			t.Fatalf("stored text differs from the text sent")
		}
	})
}
