package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// TestReceiptsAudit: the log's audit rebuilds each delivery.receipts
// event's receipts from the rows that name it, so a receipt row edited,
// unlinked from its event, or left without its event is named; an
// untouched center passes.
func TestReceiptsAudit(t *testing.T) {
	ctx := context.Background()
	s, rec, clock, path := newOutbox(t, func(s store.Store) store.Store { return s }, 6)
	now := clock.Advance(time.Minute)
	due, err := s.DueDeliveries(ctx, store.DueQuery{Now: now, Limit: 100})
	if err != nil || len(due) != 12 {
		t.Fatalf("%d due, %v", len(due), err)
	}
	// Two batches of receipts, and a failure between them.
	for i, batch := range [][]store.Delivery{due[:5], due[5:11]} {
		var rs []record.AttemptResult
		for j, d := range batch {
			rs = append(rs, record.AttemptResult{Delivery: d, Attempt: store.Attempt{At: now.Add(time.Duration(10*i+j) * time.Millisecond), Status: 200 + j}, State: store.Delivered})
		}
		if err := rec.RecordAttempts(ctx, rs, record.Breaker{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.RecordAttempts(ctx, []record.AttemptResult{{Delivery: due[11], Attempt: store.Attempt{At: now, Status: 500}, State: store.Pending, Next: now.Add(time.Hour)}}, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	audit := func() []string {
		t.Helper()
		rep, err := tlog.Check(ctx, s, tlog.CheckOptions{Audit: true})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range rep.Problems {
			out = append(out, p.String())
		}
		return out
	}
	if ps := audit(); len(ps) != 0 {
		t.Fatalf("an untouched center: %q", ps)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var receipts int
	db.QueryRow(`SELECT count(*) FROM events WHERE type = 'delivery.receipts'`).Scan(&receipts)
	if receipts != 2 {
		t.Fatalf("%d receipts events for two batches", receipts)
	}
	tests := []struct {
		desc, tamper, restore, names string
	}{
		{"a receipt's status edited",
			`UPDATE deliveries SET last_status = 299 WHERE id = '` + due[1].ID + `'`,
			`UPDATE deliveries SET last_status = 201 WHERE id = '` + due[1].ID + `'`,
			"the receipts of"},
		{"a receipt's time edited",
			`UPDATE deliveries SET done = done + 1 WHERE id = '` + due[6].ID + `'`,
			`UPDATE deliveries SET done = done - 1 WHERE id = '` + due[6].ID + `'`,
			"the receipts of"},
		{"a receipt unlinked from its event",
			`UPDATE deliveries SET receipt_event = NULL WHERE id = '` + due[2].ID + `'`,
			`UPDATE deliveries SET receipt_event = (SELECT receipt_event FROM deliveries WHERE id = '` + due[0].ID + `') WHERE id = '` + due[2].ID + `'`,
			"delivery " + due[2].ID + ": delivered, but it names no event"},
		{"a receipt moved to the other batch's event",
			`UPDATE deliveries SET receipt_event = (SELECT receipt_event FROM deliveries WHERE id = '` + due[5].ID + `') WHERE id = '` + due[3].ID + `'`,
			`UPDATE deliveries SET receipt_event = (SELECT receipt_event FROM deliveries WHERE id = '` + due[0].ID + `') WHERE id = '` + due[3].ID + `'`,
			"the receipts of"},
		{"a pending delivery marked delivered",
			`UPDATE deliveries SET state = 'delivered', done = next_attempt WHERE id = '` + due[11].ID + `'`,
			`UPDATE deliveries SET state = 'pending', done = NULL WHERE id = '` + due[11].ID + `'`,
			"delivery " + due[11].ID + ": delivered, but it names no event"},
	}
	for _, tt := range tests {
		if _, err := db.Exec(tt.tamper); err != nil {
			t.Fatalf("%s: %v", tt.tamper, err)
		}
		ps := audit()
		if !strings.Contains(strings.Join(ps, "\n"), tt.names) {
			t.Errorf("%s: the audit found %q, want a problem naming %q", tt.desc, ps, tt.names)
		}
		if _, err := db.Exec(tt.restore); err != nil {
			t.Fatalf("%s: %v", tt.restore, err)
		}
		if ps := audit(); len(ps) != 0 {
			t.Fatalf("%s, restored: %q", tt.desc, ps)
		}
	}
	// Rows deleted under an event: the event's rebuilt receipts fall
	// short of its digest.
	if _, err := db.Exec(`DELETE FROM delivery_attempts WHERE delivery = (SELECT seq FROM deliveries WHERE id = '` + due[4].ID + `')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM deliveries WHERE id = '` + due[4].ID + `'`); err != nil {
		t.Fatal(err)
	}
	if ps := audit(); !strings.Contains(strings.Join(ps, "\n"), "the receipts of") {
		t.Errorf("a receipt row deleted: the audit found %q", ps)
	}
}
