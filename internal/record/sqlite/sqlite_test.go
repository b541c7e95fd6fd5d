package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
)

func TestContract(t *testing.T) { storetest.Run(t, newStore) }

// TestBatches: the multi-row statements leave what one statement a row
// leaves.
func TestBatches(t *testing.T) { storetest.RunBatches(t, newStore) }

func newStore(t *testing.T) store.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
