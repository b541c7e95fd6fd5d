package api

import (
	"context"
	"net/http"
	"testing"
)

// TestLogProofIsolation: a party that may not see a report gets 404 for
// its proof and no salt for its entry, as for any other read path.
func TestLogProofIsolation(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"RU"}}))
	evs, err := c.store.SubjectEvents(context.Background(), rep.ID)
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
