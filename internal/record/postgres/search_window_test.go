package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

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

// TestFilterLexemes: a search's filters, as tsFilterQuery writes them,
// match the lexemes insertSearch builds from a version's fields, whatever
// a tag holds, and only those.
func TestFilterLexemes(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// As insertSearch builds them: source IQ, TLP AMBER+STRICT, language
	// ar, and two tags.
	const vector = `array_to_tsvector(ARRAY['source=IQ', 'tlp=AMBER+STRICT', 'language=ar', 'tag=it''s', 'tag=a\b & c'])`
	for _, tt := range []struct {
		f    store.SearchFilter
		want bool
	}{
		{store.SearchFilter{Sources: []center.PartyCode{"IQ"}}, true},
		{store.SearchFilter{Sources: []center.PartyCode{"SY", "IQ"}, TLPs: []center.TLP{center.TLPAmberStrict}}, true},
		{store.SearchFilter{Languages: []string{"ar"}, Tags: []string{`it's`}}, true},
		{store.SearchFilter{Tags: []string{`a\b & c`}}, true},
		{store.SearchFilter{Sources: []center.PartyCode{"SY"}}, false},
		{store.SearchFilter{Sources: []center.PartyCode{"IQ"}, Languages: []string{"fa"}}, false},
		{store.SearchFilter{Tags: []string{"it"}}, false},
	} {
		q := tsFilterQuery(tt.f)
		var got bool
		if err := conn.QueryRow(ctx, `SELECT `+vector+` @@ $1::tsquery`, q).Scan(&got); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if got != tt.want {
			t.Errorf("%+v: %q matches %v, want %v", tt.f, q, got, tt.want)
		}
	}
	if q := tsFilterQuery(store.SearchFilter{}); q != "" {
		t.Errorf("no filter: %q, want none", q)
	}
}
