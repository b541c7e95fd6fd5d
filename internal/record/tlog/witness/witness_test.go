package witness_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/record/tlog/witness"
)

// memTree is a log in memory, to make checkpoints and proofs of.
type memTree struct {
	hashes []tlog.Hash
	n      int64
}

func (m *memTree) ReadHashes(ids []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ids))
	for i, id := range ids {
		out[i] = m.hashes[id]
	}
	return out, nil
}

func (m *memTree) grow(t testing.TB, k int, tag string) {
	t.Helper()
	for range k {
		hs, err := tlog.StoredHashes(m.n, fmt.Appendf(nil, "%s entry %d\n", tag, m.n), m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
		m.n++
	}
}

func (m *memTree) tree(t testing.TB, n int64) tlog.Tree {
	t.Helper()
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return tlog.Tree{N: n, Hash: h}
}

type logKey struct {
	signer note.Signer
	vkey   string
}

func newLogKey(t *testing.T, origin string) logKey {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return logKey{s, vkey}
}

func (k logKey) checkpoint(t testing.TB, origin string, tree tlog.Tree) []byte {
	t.Helper()
	b, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: origin, Tree: tree}.String()}, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func request(old int64, proof tlog.TreeProof, cp []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(h.String() + "\n")
	}
	b.WriteString("\n")
	b.Write(cp)
	return b.Bytes()
}

type server struct {
	w   *witness.Witness
	url string
	dir string
	key ed25519.PrivateKey
}

func start(t *testing.T, dir string, key ed25519.PrivateKey, logVKey string) *server {
	t.Helper()
	w, err := witness.New(t.Context(), witness.Config{Name: "witness.test/IQ", Key: key,
		StatePath: filepath.Join(dir, "state.db"), LogKey: logVKey})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() { srv.Close(); w.Close() })
	return &server{w: w, url: srv.URL, dir: dir, key: key}
}

func post(t *testing.T, url string, body []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestAddCheckpointStatusCodes(t *testing.T) {
	const origin = "tabadul.test/log"
	lk := newLogKey(t, origin)
	other := newLogKey(t, origin) // same origin, a key the witness does not trust
	_, wkey, _ := ed25519.GenerateKey(rand.Reader)
	s := start(t, t.TempDir(), wkey, lk.vkey)
	wv, err := torchwood.NewCosignatureVerifier(s.w.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}

	m := &memTree{}
	m.grow(t, 10, "main")
	cp10 := lk.checkpoint(t, origin, m.tree(t, 10))
	m.grow(t, 7, "main")
	cp17 := lk.checkpoint(t, origin, m.tree(t, 17))
	proof17, err := tlog.ProveTree(17, 10, m)
	if err != nil {
		t.Fatal(err)
	}
	fork := &memTree{}
	fork.grow(t, 17, "fork")
	forkCP17 := lk.checkpoint(t, origin, fork.tree(t, 17))
	badProof := append(tlog.TreeProof{}, proof17...)
	badProof[0][0] ^= 1

	steps := []struct {
		desc  string
		body  []byte
		code  int
		check func(t *testing.T, ctype, body string)
	}{
		{"no blank line", []byte("old 0\n"), 400, nil},
		{"bad old line", request(0, nil, cp10)[1:], 400, nil},
		{"old size with a leading zero", append([]byte("old 00\n\n"), cp10...), 400, nil},
		{"old size above the checkpoint", request(11, nil, cp10), 400, nil},
		{"unknown origin", request(0, nil, lk.checkpointOther(t, "elsewhere.test/log", m.tree(t, 10))), 404, nil},
		{"signed by an unknown key", request(0, nil, other.checkpoint(t, origin, m.tree(t, 10))), 403, nil},
		{"a first checkpoint", request(0, nil, cp10), 200, func(t *testing.T, _ string, body string) {
			n, err := note.Open(append(cp10, body...), note.VerifierList(wv))
			if err != nil || len(n.Sigs) != 1 || !strings.HasPrefix(body, "\u2014 witness.test/IQ ") {
				t.Errorf("cosignature %q does not verify: %v", body, err)
			}
			if ts, err := torchwood.CosignatureTimestamp(n.Sigs[0]); err != nil || ts <= 0 {
				t.Errorf("cosignature timestamp %d, %v", ts, err)
			}
		}},
		{"old size not the last cosigned", request(0, nil, cp17), 409, func(t *testing.T, ctype, body string) {
			if ctype != "text/x.tlog.size" || body != "10\n" {
				t.Errorf("409 with %q %q, want text/x.tlog.size \"10\\n\"", ctype, body)
			}
		}},
		{"a bad consistency proof", request(10, badProof, cp17), 422, nil},
		{"a proof of the wrong length", request(10, proof17[1:], cp17), 422, nil},
		{"a consistent checkpoint", request(10, proof17, cp17), 200, nil},
		{"the same checkpoint again", request(17, nil, cp17), 200, nil},
		{"a rollback", request(10, nil, cp10), 409, func(t *testing.T, _ string, body string) {
			if body != "17\n" {
				t.Errorf("409 body %q, want \"17\\n\"", body)
			}
		}},
		{"a rollback from the witness's size", request(17, nil, cp10), 400, nil},
		{"a fork at the same size", request(17, nil, forkCP17), 409, func(t *testing.T, _ string, body string) {
			if body != "17\n" {
				t.Errorf("409 body %q, want \"17\\n\"", body)
			}
		}},
		{"GET is not allowed", nil, 405, nil},
	}
	for _, st := range steps {
		var code int
		var ctype, body string
		if st.body == nil {
			resp, err := http.Get(s.url + "/add-checkpoint")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			code = resp.StatusCode
		} else {
			code, ctype, body = post(t, s.url, st.body)
		}
		if code != st.code {
			t.Errorf("%s: %d %q, want %d", st.desc, code, body, st.code)
			continue
		}
		if st.check != nil {
			st.check(t, ctype, body)
		}
	}
	if size, _, err := s.w.Latest(t.Context()); err != nil || size != 17 {
		t.Errorf("witness state %d, %v; want 17", size, err)
	}
}

func (k logKey) checkpointOther(t *testing.T, origin string, tree tlog.Tree) []byte {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	b, err := note.Sign(&note.Note{Text: torchwood.Checkpoint{Origin: origin, Tree: tree}.String()}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStateSurvivesRestartAndRefusesRollback(t *testing.T) {
	const origin = "tabadul.test/log"
	lk := newLogKey(t, origin)
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "witness.key")
	key, err := witness.LoadOrCreateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, dir, key, lk.vkey)
	m := &memTree{}
	m.grow(t, 300, "main")
	if code, _, body := post(t, s.url, request(0, nil, lk.checkpoint(t, origin, m.tree(t, 300)))); code != 200 {
		t.Fatalf("first checkpoint: %d %s", code, body)
	}
	vkey := s.w.VerifierKey()
	s.w.Close()

	again, err := witness.LoadOrCreateKey(keyPath)
	if err != nil || !again.Equal(key) {
		t.Fatalf("the key did not survive: %v", err)
	}
	s = start(t, dir, again, lk.vkey)
	if s.w.VerifierKey() != vkey {
		t.Fatal("the witness's verifier key changed across a restart")
	}
	// A log restored from a backup of size 200 starts from scratch.
	code, ctype, body := post(t, s.url, request(0, nil, lk.checkpoint(t, origin, m.tree(t, 200))))
	if code != 409 || ctype != "text/x.tlog.size" || body != "300\n" {
		t.Fatalf("rolled-back log: %d %s %q, want 409 300", code, ctype, body)
	}
}

func TestConcurrentRequestsNeverRollBack(t *testing.T) {
	const origin = "tabadul.test/log"
	lk := newLogKey(t, origin)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	s := start(t, t.TempDir(), key, lk.vkey)
	m := &memTree{}
	m.grow(t, 64, "main")
	if code, _, body := post(t, s.url, request(0, nil, lk.checkpoint(t, origin, m.tree(t, 1)))); code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	// Every size from 2 to 64, each with a proof from 1: exactly one can win
	// each round, and the state only grows.
	var wg sync.WaitGroup
	for n := int64(2); n <= 64; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, _ := tlog.ProveTree(n, 1, m)
			post(t, s.url, request(1, p, lk.checkpoint(t, origin, m.tree(t, n))))
		}()
	}
	wg.Wait()
	size, hash, err := s.w.Latest(t.Context())
	if err != nil || size < 2 || hash != m.tree(t, size).Hash {
		t.Fatalf("state after the race: %d %v %v", size, hash, err)
	}
}
