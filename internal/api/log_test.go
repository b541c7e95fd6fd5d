package api

import (
	"context"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// TestLogProofIsolation: a party that may not see a report gets 404 for
// its proof and no salt for its entry, as for any other read path.
func TestLogProofIsolation(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"RU"}}))
	evs, err := c.Store.SubjectEvents(context.Background(), rep.ID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events of %s: %v, %v", rep.ID, evs, err)
	}
	event := evs[0].ID
	for _, tt := range []struct {
		user     string
		sees     bool
		wantSalt bool
	}{
		{"iq-analyst", true, true},
		{"ru-analyst", true, true},
		{"sy-analyst", false, false},
		{"ir-analyst", false, false},
		{"jo-analyst", false, false},
	} {
		res := c.do(http.MethodGet, reportsPath+"/"+rep.ID+"/proof", c.token(tt.user), nil)
		if tt.sees {
			res.want(t, http.StatusOK)
		} else if p := res.want(t, http.StatusNotFound).problem(t); p.Detail != notFoundDetail {
			t.Errorf("%s: hidden report's proof detail %q differs from a missing one's", tt.user, p.Detail)
		}
		var proof struct {
			Salt  string `json:"salt"`
			Entry string `json:"entry"`
		}
		c.do(http.MethodGet, "/api/v1/log/entries/"+event+"/proof", c.token(tt.user), nil).want(t, http.StatusOK).decode(t, &proof)
		if (proof.Salt != "") != tt.wantSalt {
			t.Errorf("%s: salt given = %v, want %v", tt.user, proof.Salt != "", tt.wantSalt)
		}
	}
	// A report's page says where its version stands in the log.
	var got struct {
		Log struct {
			Status string `json:"status"`
		} `json:"log"`
	}
	c.do(http.MethodGet, reportsPath+"/"+rep.ID, c.token("ru-analyst"), nil).want(t, http.StatusOK).decode(t, &got)
	if got.Log.Status != "pending" {
		t.Errorf("log status %q, want pending (no integrator runs here)", got.Log.Status)
	}

	// The log itself needs a party's credentials.
	c.do(http.MethodGet, "/log/checkpoint", "", nil).want(t, http.StatusUnauthorized)
}

// TestLogProofContent: a party that may see a version gets, with the salt,
// the exact content its entry's digest commits to — the version as
// recorded, not the API's report form — from both proof endpoints; a
// party that may not see it gets neither, and an event other than a
// version's carries no content.
func TestLogProofContent(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"RU"}}))
	evs, err := c.Store.SubjectEvents(context.Background(), rep.ID)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events of %s: %v, %v", rep.ID, evs, err)
	}
	e := evs[0]
	check := func(who, path string, want bool) {
		t.Helper()
		var p tlog.Proof
		c.do(http.MethodGet, path, c.token(who), nil).want(t, http.StatusOK).decode(t, &p)
		if !want {
			if p.Content != "" {
				t.Errorf("%s %s: content given: %q", who, path, p.Content)
			}
			return
		}
		salt, err := hex.DecodeString(p.Salt)
		if err != nil || p.Content == "" {
			t.Fatalf("%s %s: salt %q, content %q", who, path, p.Salt, p.Content)
		}
		if string(record.Commitment(salt, []byte(p.Content))) != string(e.Digest) {
			t.Errorf("%s %s: the content does not commit to the entry's digest:\n%s", who, path, p.Content)
		}
	}
	for _, who := range []string{"iq-analyst", "ru-analyst"} {
		check(who, reportsPath+"/"+rep.ID+"/proof", true)
		check(who, "/api/v1/log/entries/"+e.ID+"/proof", true)
	}
	check("sy-analyst", "/api/v1/log/entries/"+e.ID+"/proof", false)

	// A revocation's proof has a salt, no content; nor has a governance
	// event's.
	c.Clock.Advance(time.Minute)
	c.do(http.MethodPost, reportsPath+"/"+rep.ID+"/revoke", c.token("iq-analyst"), nil).want(t, http.StatusOK)
	evs, _ = c.Store.SubjectEvents(context.Background(), rep.ID)
	check("iq-analyst", "/api/v1/log/entries/"+evs[len(evs)-1].ID+"/proof", false)
	// The version's content is still that of the version as recorded:
	// revocation is not part of it.
	check("ru-analyst", reportsPath+"/"+rep.ID+"/proof", true)

	// Once retention erased the text, the content is gone; the salt stays.
	if err := c.Recorder.SetRetention(context.Background(), c.principal("iq-officer"), 1); err != nil {
		t.Fatal(err)
	}
	c.Clock.Advance(48 * time.Hour)
	if n, err := c.Recorder.PurgeExpired(context.Background()); err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v", n, err)
	}
	check("ru-analyst", reportsPath+"/"+rep.ID+"/proof", false)
	check("ru-analyst", "/api/v1/log/entries/"+e.ID+"/proof", false)
}
