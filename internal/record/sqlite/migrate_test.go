package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/schema"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// oldDatabase creates a database at schema version, runs stmts in it, and
// returns its path, for sqlite.Open to migrate.
func oldDatabase(t *testing.T, version int64, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, schema.SQLite())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// migrated brings the database at path up to date, as sqlite.Open does,
// and opens it for a test to read its rows as they are.
func migrated(t *testing.T, path string) *sql.DB {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrationFromTheUnicode61Index: a database whose search table
// tokenized with unicode61 (schema 12) loses it and the stamp of the
// analysis that built it, and gets an empty index with the ascii tokenizer
// in the index's own database, to be rebuilt there; its other rows stay.
func TestMigrationFromTheUnicode61Index(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, 12,
		`INSERT INTO meta (key, value) VALUES ('index_analysis', 'r0-old'), ('kept', 'yes')`,
		`INSERT INTO search (rowid, surface, stems) VALUES (1, 'قافله', 'قافل')`)
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Meta(ctx, "index_analysis"); err != nil || v != "" {
		t.Errorf("index_analysis after the migration = %q, %v; want none", v, err)
	}
	if v, err := s.Meta(ctx, "kept"); err != nil || v != "yes" {
		t.Errorf("another setting after the migration = %q, %v", v, err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name LIKE 'search%'`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("the store's own search tables after the migration: %d, %v; want none", rows, err)
	}
	db, err = sql.Open("sqlite", "file:"+path+"-search")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ddl string
	if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = 'search'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl, "tokenize = 'ascii'") || !strings.Contains(ddl, "filters") {
		t.Errorf("search table after the migration:\n%s", ddl)
	}
	if err := db.QueryRow(`SELECT count(*) FROM search_docsize`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("the old index's rows: %d, %v; want none", rows, err)
	}
	var automerge int
	if err := db.QueryRow(`SELECT v FROM search_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != 16 {
		t.Errorf("the index's automerge = %d, %v; want 16", automerge, err)
	}
}

// TestMigrationNamesOldReceipts: in a database from before receipts were
// logged by the batch (schema 14), each delivered delivery gets the id of
// the delivery.receipt event that logged it; a pending or dead one names
// none.
func TestMigrationNamesOldReceipts(t *testing.T) {
	path := oldDatabase(t, 14,
		`INSERT INTO deliveries (seq, id, party, endpoint, subscription, inbox_seq, created, state, attempts, next_attempt, done)
		VALUES (1, 'msg_a', 'IQ', 'endpoint--x', 'subscription--x', 1, 1, 'delivered', 1, 1, 2),
			(2, 'msg_b', 'IQ', 'endpoint--x', 'subscription--x', 2, 1, 'pending', 0, 1, NULL),
			(3, 'msg_c', 'IQ', 'endpoint--x', 'subscription--x', 3, 1, 'dead', 16, 1, 9),
			(4, 'msg_d', 'SY', 'endpoint--y', 'subscription--y', 4, 1, 'delivered', 2, 1, 5)`,
		`INSERT INTO events (id, type, party, user, at, subject, digest, salt)
		VALUES ('event--1', 'report.submitted', 'IQ', 'u', 1, 'msg_a', x'00', x'00'),
			('event--2', 'delivery.receipt', 'IQ', '', 2, 'msg_a', x'00', x'00'),
			('event--3', 'delivery.dead', 'IQ', '', 9, 'msg_c', x'00', x'00'),
			('event--4', 'delivery.receipt', 'SY', '', 5, 'msg_d', x'00', x'00')`)
	db := migrated(t, path)
	want := map[string]string{"msg_a": "event--2", "msg_b": "", "msg_c": "", "msg_d": "event--4"}
	rows, err := db.Query(`SELECT id, receipt_event FROM deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var ev sql.NullString
		if err := rows.Scan(&id, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.String != want[id] {
			t.Errorf("delivery %s names %q, want %q", id, ev.String, want[id])
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("%d deliveries after the migration", n)
	}
}

// TestMigrationKeepsDeliveredAttemptsOnce: in a database from before the
// attempt that delivers was kept in its delivery's row alone (schema 17),
// the row that repeats it goes; every other attempt stays, and the
// endpoint's attempts list each once.
func TestMigrationKeepsDeliveredAttemptsOnce(t *testing.T) {
	path := oldDatabase(t, 17,
		`INSERT INTO deliveries (seq, id, party, endpoint, subscription, inbox_seq, created, state, attempts, next_attempt,
			last_status, last_error, last_latency, done)
		VALUES (1, 'msg_a', 'IQ', 'endpoint--x', 'subscription--x', 1, 1, 'delivered', 2, 1, 204, '', 7, 20),
			(2, 'msg_b', 'IQ', 'endpoint--x', 'subscription--x', 2, 1, 'pending', 1, 40, 503, 'answered 503', 9, NULL),
			(3, 'msg_c', 'IQ', 'endpoint--x', 'subscription--x', 3, 1, 'dead', 1, 1, 500, 'answered 500', 8, 30)`,
		`INSERT INTO delivery_attempts (delivery, n, at, status, latency, error)
		VALUES (1, 1, 10, 503, 5, 'answered 503'), (1, 2, 20, 204, 7, ''),
			(2, 1, 25, 503, 9, 'answered 503'), (3, 1, 30, 500, 8, 'answered 500')`)
	db := migrated(t, path)
	var kept int
	if err := db.QueryRow(`SELECT count(*) FROM delivery_attempts`).Scan(&kept); err != nil || kept != 3 {
		t.Fatalf("%d attempt rows after the migration, %v; want 3", kept, err)
	}
	rows, err := db.Query(sqlrow.EndpointAttemptsQuery, "endpoint--x")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, e string
		var n, at, status, latency int64
		if err := rows.Scan(&id, &n, &at, &status, &latency, &e); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%d@%d:%d", id, n, at, status))
	}
	want := []string{"msg_c/1@30:500", "msg_b/1@25:503", "msg_a/2@20:204", "msg_a/1@10:503"}
	if !slices.Equal(got, want) {
		t.Errorf("the endpoint's attempts: %v, want %v", got, want)
	}
}

// TestPageSize: the store makes its two databases with 16 KiB pages; a
// database made before keeps its own.
func TestPageSize(t *testing.T) {
	pageSize := func(path string) int {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, p := range []string{path, path + "-search"} {
		if n := pageSize(p); n != 16384 {
			t.Errorf("%s: page size %d, want 16384", filepath.Base(p), n)
		}
	}
	old := oldDatabase(t, 18)
	migrated(t, old)
	if n := pageSize(old); n != 4096 {
		t.Errorf("a database made before: page size %d, want its own 4096", n)
	}
}

// TestMigrationKeysViewsByPartyNumber: in a database from before views
// were keyed by the party's number (schema 20), each party gets a number
// in roster order, each view the key of its party and seq, and every
// party still sees what it saw, a removed one included; a party admitted
// afterwards gets the next number, and one admitted again keeps its own.
func TestMigrationKeysViewsByPartyNumber(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, 20,
		`INSERT INTO parties (code, kind, names, pos, removed) VALUES
			('IQ', 'member', '{}', 2, NULL), ('SY', 'member', '{}', 1, 5), ('JO', 'associate', '{}', 3, NULL)`,
		`INSERT INTO reports (rid, id, source, created) VALUES (1, 'report--a', 'IQ', 1)`,
		`INSERT INTO versions (seq, rid, version, author, title, body, language, tlp, distribution,
			reliability, credibility, tags, audience)
		VALUES (1, 1, 1, 'u', 'first', 'b', 'ar', 'green', '{}', 'B', '2', '[]', '["IQ","SY"]'),
			(2, 1, 2, 'u', 'second', 'b', 'ar', 'green', '{}', 'B', '2', '[]', '["IQ","JO"]')`,
		`INSERT INTO report_views (party, seq, rid, source, tlp, language, version) VALUES
			('IQ', 2, 1, 'IQ', 'green', 'ar', 2), ('JO', 2, 1, 'IQ', 'green', 'ar', 2), ('SY', 1, 1, 'IQ', 'green', 'ar', 1)`)
	db := migrated(t, path)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{`SELECT code || ':' || num FROM parties ORDER BY num`, []string{"SY:1", "IQ:2", "JO:3"}}, // roster order
		{`SELECT p.code || ':' || rv.seq FROM report_views rv JOIN parties p ON p.num = rv.view >> 40 ORDER BY rv.view`,
			[]string{"SY:1", "IQ:2", "JO:2"}},
	} {
		var got []string
		if err := sqlrow.Query(db.Query(c.query)).Each(sqlrow.Backend("sqlite"), "rows", func(sc sqlrow.Scanner) error {
			var v string
			err := sc.Scan(&v)
			got = append(got, v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.query, got, c.want)
		}
	}

	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for viewer, title := range map[center.PartyCode]string{"IQ": "second", "JO": "second", "SY": "first", "KW": ""} {
		rep, err := s.Report(ctx, viewer, "report--a")
		if title == "" {
			if !errors.Is(err, center.ErrNotFound) {
				t.Errorf("%s, no party, sees %q, %v; want not found", viewer, rep.Title, err)
			}
			continue
		}
		if err != nil || rep.Title != title {
			t.Errorf("%s sees %q, %v; want %q", viewer, rep.Title, err, title)
		}
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertParty(ctx, center.Party{Code: "KW", Kind: center.Member, Names: map[string]string{"en": "Kuwait"}}); err != nil {
			return err
		}
		return tx.InsertParty(ctx, center.Party{Code: "SY", Kind: center.Member, Names: map[string]string{"en": "Syria"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]int64{"KW": 4, "SY": 1} {
		var n int64
		if err := db.QueryRow(`SELECT num FROM parties WHERE code = ?`, code).Scan(&n); err != nil || n != want {
			t.Errorf("%s's number after admission = %d, %v; want %d", code, n, err, want)
		}
	}
	if rep, err := s.Report(ctx, "SY", "report--a"); err != nil || rep.Title != "first" {
		t.Errorf("SY admitted again sees %q, %v; want its own view", rep.Title, err)
	}
	if err := sqlite.CheckIntegrity(ctx, path); err != nil {
		t.Error(err)
	}
}
