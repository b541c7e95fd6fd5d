package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestConnectionsMapTheirFiles: the writer, the index's committer and
// every reader (for the store's database and the attached index) read
// pages through a memory map rather than the page cache, whose one mutex
// the readers of a split ranking contend for.
func TestConnectionsMapTheirFiles(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		name   string
		query  func(string) (int64, error)
		pragma string
	}{
		{"writer", func(q string) (n int64, err error) { return n, s.w.QueryRowContext(ctx, q).Scan(&n) }, "PRAGMA mmap_size"},
		{"index committer", func(q string) (n int64, err error) { return n, s.search.w.QueryRowContext(ctx, q).Scan(&n) }, "PRAGMA mmap_size"},
		{"reader", func(q string) (n int64, err error) { return n, s.r.QueryRowContext(ctx, q).Scan(&n) }, "PRAGMA main.mmap_size"},
		{"reader, the index attached", func(q string) (n int64, err error) { return n, s.r.QueryRowContext(ctx, q).Scan(&n) }, "PRAGMA fts.mmap_size"},
	} {
		n, err := tc.query(tc.pragma)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n != mmapSize {
			t.Errorf("%s: %s = %d, want %d", tc.name, tc.pragma, n, mmapSize)
		}
	}
}
