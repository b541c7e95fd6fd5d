package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

// TestDuePlans checks that the worker's reads walk the index of pending
// rows from where they start, in their order: a read for all endpoints
// that continues after a row seeks to it rather than walking past every
// row before it.
func TestDuePlans(t *testing.T) {
	s := planStore(t)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		desc string
		q    store.DueQuery
		want string
	}{
		{"all endpoints", store.DueQuery{}, "SEARCH d USING INDEX deliveries_due (next_attempt<?)"},
		{"all endpoints, continued", store.DueQuery{After: 7, AfterDue: now.Add(-time.Minute)},
			"SEARCH d USING INDEX deliveries_due (next_attempt>? AND next_attempt<?)"},
		{"one endpoint", store.DueQuery{Endpoint: "endpoint--1", After: 7},
			"SEARCH d USING INDEX deliveries_pending_by_endpoint (endpoint=? AND seq>?)"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			tt.q.Now, tt.q.Limit = now, 100
			query, args, err := dueQuery(tt.q, dueOutboundHeadColumns, dueOutboundJoins)
			if err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(queryPlan(t, s, query, args...), "\n")
			if !strings.Contains(plan, tt.want) || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
				t.Errorf("plan:\n%s\nwant %s, no sort", plan, tt.want)
			}
		})
	}
}
