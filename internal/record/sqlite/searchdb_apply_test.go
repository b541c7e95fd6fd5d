package sqlite

import (
	"context"
	"testing"

	"github.com/tabadul/tabadul/internal/record/store"
)

// TestApplyCountsEveryBatch: the index's committer applies the batches
// waiting for it in one transaction, and counts each of them, as the
// store's writer counted each when it queued them.
func TestApplyCountsEveryBatch(t *testing.T) {
	s := planStore(t)
	ctx := context.Background()
	before, err := metaInt(ctx, s.search.w, metaIndexApplied)
	if err != nil {
		t.Fatal(err)
	}
	doc := store.SearchDoc{Surface: []string{"قافله"}, Stems: []string{"قافل"}}
	batches := []indexBatch{
		{ops: []indexOp{{seq: 1, doc: doc}}},
		{ops: []indexOp{{seq: 2, doc: doc}, {seq: 1, del: true}}},
		{ops: []indexOp{{seq: 3, doc: doc}}},
	}
	if err := s.search.apply(batches); err != nil {
		t.Fatal(err)
	}
	after, err := metaInt(ctx, s.search.w, metaIndexApplied)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 3 {
		t.Errorf("applying three batches counted %d", after-before)
	}
	var rows int
	if err := s.search.w.QueryRow(`SELECT count(*) FROM search_docsize`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("rows after inserting 1, 2, 3 and deleting 1, in order: %d, %v; want 2", rows, err)
	}
}
