package tlog_test

import (
	"crypto/sha256"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/torchwood"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

// naiveRoot is RFC 6962's Merkle tree hash by its recursive definition: the
// oracle the stored tree is compared with.
func naiveRoot(leaves [][]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := naiveRoot(leaves[:k]), naiveRoot(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestIntegratorSequencesEveryEventOnce(t *testing.T) {
	f := newFixture(t, sqlite.Options{})
	f.in, _ = xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: f.st, Key: f.key, MaxBatch: 7})
	f.submit("IQ", 20)
	size := f.integrate()
	evs, err := f.st.Events(f.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if size != int64(len(evs)) {
		t.Fatalf("log size %d, want every event: %d", size, len(evs))
	}
	logged, err := f.st.LogEvents(f.ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	var leaves [][]byte
	for i, e := range logged {
		if e.Index != int64(i) || e.Seq != evs[i].Seq {
			t.Fatalf("entry %d is event seq %d (index %d), want seq %d: log order must be record order", i, e.Seq, e.Index, evs[i].Seq)
		}
		b, err := xtlog.EntryOf(e.Event).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, b)
	}

	// Every checkpoint's root is the naive tree's root of its prefix, and
	// the same by x/mod's tlog and by transparency-dev/merkle.
	cps, err := f.st.Checkpoints(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != (len(leaves)+6)/7 {
		t.Errorf("%d checkpoints for %d entries in batches of 7", len(cps), len(leaves))
	}
	for _, cp := range cps {
		n, err := note.Open(cp.Note, note.VerifierList(f.key.Verifier))
		if err != nil {
			t.Fatal(err)
		}
		c, err := torchwood.ParseCheckpoint(n.Text)
		if err != nil || c.Origin != "tabadul.test/log" || c.N != cp.Size {
			t.Fatalf("checkpoint %d: %+v, %v", cp.Size, c, err)
		}
		if want := naiveRoot(leaves[:c.N]); c.Hash != want {
			t.Errorf("checkpoint %d root %x, naive tree %x", c.N, c.Hash, want)
		}
		th, err := tlog.TreeHash(c.N, xtlog.HashReader(f.ctx, f.st))
		if err != nil || th != c.Hash {
			t.Errorf("checkpoint %d: x/mod tree hash %v, %v", c.N, th, err)
		}
	}

	// Inclusion and consistency proofs from the stored hashes verify with
	// transparency-dev/merkle.
	root := naiveRoot(leaves)
	hr := xtlog.HashReader(f.ctx, f.st)
	for i := range size {
		p, err := tlog.ProveRecord(size, i, hr)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(i), uint64(size), rfc6962.DefaultHasher.HashLeaf(leaves[i]), hashes(p), root[:]); err != nil {
			t.Errorf("inclusion of %d in %d: %v", i, size, err)
		}
	}
	for old := int64(1); old < size; old++ {
		p, err := tlog.ProveTree(size, old, hr)
		if err != nil {
			t.Fatal(err)
		}
		oldRoot := naiveRoot(leaves[:old])
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(old), uint64(size), hashes(p), oldRoot[:], root[:]); err != nil {
			t.Errorf("consistency %d to %d: %v", old, size, err)
		}
	}

	// Nothing is sequenced twice.
	if n, err := f.in.Step(f.ctx); n != 0 || err != nil {
		t.Errorf("a step with nothing pending added %d, %v", n, err)
	}
}

func hashes[H ~[]tlog.Hash](p H) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

func TestIntegratorRunsOnNotify(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	var checkpoints atomic.Int64
	got := make(chan int64, 100)
	in, err := xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: f.st, Key: f.key, MaxDelay: time.Hour,
		OnCheckpoint: func(n int64) { checkpoints.Add(1); got <- n }})
	if err != nil {
		t.Fatal(err)
	}
	f.rec.OnEvents(in.Notify)
	in.Start(f.ctx)
	defer in.Stop()
	// The founding's events wait for a wake: the first submission's notify
	// sequences them too.
	f.submit("SY", 1)
	evs, _ := f.st.Events(f.ctx, 0, 1000)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case n := <-got:
			if n == int64(len(evs)) {
				return
			}
		case <-deadline:
			t.Fatalf("no checkpoint of size %d after a notify; %d checkpoints", len(evs), checkpoints.Load())
		}
	}
}

func TestAppendLogRefusesGapsAndRepeats(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	f.integrate()
	f.submit("IQ", 1)
	evs, _ := f.st.Events(f.ctx, 0, 1000)
	last := evs[len(evs)-1]
	size, _ := f.st.LogSize(f.ctx)
	for _, tc := range []struct {
		desc  string
		start int64
		seq   int64
	}{
		{"gap", size + 1, last.Seq},
		{"overlap", size - 1, last.Seq},
		{"already logged", size, evs[0].Seq},
	} {
		err := f.st.Update(f.ctx, func(tx store.Tx) error {
			return tx.AppendLog(f.ctx, tc.start, []int64{tc.seq}, []tlog.Hash{{}})
		})
		if !errors.Is(err, center.ErrConflict) {
			t.Errorf("%s: AppendLog = %v, want ErrConflict", tc.desc, err)
		}
	}
}
