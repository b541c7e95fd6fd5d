package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
)

func TestContract(t *testing.T) { storetest.Run(t, newStore) }

// TestBatches: the multi-row statements leave what one statement a row
// leaves.
func TestBatches(t *testing.T) { storetest.RunBatches(t, newStore) }

// newStore opens a store for the contract; when the test ends, what it
// wrote must hold every reference the schema declares.
func newStore(t *testing.T) store.Store {
	path := filepath.Join(t.TempDir(), "tabadul.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkOnClose(t, s, path)
	return s
}

// checkOnClose closes s, at path, when the test ends, and then checks that
// what the test wrote keeps every rule the schema states (CheckIntegrity).
func checkOnClose(t testing.TB, s *sqlite.Store, path string) {
	t.Cleanup(func() {
		s.Close()
		if err := sqlite.CheckIntegrity(context.Background(), path); err != nil {
			t.Error(err)
		}
	})
}

// TestCheckIntegrity: each rule the store keeps without the database
// enforcing it is reported when broken, with the table or report it
// concerns; a store as the write path leaves it is not.
func TestCheckIntegrity(t *testing.T) {
	ctx := context.Background()
	_, _, _, path := newOutbox(t, func(s store.Store) store.Store { return s }, 3)
	if err := sqlite.CheckIntegrity(ctx, path); err != nil {
		t.Fatalf("a store the write path wrote: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, c := range []struct {
		name, breaks, undoes, want string
	}{
		{"a reference naming no row",
			`INSERT INTO version_tags (tag, seq) VALUES ('x', 999)`,
			`DELETE FROM version_tags WHERE seq = 999`,
			"of version_tags names no versions"},
		{"a second view of one report",
			`INSERT INTO report_views (view, rid, source, tlp, language, version)
				SELECT view + 1000, rid, source, tlp, language, version FROM report_views LIMIT 1`,
			`DELETE FROM report_views WHERE seq > 1000`,
			"has 2 views of report"},
		{"a view naming no version",
			`INSERT INTO report_views (view, rid, source, tlp, language, version)
				SELECT view + 1000, rid, source, tlp, language, version FROM report_views LIMIT 1`,
			`DELETE FROM report_views WHERE seq > 1000`,
			"of report_views names no version"},
		{"a view naming no party",
			`INSERT INTO report_views (view, rid, source, tlp, language, version)
				SELECT 999 << 40 | seq, rid, source, tlp, language, version FROM report_views LIMIT 1`,
			`DELETE FROM report_views WHERE view >> 40 = 999`,
			"of report_views names no party"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := db.Exec(c.breaks); err != nil {
				t.Fatal(err)
			}
			err := sqlite.CheckIntegrity(ctx, path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("CheckIntegrity = %v, want %q", err, c.want)
			}
			// The store's own check, when the test ends, would report it too.
			if _, err := db.Exec(c.undoes); err != nil {
				t.Fatal(err)
			}
		})
	}
}
