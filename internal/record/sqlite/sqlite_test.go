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
// what the test wrote holds every reference the schema declares.
func checkOnClose(t testing.TB, s *sqlite.Store, path string) {
	t.Cleanup(func() {
		s.Close()
		if err := sqlite.CheckReferences(context.Background(), path); err != nil {
			t.Error(err)
		}
	})
}

// TestCheckReferences: a row naming a version that does not exist is
// reported, with its table; a store as the write path leaves it is not.
func TestCheckReferences(t *testing.T) {
	ctx := context.Background()
	_, _, _, path := newOutbox(t, func(s store.Store) store.Store { return s }, 3)
	if err := sqlite.CheckReferences(ctx, path); err != nil {
		t.Fatalf("a store the write path wrote: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO audience (party, seq) VALUES ('IQ', 999)`); err != nil {
		t.Fatal(err)
	}
	err = sqlite.CheckReferences(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "of audience names no versions") {
		t.Errorf("CheckReferences = %v, want the audience row naming no version", err)
	}
	// The store's own check, when the test ends, would report it too.
	if _, err := db.Exec(`DELETE FROM audience WHERE seq = 999`); err != nil {
		t.Fatal(err)
	}
}
