package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestPurgeUnlinksExtraction: retention's purge erases what extraction
// linked a report's versions to — mentions, observables, items, the
// near-duplicate signature, bands and edges — as on SQLite, so erased
// text leaves nothing behind, and the report no longer turns up among
// another report's related ones.
func TestPurgeUnlinksExtraction(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	s, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(s, clock, center.DefaultLimits)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	rec.ExtractWith(analyze.NewRegistry(s))
	if _, err := rec.SeedEntities(ctx, []store.Entity{{ID: "location--IQ", Type: store.Location, Name: "Iraq",
		Aliases: []store.Alias{{Lang: "en", Name: "Iraq"}}}}); err != nil {
		t.Fatal(err)
	}
	all := center.Distribution{All: true}
	body := strings.Repeat("A convoy of trucks crossed from Iraq near the border post at dawn, seen from 10.9.8.7 by the patrol. ", 4)
	submit := func(who center.PartyCode, title string) center.Report {
		r, err := rec.SubmitReport(ctx, testkit.Analyst(who), center.Draft{Title: title, Body: body, Language: "en", TLP: center.TLPGreen, Distribution: all})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	gone := submit("SY", "convoy")
	kept := submit("IQ", "convoy again")

	links := func(id string) map[string]int {
		counts := map[string]int{}
		for table, cond := range map[string]string{
			"entity_mentions": "seq", "version_observables": "seq", "version_items": "seq",
			"dup_signatures": "seq", "dup_bands": "seq", "dup_edges": "a_seq IN (SELECT seq FROM s) OR b_seq",
		} {
			var n int
			if err := pool.QueryRow(ctx, `WITH s AS (SELECT v.seq FROM versions v JOIN reports r ON r.rid = v.rid WHERE r.id = $1)
				SELECT count(*) FROM `+table+` WHERE `+cond+` IN (SELECT seq FROM s)`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			counts[table] = n
		}
		return counts
	}
	for table, n := range links(gone.ID) {
		if n == 0 {
			t.Fatalf("before the purge, %s holds nothing of the report: the test would prove nothing", table)
		}
	}
	if dups, err := s.NearDuplicates(ctx, "IQ", kept.ID); err != nil || len(dups) != 1 || dups[0].ReportID != gone.ID {
		t.Fatalf("near-duplicates before the purge: %+v, %v", dups, err)
	}

	if _, err := rec.RevokeReport(ctx, testkit.Analyst("SY"), gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := rec.SetRetention(ctx, testkit.Officer("IQ"), 30); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * 24 * time.Hour)
	if n, err := rec.PurgeExpired(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v", n, err)
	}
	for table, n := range links(gone.ID) {
		if n != 0 {
			t.Errorf("after the purge, %s keeps %d rows of the erased report", table, n)
		}
	}
	if dups, err := s.NearDuplicates(ctx, "IQ", kept.ID); err != nil || len(dups) != 0 {
		t.Errorf("near-duplicates after the purge: %+v, %v", dups, err)
	}
	posts, err := s.RelatedPostings(ctx, "IQ", kept.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range posts {
		if p.Count != 0 {
			t.Errorf("after the purge, %s still relates %v", p.Item.Key, p.Reports)
		}
	}
}
