package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// testSearchNewest: sort:newest lists a text query's matches newest
// first, every score 0, across pages and past the search window, and
// never lists a report the viewer may not see.
func testSearchNewest(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	// A window of 3 makes the pages cross from the window's matches to
	// the older ones.
	s := analyze.NewSearcher(f.s, analyze.StarterAliases()).WithWindow(3)
	// The older a report, the more often it names the convoy: by
	// relevance the order is the reverse of by time.
	var titles []string
	for i := range 8 {
		title := fmt.Sprintf("r%d", i)
		body := strings.Repeat("قافلة ", 8-i) + "عند الحدود مع تقرير طويل عن الطريق"
		f.submit("IQ", center.Draft{Title: title, Body: body, TLP: center.TLPGreen, Distribution: all})
		titles = append(titles, title)
		f.clock.Advance(time.Minute)
	}
	f.submit("SY", center.Draft{Title: "hidden", Body: "قافلة سرية", TLP: center.TLPRed, Distribution: toParties("RU")})
	slices.Reverse(titles)

	pages := func(viewer center.PartyCode, q string) (got []string, scores []float64) {
		t.Helper()
		var after *store.SearchKey
		for range 10 {
			res, err := s.SearchAfter(f.ctx, viewer, q, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				got, scores = append(got, h.Report.Title), append(scores, h.Score)
			}
			if after = res.Next; after == nil {
				return got, scores
			}
		}
		t.Fatalf("%q: more than 10 pages", q)
		return nil, nil
	}
	got, scores := pages("IQ", "قافلة sort:newest")
	if !slices.Equal(got, titles) {
		t.Errorf("IQ, newest first: %v, want %v", got, titles)
	}
	if slices.ContainsFunc(scores, func(s float64) bool { return s != 0 }) {
		t.Errorf("newest first, scores %v, want 0", scores)
	}
	if got, _ := pages("RU", "قافلة sort:newest"); !slices.Equal(got, append([]string{"hidden"}, titles...)) {
		t.Errorf("RU, newest first: %v, want hidden then %v", got, titles)
	}
	// By relevance (the default, or asked for): the window's newest three
	// by relevance, then the older ones by relevance.
	for _, q := range []string{"قافلة", "قافلة sort:relevance"} {
		if got, _ := pages("IQ", q); !slices.Equal(got, []string{"r5", "r6", "r7", "r0", "r1", "r2", "r3", "r4"}) {
			t.Errorf("IQ, %q: %v, want the window's by relevance, then the rest's", q, got)
		}
	}
	// The first page counts as a relevance search does.
	res, err := s.Search(f.ctx, "IQ", "قافلة sort:newest", 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.TotalExact || res.Facets.Sources["IQ"] != 3 {
		t.Errorf("first page: total %d (exact %v), facets %v; want the window's 3", res.Total, res.TotalExact, res.Facets.Sources)
	}
}
