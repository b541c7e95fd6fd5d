package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// testTransparencyLog checks the log's tables: pending events, appends
// that refuse gaps and repeats, stored hashes, events by index, id and
// subject, checkpoints and witnesses — through Tx and Reader alike.
func testTransparencyLog(t *testing.T, f *fixture) {
	f.found()
	rep := f.submit("IQ", draft("a", center.TLPGreen, all))
	all0, err := f.s.Events(f.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if size, err := f.s.LogSize(f.ctx); err != nil || size != 0 {
		t.Fatalf("LogSize before any append = %d, %v", size, err)
	}
	var pending []center.Event
	update := func(fn func(tx store.Tx) error) error { return f.s.Update(f.ctx, fn) }
	if err := update(func(tx store.Tx) error {
		pending, err = tx.PendingEvents(f.ctx, 3)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(pending) != 3 || pending[0].Seq != all0[0].Seq || pending[2].Seq != all0[2].Seq {
		t.Fatalf("PendingEvents(3) = %d events, want the first 3 in seq order", len(pending))
	}
	if !slices.Equal(pending[0].Salt, all0[0].Salt) || len(pending[0].Digest) != 32 {
		t.Errorf("a pending event lost its salt or digest")
	}

	// Append the first three with made-up hashes: the store keeps what it
	// is given at the stored-hash indexes.
	h := func(b byte) tlog.Hash { return tlog.Hash{b} }
	seqs := []int64{pending[0].Seq, pending[1].Seq, pending[2].Seq}
	n := tlog.StoredHashIndex(0, 3)
	hashes := make([]tlog.Hash, n)
	for i := range hashes {
		hashes[i] = h(byte(i + 1))
	}
	if err := update(func(tx store.Tx) error { return tx.AppendLog(f.ctx, 0, seqs, hashes) }); err != nil {
		t.Fatal(err)
	}
	if size, err := f.s.LogSize(f.ctx); err != nil || size != 3 {
		t.Fatalf("LogSize = %d, %v; want 3", size, err)
	}
	got, err := f.s.LogHashes(f.ctx, []int64{2, 0, 1})
	if err != nil || got[0] != h(3) || got[1] != h(1) || got[2] != h(2) {
		t.Fatalf("LogHashes = %v, %v", got, err)
	}
	if _, err := f.s.LogHashes(f.ctx, []int64{0, n}); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("LogHashes of a missing index = %v, want ErrNotFound", err)
	}
	for _, bad := range []struct {
		desc  string
		start int64
		seqs  []int64
	}{
		{"a gap", 4, []int64{all0[3].Seq}},
		{"an overlap", 2, []int64{all0[3].Seq}},
		{"an event already logged", 3, []int64{all0[0].Seq}},
		{"an unknown event", 3, []int64{1 << 40}},
	} {
		if err := update(func(tx store.Tx) error {
			return tx.AppendLog(f.ctx, bad.start, bad.seqs, []tlog.Hash{h(9)})
		}); !errors.Is(err, center.ErrConflict) {
			t.Errorf("AppendLog with %s = %v, want ErrConflict", bad.desc, err)
		}
	}

	// Events by index, id and subject, with their place in the log.
	evs, err := f.s.LogEvents(f.ctx, 1, 10)
	if err != nil || len(evs) != 2 || evs[0].Index != 1 || evs[1].Index != 2 || evs[0].ID != all0[1].ID {
		t.Fatalf("LogEvents(1, 10) = %+v, %v", evs, err)
	}
	e, err := f.s.Event(f.ctx, all0[0].ID)
	if err != nil || e.Index != 0 || e.Seq != all0[0].Seq || !e.At.Equal(all0[0].At) {
		t.Errorf("Event(first) = %+v, %v", e, err)
	}
	last := all0[len(all0)-1]
	if e, err := f.s.Event(f.ctx, last.ID); err != nil || e.Index != -1 {
		t.Errorf("Event(pending) = index %d, %v; want -1", e.Index, err)
	}
	if _, err := f.s.Event(f.ctx, "event--nope"); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("Event(unknown) = %v, want ErrNotFound", err)
	}
	subj, err := f.s.SubjectEvents(f.ctx, rep.ID)
	if err != nil || len(subj) != 1 || subj[0].Type != center.ReportSubmitted || !subj[0].At.Equal(rep.Version) {
		t.Errorf("SubjectEvents(report) = %+v, %v", subj, err)
	}

	// Checkpoints: the note is written once, cosignatures may change.
	if _, err := f.s.LatestCheckpoint(f.ctx, false); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("LatestCheckpoint with none = %v, want ErrNotFound", err)
	}
	published := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, cp := range []store.Checkpoint{
		{Size: 2, Note: []byte("two\n")},
		{Size: 3, Note: []byte("three\n")},
		{Size: 2, Note: []byte("two\n"), Cosignatures: []byte("— w x\n"), CosignedBy: []center.PartyCode{"IQ"}, Published: published},
	} {
		if err := update(func(tx store.Tx) error { return tx.PutCheckpoint(f.ctx, cp) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := update(func(tx store.Tx) error {
		return tx.PutCheckpoint(f.ctx, store.Checkpoint{Size: 3, Note: []byte("another three\n")})
	}); !errors.Is(err, center.ErrConflict) {
		t.Errorf("re-signing a checkpoint = %v, want ErrConflict", err)
	}
	if c, err := f.s.LatestCheckpoint(f.ctx, false); err != nil || c.Size != 3 || !c.Published.IsZero() {
		t.Errorf("LatestCheckpoint(any) = %+v, %v", c, err)
	}
	c, err := f.s.LatestCheckpoint(f.ctx, true)
	if err != nil || c.Size != 2 || !c.Published.Equal(published) || string(c.Signed()) != "two\n— w x\n" ||
		!slices.Equal(c.CosignedBy, []center.PartyCode{"IQ"}) {
		t.Errorf("LatestCheckpoint(published) = %+v, %v", c, err)
	}
	if cps, err := f.s.Checkpoints(f.ctx); err != nil || len(cps) != 2 || cps[0].Size != 2 {
		t.Errorf("Checkpoints = %+v, %v", cps, err)
	}

	// Witnesses: one per party, replaced on re-registration; every key a
	// party's witness has had stays in WitnessKeys, with when it held.
	// (The store takes what it is given: the rules are the write path's.)
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i, w := range []store.Witness{
		{Party: "SY", VKey: "sy-1", URL: "http://127.0.0.1:1"},
		{Party: "IQ", VKey: "iq-1", URL: "http://127.0.0.1:2"},
		{Party: "SY", VKey: "sy-1", URL: "http://127.0.0.1:4"},
		{Party: "SY", VKey: "sy-2", URL: "http://127.0.0.1:3"},
	} {
		at := t0.Add(time.Duration(i) * time.Hour)
		if err := update(func(tx store.Tx) error { return tx.PutWitness(f.ctx, w, at) }); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := f.s.Witnesses(f.ctx)
	if err != nil || len(ws) != 2 || ws[0].Party != "IQ" || ws[1].VKey != "sy-2" || ws[1].URL != "http://127.0.0.1:3" {
		t.Errorf("Witnesses = %+v, %v", ws, err)
	}
	keys, err := f.s.WitnessKeys(f.ctx)
	want := []store.WitnessKey{
		{Party: "IQ", VKey: "iq-1", Since: t0.Add(time.Hour)},
		{Party: "SY", VKey: "sy-1", Since: t0, Until: t0.Add(3 * time.Hour)},
		{Party: "SY", VKey: "sy-2", Since: t0.Add(3 * time.Hour)},
	}
	if err != nil || len(keys) != len(want) {
		t.Fatalf("WitnessKeys = %+v, %v; want %+v", keys, err, want)
	}
	for i := range want {
		if k := keys[i]; k.Party != want[i].Party || k.VKey != want[i].VKey || !k.Since.Equal(want[i].Since) || !k.Until.Equal(want[i].Until) {
			t.Errorf("WitnessKeys[%d] = %+v, want %+v", i, k, want[i])
		}
	}
	if err := update(func(tx store.Tx) error {
		if k, err := tx.WitnessKeys(f.ctx); err != nil || len(k) != 3 {
			t.Errorf("WitnessKeys through a Tx = %+v, %v", k, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// A failed update's append leaves no trace.
	boom := errors.New("boom")
	if err := update(func(tx store.Tx) error {
		if err := tx.AppendLog(f.ctx, 3, []int64{all0[3].Seq}, []tlog.Hash{h(4)}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if size, _ := f.s.LogSize(f.ctx); size != 3 {
		t.Errorf("LogSize after a rolled-back append = %d, want 3", size)
	}

	// The audit's read sees every version, whoever may see it.
	f.submit("RU", draft("secret", center.TLPRed, toParties("RU")))
	vs, err := f.s.AuditVersions(f.ctx, 0, 10)
	if err != nil || len(vs) != 2 || vs[1].Title != "secret" || vs[0].Seq >= vs[1].Seq {
		t.Errorf("AuditVersions = %d versions, %v", len(vs), err)
	}
	if vs, err := f.s.AuditVersions(f.ctx, vs[0].Seq, 10); err != nil || len(vs) != 1 {
		t.Errorf("AuditVersions after the first = %d, %v", len(vs), err)
	}
}
