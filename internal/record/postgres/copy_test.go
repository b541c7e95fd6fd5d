package postgres_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/sqlite"
)

// TestCopiedTablesCoverTheSchema: every table of the SQLite schema but
// the search index is among CopiedTables, with the same columns on both
// backends, and every table comes after the tables it refers to — so
// that `tabadul migrate` keeps a center whole when a feature adds a
// table.
func TestCopiedTablesCoverTheSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tabadul.db")
	ls, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ls.Close()
	lite, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	url := pgtest.NewDatabase(t)
	ps, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps.Close()
	pg, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()

	// liteStrings reads one text column from SQLite.
	liteStrings := func(query string, args ...any) []string {
		t.Helper()
		rows, err := lite.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tables := liteStrings(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name != 'goose_db_version'
		AND name != 'search' AND name NOT LIKE 'search\_%' ESCAPE '\' ORDER BY name`)
	if len(tables) < len(postgres.CopiedTables) {
		t.Fatalf("SQLite has %d tables, fewer than the %d copied: %v", len(tables), len(postgres.CopiedTables), tables)
	}
	for _, table := range tables {
		if !slices.Contains(postgres.CopiedTables, table) {
			t.Errorf("table %s of the SQLite schema is not copied by migrate", table)
			continue
		}
		liteCols := liteStrings(`SELECT name FROM pragma_table_info(?) ORDER BY name`, table)
		if read, ok := postgres.CopiedFrom[table]; ok {
			// A table whose layout differs is read in PostgreSQL's columns.
			rows, err := lite.QueryContext(ctx, read+` LIMIT 0`)
			if err != nil {
				t.Fatal(err)
			}
			liteCols, err = rows.Columns()
			rows.Close()
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(liteCols)
		}
		prows, err := pg.Query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name`, table)
		if err != nil {
			t.Fatal(err)
		}
		pgCols, err := pgx.CollectRows(prows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(liteCols, pgCols) {
			t.Errorf("table %s: columns on SQLite %v, on PostgreSQL %v", table, liteCols, pgCols)
		}
	}
	// References point backwards in the copy's order.
	frows, err := pg.Query(ctx, `
		SELECT DISTINCT c.conrelid::regclass::text, c.confrelid::regclass::text
		FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
	if err != nil {
		t.Fatal(err)
	}
	defer frows.Close()
	for frows.Next() {
		var from, to string
		if err := frows.Scan(&from, &to); err != nil {
			t.Fatal(err)
		}
		from, to = strings.Trim(from, `"`), strings.Trim(to, `"`)
		if from == to || from == "search" {
			continue
		}
		if slices.Index(postgres.CopiedTables, to) > slices.Index(postgres.CopiedTables, from) {
			t.Errorf("%s refers to %s, which is copied after it", from, to)
		}
	}
}
