package storetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// SearchStepsOf returns a backend's statement parts for viewer's query q.
type SearchStepsOf func(viewer center.PartyCode, q store.SearchQuery) (store.SearchSteps, error)

// plainSteps hides a backend's WindowRanker, so that RunSearch counts and
// ranks a first page with a statement each.
type plainSteps struct{ store.SearchSteps }

// RankWindowPagesAsFacetsAndRankDo checks a backend's WindowRanker, on s,
// an empty store: the one-pass first page gives the same pages, totals,
// facets and keys as counting and ranking apart, for windows that hold
// every match, some, or none, with and without a filter, with and without
// text, and with reports the viewer may not see.
func RankWindowPagesAsFacetsAndRankDo(t *testing.T, s store.Store, steps SearchStepsOf) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(s, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	sources := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	for i := range 40 {
		// The word's count varies, so do the scores; some reports are
		// for RU alone.
		dist := center.Distribution{All: true}
		if i%5 == 4 {
			dist = center.Distribution{Parties: []center.PartyCode{"RU"}}
		}
		body := strings.Repeat("قافلة ", 1+i%4) + fmt.Sprintf("تقرير رقم %d عن الطريق", i)
		if _, err := rec.SubmitReport(ctx, testkit.Analyst(sources[i%len(sources)]), center.Draft{Title: fmt.Sprintf("r%d", i), Body: body,
			Language: "ar", TLP: center.TLPGreen, Distribution: dist}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	word := store.TextQuery{All: []store.Alternatives{{{Surface: []string{"قافله"}, Stems: []string{"قافل"}}}}}
	for _, window := range []int{0, 7, 31, 32, 100} {
		for _, filter := range []store.SearchFilter{{}, {Sources: []center.PartyCode{"SY", "IR"}}} {
			for _, text := range []store.TextQuery{word, {}} {
				t.Run(fmt.Sprintf("window %d, filter %v, text %v", window, filter.Sources, !text.Empty()), func(t *testing.T) {
					q := store.SearchQuery{Text: text, Filter: filter, Limit: 5, Window: window}
					var pages int
					for {
						sq, err := steps("IQ", q)
						if err != nil {
							t.Fatal(err)
						}
						if _, ok := sq.(store.WindowRanker); !ok {
							t.Fatal("the backend's search steps rank no window")
						}
						one, err := store.RunSearch(ctx, sq, q)
						if err != nil {
							t.Fatal(err)
						}
						two, err := store.RunSearch(ctx, plainSteps{sq}, q)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(one, two) {
							t.Fatalf("page %d:\nwith RankWindow %s\nwithout        %s", pages, pageSummary(one), pageSummary(two))
						}
						pages++
						if one.Next == nil {
							break
						}
						q.After = one.Next
					}
					if pages < 2 {
						t.Errorf("%d pages; want the test to page", pages)
					}
				})
			}
		}
	}
}

// pageSummary is a page as a failure message shows it.
func pageSummary(p store.SearchPage) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d exact %v facets %v next %+v hits", p.Total, p.TotalExact, p.Facets, p.Next)
	for _, h := range p.Hits {
		fmt.Fprintf(&b, " %d:%.4f", h.Report.Seq, h.Score)
	}
	return b.String()
}
