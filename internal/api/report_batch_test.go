package api

import (
	"fmt"
	"net/http"
	"testing"
)

// TestSubmitReportsInABatch: POST /api/v1/reports/batch records every
// report of the batch, in order, each as POST /api/v1/reports would, and
// shares each only as its distribution says; a batch with one refused
// report records none and names the report by its index; an empty batch,
// one of more than 1,000 reports, a body that is no batch and a caller
// without a token are refused.
func TestSubmitReportsInABatch(t *testing.T) {
	c := newTestCenter(t)
	iq := c.token("iq-analyst")
	const path = reportsPath + "/batch"

	toRU := with(sampleDraft(), "title", "إلى روسيا")
	toRU["distribution"] = map[string]any{"parties": []string{"RU"}}
	batch := map[string]any{"reports": []any{sampleDraft(), toRU, with(sampleDraft(), "title", "الثالث")}}
	var got struct{ Items []report }
	c.do(http.MethodPost, path, iq, batch).want(t, http.StatusCreated).decode(t, &got)
	if len(got.Items) != 3 {
		t.Fatalf("%d reports recorded, want 3", len(got.Items))
	}
	for i, want := range []string{"تحركات قرب الحدود", "إلى روسيا", "الثالث"} {
		r := got.Items[i]
		if r.Title != want || r.Source != "IQ" || r.Author != "iq-analyst" || r.ID == "" {
			t.Errorf("report %d = %+v, want %q from iq-analyst", i, r, want)
		}
		stored := c.do(http.MethodGet, reportsPath+"/"+r.ID, iq, nil).want(t, http.StatusOK).report(t)
		if stored.Title != want || !stored.Version.Equal(r.Version) {
			t.Errorf("GET report %d = %+v", i, stored)
		}
	}
	// SY, not in the second report's distribution, finds neither it nor
	// its words.
	c.do(http.MethodGet, reportsPath+"/"+got.Items[1].ID, c.token("sy-analyst"), nil).want(t, http.StatusNotFound)
	c.do(http.MethodGet, reportsPath+"/"+got.Items[1].ID, c.token("ru-analyst"), nil).want(t, http.StatusOK)
	var found struct{ Total int }
	c.do(http.MethodGet, searchPath+"?q=روسيا", c.token("sy-analyst"), nil).want(t, http.StatusOK).decode(t, &found)
	if found.Total != 0 {
		t.Errorf("SY's search found %d reports of RU's only", found.Total)
	}

	before := c.state()
	bad := with(sampleDraft(), "title", "")
	tooMany := make([]any, maxBatchReports+1)
	for i := range tooMany {
		tooMany[i] = sampleDraft()
	}
	for _, tc := range []struct {
		name, body any
		status     int
		field      string
	}{
		{"a refused report", map[string]any{"reports": []any{sampleDraft(), sampleDraft(), bad}}, http.StatusUnprocessableEntity, "reports[2].title"},
		{"an unknown party", map[string]any{"reports": []any{with(sampleDraft(), "distribution", map[string]any{"parties": []string{"XX"}})}}, http.StatusUnprocessableEntity, "reports[0].distribution.parties[0]"},
		{"no report", map[string]any{"reports": []any{}}, http.StatusUnprocessableEntity, ""},
		{"too many reports", map[string]any{"reports": tooMany}, http.StatusUnprocessableEntity, ""},
		{"a lone report", sampleDraft(), http.StatusUnprocessableEntity, ""},
		{"no JSON", "reports", http.StatusBadRequest, ""},
	} {
		t.Run(fmt.Sprint(tc.name), func(t *testing.T) {
			res := c.do(http.MethodPost, path, iq, tc.body)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", res.status, tc.status, res.body)
			}
			p := res.problem(t)
			named := tc.field == ""
			for _, e := range p.Errors {
				named = named || e.Location == "body."+tc.field
			}
			if !named {
				t.Errorf("problem %+v does not name body.%s", p, tc.field)
			}
		})
	}
	if after := c.state(); after.reports != before.reports || after.events != before.events {
		t.Errorf("refused batches recorded something: %+v, then %+v", before, after)
	}
	c.do(http.MethodPost, path, "", batch).want(t, http.StatusUnauthorized)
}
