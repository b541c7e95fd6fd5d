package postgres

import (
	"context"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
)

// TestRankWindowPagesAsFacetsAndRankDo: the first page that one
// statement counts and ranks is the one that counting and ranking apart
// give.
func TestRankWindowPagesAsFacetsAndRankDo(t *testing.T) {
	s, err := Open(context.Background(), pgtest.NewDatabase(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.RankWindowPagesAsFacetsAndRankDo(t, s, func(viewer center.PartyCode, q store.SearchQuery) (store.SearchSteps, error) {
		return s.searchSQL(viewer, q)
	})
}

// TestSearchTSVectorsLZ4: the index's tsvectors are compressed with lz4,
// which ts_rank decompresses several times faster than pglz (migration
// 00021; Debian's PostgreSQL is built with lz4), and kept in their rows,
// not the TOAST table (00022).
func TestSearchTSVectorsLZ4(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var method, storage string
	if err := s.pool.QueryRow(ctx, `SELECT attcompression::text, attstorage::text FROM pg_attribute
		WHERE attrelid = 'search'::regclass AND attname = 'tsv'`).Scan(&method, &storage); err != nil {
		t.Fatal(err)
	}
	if method != "l" {
		t.Errorf("the tsv column's compression is %q; want l (lz4)", method)
	}
	if storage != "m" {
		t.Errorf("the tsv column's storage is %q; want m (main: compressed in the row)", storage)
	}
}
