package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestRankWindow: a query with more matches than the window ranks only the
// newest ones on its first pages, counts them all, and ranks them all when
// a page reaches past the window.
func TestRankWindow(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{RankWindow: 10, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(s, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		// The oldest reports say the word most often: BM25 would rank them
		// first without the window.
		body := "قافلة"
		for range 30 - i {
			body += " قافلة"
		}
		_, err := rec.SubmitReport(ctx, testkit.Analyst("IQ"), center.Draft{Title: fmt.Sprint(i), Body: body, TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
		if err != nil {
			t.Fatal(err)
		}
	}
	se := analyze.NewSearcher(s, nil)
	res, err := se.Search(ctx, "SY", "قافلة", 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 30 {
		t.Errorf("total %d, want 30", res.Total)
	}
	for _, h := range res.Hits {
		if h.Report.Title < "20" || len(h.Report.Title) != 2 {
			t.Errorf("first page holds report %q, outside the newest ten", h.Report.Title)
		}
	}
	deep, err := se.Search(ctx, "SY", "قافلة", 10, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(deep.Hits) != 10 || deep.Total != 30 {
		t.Errorf("past the window: %d hits, total %d", len(deep.Hits), deep.Total)
	}
}
