package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testSubmitReports: a batch of reports is recorded whole — each with its
// own id, audience, event and index entry — or, if one is invalid, not at
// all.
func testSubmitReports(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	count := func() int64 {
		n, err := f.s.CountReports(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := func() int {
		ev, err := f.s.Events(f.ctx, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ev)
	}
	before, beforeEvents := count(), events()

	bad := []center.Draft{
		{Title: "one", Body: "قافلة أولى", TLP: center.TLPGreen, Distribution: all},
		{Title: "", Body: "no title", TLP: center.TLPGreen, Distribution: all},
		{Title: "three", Body: "قافلة ثالثة", TLP: center.TLPGreen, Distribution: all},
	}
	_, err := f.rec.SubmitReports(f.ctx, testkit.Analyst("IQ"), bad)
	if !errors.Is(err, center.ErrInvalid) || !strings.Contains(err.Error(), "report 1 of 3") {
		t.Fatalf("a batch with an invalid report: %v, want ErrInvalid naming report 1 of 3", err)
	}
	if count() != before || events() != beforeEvents {
		t.Fatalf("a refused batch left %d reports and %d events behind", count()-before, events()-beforeEvents)
	}

	good := []center.Draft{
		{Title: "to all", Body: "قافلة أولى", TLP: center.TLPGreen, Distribution: all},
		{Title: "to RU", Body: "قافلة ثانية", TLP: center.TLPAmber, Distribution: toParties("RU")},
		{Title: "to all again", Body: "قافلة ثالثة", TLP: center.TLPGreen, Distribution: all},
	}
	reps, err := f.rec.SubmitReports(f.ctx, testkit.Analyst("IQ"), good)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 3 || count() != before+3 || events() != beforeEvents+3 {
		t.Fatalf("%d reports returned, %d recorded, %d events; want 3 each", len(reps), count()-before, events()-beforeEvents)
	}
	for i, r := range reps {
		if r.Title != good[i].Title || r.Seq == 0 || (i > 0 && r.ID == reps[i-1].ID) {
			t.Errorf("report %d = %+v", i, r)
		}
	}
	if _, err := f.s.Report(f.ctx, "SY", reps[1].ID); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("SY reads the report to RU: %v", err)
	}
	page, err := f.s.Search(f.ctx, "SY", store.SearchQuery{Limit: 10, Filter: store.SearchFilter{Sources: []center.PartyCode{"IQ"}}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 {
		t.Errorf("SY finds %d of the batch, want the 2 shared with all", page.Total)
	}
	res, err := analyze.NewSearcher(f.s, nil).Search(f.ctx, "RU", "قافلة", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Errorf("RU finds %d of the batch by a word, want 3: each report indexed", res.Total)
	}
}
