package sqlite

import (
	"context"
	"testing"
	"time"

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

// sendSegments sends the index's committer n batches of one version each,
// each its own transaction and so its own segment, and waits until it
// applied them and, if tidy, merged what they left.
func sendSegments(t *testing.T, s *Store, n int, tidy bool) store.SearchDoc {
	t.Helper()
	ctx := context.Background()
	before, err := metaInt(ctx, s.search.w, metaIndexApplied)
	if err != nil {
		t.Fatal(err)
	}
	doc := store.SearchDoc{Surface: []string{"والقافله", "حدود"}, Stems: []string{"قافل", "حدود"}}
	for i := range n {
		s.search.send(indexBatch{ops: []indexOp{{seq: int64(i + 1), doc: doc}}})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		applied, err := metaInt(ctx, s.search.w, metaIndexApplied)
		if err != nil {
			t.Fatal(err)
		}
		if applied == before+int64(n) && (!tidy || !s.search.untidy.Load()) {
			return doc
		}
		if time.Now().After(deadline) {
			t.Fatalf("applied %d of %d batches, untidy %v", applied-before, n, s.search.untidy.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleMerging: once no batch has come for the quiet period, the
// index's committer merges the segments that batches left, a step at a
// time, until a step finds nothing to merge; the index still finds every
// version.
func TestIdleMerging(t *testing.T) {
	s := planStore(t)
	s.search.quiet.Store(int64(10 * time.Millisecond))
	const n = 40
	sendSegments(t, s, n, true)
	if s.search.mergeStep() {
		t.Error("the committer left segments to merge")
	}
	for _, q := range []string{`stems : "قافل"`, `surface : "والقافله"`, `{surface stems} : "حدود"`} {
		var found int
		if err := s.search.w.QueryRow(`SELECT count(*) FROM search WHERE search MATCH ?`, q).Scan(&found); err != nil || found != n {
			t.Errorf("%s: %d matches, %v; want %d", q, found, err, n)
		}
	}
}

// TestNoMergingBeforeQuiet: batches that come closer together than the
// quiet period are not followed by merges, which would take the CPU that
// a bulk load's writer and analysis need.
func TestNoMergingBeforeQuiet(t *testing.T) {
	s := planStore(t)
	s.search.quiet.Store(int64(time.Hour))
	// 12 batches make 4 to 12 segments, as the committer gathers up to 3
	// queued batches a transaction: enough for a merge step, too few for
	// FTS5's automerge (16) to merge them as it commits.
	sendSegments(t, s, 12, false)
	if !s.search.untidy.Load() {
		t.Error("the index is marked tidy before the quiet period")
	}
	if !s.search.mergeStep() {
		t.Error("the committer merged before the quiet period")
	}
}

// TestMergeStep: a merge step over many small segments does work until
// none is left, and then reports so.
func TestMergeStep(t *testing.T) {
	s := planStore(t)
	doc := store.SearchDoc{Surface: []string{"convoys"}, Stems: []string{"convoy"}}
	for i := range 40 {
		if err := s.search.apply([]indexBatch{{ops: []indexOp{{seq: int64(i + 1), doc: doc}}}}); err != nil {
			t.Fatal(err)
		}
	}
	steps := 0
	for s.search.mergeStep() {
		if steps++; steps > 100 {
			t.Fatal("merging never ends")
		}
	}
	if steps == 0 {
		t.Error("forty segments and nothing to merge")
	}
	var found int
	if err := s.search.w.QueryRow(`SELECT count(*) FROM search WHERE search MATCH 'stems : convoy'`).Scan(&found); err != nil || found != 40 {
		t.Errorf("after merging: %d matches, %v; want 40", found, err)
	}
}
