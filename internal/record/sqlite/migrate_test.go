package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/tabadul/tabadul/internal/record/schema"
	"github.com/tabadul/tabadul/internal/record/sqlite"
)

// TestMigrationFromTheUnicode61Index: a database whose search table
// tokenized with unicode61 (schema 12) gets the ascii tokenizer, and loses
// the stamp of the analysis that built its index, so that the index is
// rebuilt; its other rows stay.
func TestMigrationFromTheUnicode61Index(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, schema.SQLite())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO meta (key, value) VALUES ('index_analysis', 'r0-old'), ('kept', 'yes')`,
		`INSERT INTO search (rowid, surface, stems) VALUES (1, 'قافله', 'قافل')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

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
	db, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ddl string
	var rows int
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
