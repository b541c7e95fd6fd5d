package postgres

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
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// plainSteps hides a backend's WindowRanker, so that RunSearch counts and
// ranks a first page with a statement each.
type plainSteps struct{ store.SearchSteps }

// TestRankWindowPagesAsFacetsAndRankDo: the one-statement first page
// gives the same pages, totals, facets and keys as counting and ranking
// apart, for windows that hold every match, some, or none, with and
// without a filter, and with reports the viewer may not see.
func TestRankWindowPagesAsFacetsAndRankDo(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
						sq, err := s.searchSQL("IQ", q)
						if err != nil {
							t.Fatal(err)
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
							t.Fatalf("page %d:\nwith RankWindow %+v\nwithout        %+v", pages, one, two)
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

// TestSearchTSVectorsLZ4: the index's tsvectors are compressed with lz4,
// which ts_rank decompresses several times faster than pglz (migration
// 00021; Debian's PostgreSQL is built with lz4).
func TestSearchTSVectorsLZ4(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var method string
	if err := s.pool.QueryRow(ctx, `SELECT attcompression::text FROM pg_attribute
		WHERE attrelid = 'search'::regclass AND attname = 'tsv'`).Scan(&method); err != nil || method != "l" {
		t.Errorf("the tsv column's compression is %q, %v; want l (lz4)", method, err)
	}
}
