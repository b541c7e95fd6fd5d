package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

// TestTAXIIPlans checks that each TAXII plan walks its index in order: no
// scan of a table and no sort of a whole range, which a page deep in a
// million objects would pay for on every request. Only the per-type
// ranges of at most Limit+1 rows, for their merge, and an id list's few
// versions are sorted.
func TestTAXIIPlans(t *testing.T) {
	s := planStore(t)
	after := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		desc  string
		q     store.TAXIIQuery
		sorts int
	}{
		{"a party's objects", store.TAXIIQuery{AddedAfter: after}, 0},
		{"all versions", store.TAXIIQuery{AddedAfter: after, Versions: store.VersionMatch{All: true}}, 0},
		{"first versions", store.TAXIIQuery{Versions: store.VersionMatch{First: true}}, 0},
		{"a source", store.TAXIIQuery{AddedAfter: after, Source: "IQ"}, 0},
		{"a source's exact versions", store.TAXIIQuery{Source: "IQ", Versions: store.VersionMatch{Exact: []time.Time{after}}}, 0},
		// Each type's range of at most Limit+1 rows is sorted for the merge.
		{"types", store.TAXIIQuery{AddedAfter: after, Types: []string{"indicator", "identity"}, Source: "IQ"}, 2},
		{"ids", store.TAXIIQuery{IDs: []string{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, Types: []string{"indicator"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			tt.q.Limit = 100
			query, args, err := taxiiQuery("SY", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			plan := queryPlan(t, s, query, args...)
			text := strings.Join(plan, "\n")
			sorts := strings.Count(text, "TEMP B-TREE")
			scans := strings.Contains(text, "SCAN v") || strings.Contains(text, "SCAN o") || strings.Contains(text, "SCAN n")
			if sorts != tt.sorts || scans {
				t.Errorf("plan:\n%s", text)
			}
		})
	}
}

// planStore opens an empty store, whose statements' plans a test reads.
func planStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "tabadul.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// queryPlan returns the detail lines of SQLite's plan for a query.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
