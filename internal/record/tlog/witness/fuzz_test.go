package witness_test

import (
	"bytes"
	"crypto/ed25519"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/record/tlog/witness"
)

// fuzzLogKey is made from a fixed seed, so that the committed corpus holds
// validly signed checkpoints.
func fuzzLogKey(t testing.TB) logKey {
	t.Helper()
	skey, vkey, err := note.GenerateKey(bytes.NewReader(make([]byte, 64)), "tabadul.test/log")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return logKey{signer: s, vkey: vkey}
}

// fuzzSeeds are requests to a witness that has cosigned the tree of size
// 10: a consistent one, the same again, a conflict, and malformed ones.
func fuzzSeeds(t testing.TB) [][]byte {
	lk := fuzzLogKey(t)
	m := &memTree{}
	m.grow(t, 10, "main")
	cp10 := lk.checkpoint(t, "tabadul.test/log", m.tree(t, 10))
	m.grow(t, 5, "main")
	cp15 := lk.checkpoint(t, "tabadul.test/log", m.tree(t, 15))
	proof, _ := tlog.ProveTree(15, 10, m)
	return [][]byte{request(10, proof, cp15), request(10, nil, cp10), request(0, nil, cp15),
		[]byte("old 10\n\n"), []byte(""), request(10, proof[:1], cp15)}
}

// FuzzAddCheckpoint feeds add-checkpoint bodies, outside input, to a
// witness that has cosigned a tree of size 10: whatever the body, it must
// not panic, and its state must never move backwards or to a tree that is
// not an extension of the one it had.
func FuzzAddCheckpoint(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	lk := fuzzLogKey(f)
	m := &memTree{}
	m.grow(f, 10, "main")
	w, err := witness.New(f.Context(), witness.Config{Name: "witness.test/IQ", Key: ed25519.NewKeyFromSeed(make([]byte, 32)),
		StatePath: filepath.Join(f.TempDir(), "state.db"), LogKey: lk.vkey})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { w.Close() })
	if _, err := w.AddCheckpoint(f.Context(), request(0, nil, lk.checkpoint(f, "tabadul.test/log", m.tree(f, 10)))); err != nil {
		f.Fatal(err)
	}
	m.grow(f, 54, "main") // the honest log the fuzzer may extend to
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _, err := w.Latest(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.AddCheckpoint(t.Context(), body)
		after, hash, lerr := w.Latest(t.Context())
		if lerr != nil {
			t.Fatal(lerr)
		}
		if after < before {
			t.Fatalf("the witness went back from %d to %d on %q", before, after, body)
		}
		if err == nil && after <= m.n && hash != m.tree(t, after).Hash {
			t.Fatalf("the witness cosigned a tree of %d that is not the log's: %q", after, body)
		}
	})
}
