package api

import (
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestSubmitReviseRevoke walks one report through its life over HTTP:
// submit (201, Location), read back, revise (a new version, listed in
// versions), revoke (200), revoke again (409), revise when revoked (409).
func TestSubmitReviseRevoke(t *testing.T) {
	c := newTestCenter(t)
	iq := c.token("iq-analyst")

	res := c.do(http.MethodPost, reportsPath, iq, sampleDraft()).want(t, http.StatusCreated)
	first := res.report(t)
	if got, want := res.header.Get("Location"), reportsPath+"/"+first.ID; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
	if first.Source != "IQ" || first.Author != "iq-analyst" || first.Title != "تحركات قرب الحدود" ||
		first.Language != "ar" || first.TLP != "GREEN" || !first.Distribution.All ||
		first.Reliability != "B" || first.Credibility != "2" || first.Revoked != nil ||
		!slices.Equal(first.Tags, []string{"border", "داعش"}) ||
		first.ObservedAt == nil || !first.ObservedAt.Equal(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)) ||
		!first.Created.Equal(first.Version) {
		t.Errorf("stored report does not match the submission: %+v", first)
	}
	if got := c.do(http.MethodGet, res.header.Get("Location"), iq, nil).want(t, http.StatusOK).report(t); got.ID != first.ID || !got.Version.Equal(first.Version) {
		t.Errorf("GET Location = %+v, want %+v", got, first)
	}

	c.Clock.Advance(time.Hour)
	revision := with(sampleDraft(), "title", "تحركات قرب الحدود — تحديث")
	revision["distribution"] = map[string]any{"parties": []string{"RU"}}
	second := c.do(http.MethodPut, reportsPath+"/"+first.ID, c.token("iq-officer"), revision).want(t, http.StatusOK).report(t)
	if second.ID != first.ID || !second.Version.After(first.Version) || !second.Created.Equal(first.Created) ||
		second.Author != "iq-officer" || !slices.Equal(second.Distribution.Parties, []string{"RU"}) {
		t.Errorf("revision = %+v", second)
	}

	var versions reportVersions
	c.do(http.MethodGet, reportsPath+"/"+first.ID+"/versions", iq, nil).want(t, http.StatusOK).decode(t, &versions)
	if len(versions.Items) != 2 || !versions.Items[0].Version.Equal(first.Version) || !versions.Items[1].Version.Equal(second.Version) {
		t.Fatalf("versions = %+v, want the two versions oldest first", versions.Items)
	}
	// SY saw the first version (all members) but not the second (RU only).
	var sySees reportVersions
	c.do(http.MethodGet, reportsPath+"/"+first.ID+"/versions", c.token("sy-analyst"), nil).want(t, http.StatusOK).decode(t, &sySees)
	if len(sySees.Items) != 1 || sySees.Items[0].Title != first.Title {
		t.Errorf("SY sees versions %+v, want only the first", sySees.Items)
	}

	c.Clock.Advance(time.Hour)
	revoked := c.do(http.MethodPost, reportsPath+"/"+first.ID+"/revoke", iq, nil).want(t, http.StatusOK).report(t)
	if revoked.Revoked == nil || !revoked.Revoked.Equal(testcenter.Start.Add(2*time.Hour)) {
		t.Errorf("revoked = %v, want %v", revoked.Revoked, testcenter.Start.Add(2*time.Hour))
	}
	before := c.state(first.ID)
	if p := c.do(http.MethodPost, reportsPath+"/"+first.ID+"/revoke", iq, nil).want(t, http.StatusConflict).problem(t); p.Type != problemConflict {
		t.Errorf("second revoke: type %q", p.Type)
	}
	if p := c.do(http.MethodPut, reportsPath+"/"+first.ID, iq, sampleDraft()).want(t, http.StatusConflict).problem(t); p.Type != problemConflict {
		t.Errorf("revise revoked: type %q", p.Type)
	}
	if after := c.state(first.ID); !equalState(before, after) {
		t.Errorf("refused requests changed the store: %+v → %+v", before, after)
	}

	got := c.do(http.MethodGet, reportsPath+"/"+first.ID, iq, nil).want(t, http.StatusOK).report(t)
	if got.Revoked == nil {
		t.Error("GET after revoke: not revoked")
	}
	if p := c.do(http.MethodGet, reportsPath+"?revoked=true", iq, nil).want(t, http.StatusOK).page(t); len(p.Items) != 1 || p.Items[0].ID != first.ID {
		t.Errorf("revoked=true lists %+v", p.Items)
	}
	if p := c.do(http.MethodGet, reportsPath+"?revoked=false", iq, nil).want(t, http.StatusOK).page(t); len(p.Items) != 0 {
		t.Errorf("revoked=false lists %+v", p.Items)
	}
}

func equalState(a, b storeState) bool {
	if a.reports != b.reports || a.events != b.events || len(a.versions) != len(b.versions) {
		return false
	}
	for id, n := range a.versions {
		if b.versions[id] != n || a.revoked[id] != b.revoked[id] {
			return false
		}
	}
	return true
}
