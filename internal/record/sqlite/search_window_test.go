package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestRankWindowPagesAsFacetsAndRankDo: the first page that
// tabadul_window counts and ranks is the one that counting and ranking
// apart give.
func TestRankWindowPagesAsFacetsAndRankDo(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tabadul.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.RankWindowPagesAsFacetsAndRankDo(t, s, func(viewer center.PartyCode, q store.SearchQuery) (store.SearchSteps, error) {
		return s.searchSQL(context.Background(), viewer, q)
	})
}

// TestSplitWindowCountsAsOne: a ranking split into parts counts, ranks
// and keys the same window as one statement, whether the parts hold
// fewer matches than the window, more, or exactly as many, for words
// spread over every seq and words found only among the newest.
func TestSplitWindowCountsAsOne(t *testing.T) {
	ctx := context.Background()
	s, rec, clock := recordingStore(t, Options{NoSync: true})
	sources := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	const reports = 240
	for i := range reports {
		dist := center.Distribution{All: true}
		if i%5 == 4 {
			dist = center.Distribution{Parties: []center.PartyCode{"RU"}}
		}
		body := strings.Repeat("قافلة ", 1+i%4) + fmt.Sprintf("تقرير رقم %d عن الطريق", i)
		if i%3 == 0 {
			body += " ميناء"
		}
		if i >= reports-40 { // a word of the newest reports only
			body += strings.Repeat(" مطار", 1+i%3)
		}
		if _, err := rec.SubmitReport(ctx, testkit.Analyst(sources[i%len(sources)]), center.Draft{Title: fmt.Sprintf("r%d", i), Body: body,
			Language: "ar", TLP: center.TLPGreen, Distribution: dist}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	// Split after a few matches, whatever the parts are expected to hold.
	s.split = splitRule{after: 4, minPart: 1}
	var splits int
	for _, query := range []string{"قافلة", "ميناء", "مطار", "قافلة OR مطار", "قافلة source:SY", "ميناء sort:newest"} {
		text, filter, err := analyze.CompileFilter(query)
		if err != nil {
			t.Fatal(err)
		}
		for _, viewer := range []center.PartyCode{"IQ", "RU"} {
			sq, err := s.searchSQL(context.Background(), viewer, store.SearchQuery{Text: text, Filter: filter, Newest: strings.Contains(query, "sort:newest")})
			if err != nil {
				t.Fatal(err)
			}
			for _, window := range []int{-1, 3, 10, 48, 80, 150, 5000} {
				for _, n := range []int{0, 7, 21} {
					s.searchParts = 1
					page, oldest, seqs, scores, err := sq.countWindow(ctx, window, n)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total == 0 {
						t.Fatalf("%q for %s: no match", query, viewer)
					}
					for _, parts := range []int{2, 3, 4} {
						s.searchParts = parts
						runs, _, err := sq.runWindow(ctx, window, n > 0)
						if err != nil {
							t.Fatal(err)
						}
						if len(runs) > 1 {
							splits++
						}
						p2, o2, seqs2, scores2, err := sq.countWindow(ctx, window, n)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(page, p2) || oldest != o2 || !slices.Equal(seqs, seqs2) || !slices.Equal(scores, scores2) {
							t.Errorf("%q for %s, window %d, best %d, in %d parts:\n got total %d %v oldest %d %v %v\nwant total %d %v oldest %d %v %v",
								query, viewer, window, n, parts, p2.Total, p2.Facets, o2, seqs2, scores2, page.Total, page.Facets, oldest, seqs, scores)
						}
					}
				}
			}
		}
	}
	if splits == 0 {
		t.Error("no ranking was split; the test checks nothing")
	}
}

// TestSplitWindowWhileRecording: rankings split into parts while reports
// are recorded fail nothing, and each counts at least what the one before
// it counted (the parts read at different moments, but a new report only
// ever lands in the newest part, which the first statement walks).
func TestSplitWindowWhileRecording(t *testing.T) {
	ctx := context.Background()
	s, rec, _ := recordingStore(t, Options{NoSync: true, SearchParts: 3})
	submit := func(i int) error {
		_, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), center.Draft{Title: fmt.Sprintf("r%d", i),
			Body: fmt.Sprintf("قافلة على الطريق رقم %d", i), Language: "ar", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
		return err
	}
	for i := range 60 {
		if err := submit(i); err != nil {
			t.Fatal(err)
		}
	}
	s.split = splitRule{after: 4, minPart: 1}
	text, filter, err := analyze.CompileFilter("قافلة")
	if err != nil {
		t.Fatal(err)
	}
	sq, err := s.searchSQL(context.Background(), "SY", store.SearchQuery{Text: text, Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		for i := 60; i < 160; i++ {
			if err := submit(i); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	last, searches := 0, 0
	for recording := true; recording; searches++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			recording = false
		default:
		}
		page, _, seqs, _, err := sq.countWindow(ctx, 5000, 21)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total < last || len(seqs) != min(21, page.Total) {
			t.Fatalf("search %d: total %d after %d, %d best", searches, page.Total, last, len(seqs))
		}
		last = page.Total
	}
	if last != 160 {
		t.Errorf("the last search counted %d reports; want 160", last)
	}
}

// recordingStore opens a store in a test's directory, founds a center in
// it, and returns it with a Recorder that indexes reports and its clock.
func recordingStore(t *testing.T, opts Options) (*Store, *record.Recorder, *testkit.Clock) {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tabadul.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := testkit.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(s, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(context.Background(), testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	return s, rec, clock
}
