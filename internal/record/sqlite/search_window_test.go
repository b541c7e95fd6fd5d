package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
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
		return s.searchSQL(viewer, q)
	})
}
