package tlog_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

// policyOf is the policy a party pins: the log key and the witnesses, a
// quorum of q.
func policyOf(t *testing.T, f *fixture, ws []*testWitness, q int) torchwood.Policy {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "log %s\n", f.key.VKey)
	var names []string
	for _, w := range ws {
		fmt.Fprintf(&b, "witness %s %s\n", w.party, w.w.VerifierKey())
		names = append(names, string(w.party))
	}
	fmt.Fprintf(&b, "group all %d %s\nquorum all\n", q, strings.Join(names, " "))
	p, err := torchwood.ParsePolicy([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCosignerPublishesOnQuorumAndFailsClosed(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	ws := f.witnesses("IQ", "SY", "IR", "RU")
	co := f.cosigner()
	f.submit("IQ", 3)
	size := f.integrate()

	res, err := co.Round(f.ctx)
	if err != nil || !res.Published || res.Size != size || len(res.CosignedBy) != 4 {
		t.Fatalf("Round = %+v, %v", res, err)
	}
	cp, err := f.st.LatestCheckpoint(f.ctx, true)
	if err != nil || cp.Size != size {
		t.Fatalf("published %+v, %v", cp, err)
	}
	// The published checkpoint verifies with the C2SP rules: the center's
	// key and a quorum of tlog-cosignatures.
	if _, _, err := torchwood.VerifyCheckpoint(cp.Signed(), policyOf(t, f, ws, 3)); err != nil {
		t.Fatalf("published checkpoint does not verify: %v\n%s", err, cp.Signed())
	}

	// One witness down: three of four still publish.
	ws[3].srv.Close()
	f.submit("SY", 2)
	size = f.integrate()
	res, err = co.Round(f.ctx)
	if err != nil || !res.Published || len(res.Refused) != 1 || res.Refused["RU"] == nil {
		t.Fatalf("Round with RU's witness down = %+v, %v", res, err)
	}
	// Two down: the checkpoint waits, and /log/ keeps serving the last
	// published one.
	ws[2].srv.Close()
	f.submit("IR", 1)
	size = f.integrate()
	res, err = co.Round(f.ctx)
	if err != nil || res.Published || len(res.CosignedBy) != 2 {
		t.Fatalf("Round with two witnesses down = %+v, %v", res, err)
	}
	if cp, _ := f.st.LatestCheckpoint(f.ctx, true); cp.Size == size {
		t.Fatalf("a checkpoint cosigned by 2 of a quorum of 3 was published")
	}
	if latest, _ := f.st.LatestCheckpoint(f.ctx, false); latest.Size != size || !slices.Equal(latest.CosignedBy, []center.PartyCode{"IQ", "SY"}) {
		t.Errorf("the waiting checkpoint keeps its cosignatures: %+v", latest)
	}
}

func TestCosignerCatchesUpAWitnessFrom409(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	f.witnesses("IQ", "SY", "IR")
	f.submit("IQ", 2)
	f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || !res.Published {
		t.Fatalf("Round = %+v, %v", res, err)
	}
	// A new cosigner (a restarted center) knows nothing of the witnesses'
	// sizes: each answers 409 with its size, and the retry carries a
	// consistency proof from there.
	f.submit("SY", 300)
	size := f.integrate()
	res, err := f.cosigner().Round(f.ctx)
	if err != nil || !res.Published || res.Size != size || len(res.Refused) != 0 {
		t.Fatalf("Round after restart = %+v, %v", res, err)
	}
}

func TestWitnessRefusesARolledBackLog(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	ws := f.witnesses("IQ", "SY", "IR")
	f.submit("IQ", 5)
	f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || !res.Published {
		t.Fatalf("Round = %+v, %v", res, err)
	}
	// Another log with the same key and a smaller tree: what a restored
	// backup looks like to the witnesses.
	g := newFixture(t, sqlite.Options{NoSync: true})
	skey, _ := f.st.Meta(f.ctx, "log.skey")
	vkey, _ := f.st.Meta(f.ctx, "log.vkey")
	if err := g.st.Update(g.ctx, func(tx store.Tx) error {
		if err := tx.SetMeta(g.ctx, "log.skey", skey); err != nil {
			return err
		}
		return tx.SetMeta(g.ctx, "log.vkey", vkey)
	}); err != nil {
		t.Fatal(err)
	}
	g.key = f.key
	g.in, _ = xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: g.st, Key: g.key})
	g.integrate()
	for _, w := range ws {
		if err := g.rec.RegisterWitness(g.ctx, store.Witness{Party: w.party, VKey: w.w.VerifierKey(), URL: w.srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := g.cosigner().Round(g.ctx)
	if err != nil || res.Published || len(res.Refused) != 3 {
		t.Fatalf("Round of the rolled-back log = %+v, %v", res, err)
	}
	var conflict *xtlog.ConflictError
	if !errors.As(res.Refused["IQ"], &conflict) || !strings.Contains(res.Refused["IQ"].Error(), "rolled back") {
		t.Errorf("refusal %v: want a 409 naming a rollback", res.Refused["IQ"])
	}
}

func TestHandlerServesTilesWithinThePublishedCheckpoint(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	ws := f.witnesses("IQ", "SY", "IR")
	auth := func(r *http.Request) (center.PartyCode, error) {
		if r.Header.Get("Authorization") != "Bearer party" {
			return "", fmt.Errorf("test: %w", center.ErrUnauthenticated)
		}
		return "IQ", nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /log/", xtlog.Handler(f.st, auth, nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(path, token string) (int, http.Header, []byte) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	if code, _, _ := get("/log/checkpoint", "party"); code != 404 {
		t.Errorf("checkpoint before any publication: %d, want 404", code)
	}
	f.submit("IQ", 300)
	size := f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || !res.Published {
		t.Fatalf("Round = %+v, %v", res, err)
	}
	f.submit("SY", 3) // integrated, not published
	f.integrate()

	if code, h, _ := get("/log/checkpoint", ""); code != 401 || h.Get("WWW-Authenticate") == "" {
		t.Errorf("unauthenticated: %d %v", code, h)
	}
	const full = "/log/tile/entries/000"
	for _, tc := range []struct {
		path  string
		code  int
		cache string
	}{
		{"/log/checkpoint", 200, "no-cache"},
		{"/log/tile/0/000", 200, "private, max-age=31536000, immutable"},
		{full, 200, "private, max-age=31536000, immutable"},
		{fmt.Sprintf("/log/tile/0/001.p/%d", size-256), 200, "private, max-age=60"},
		{fmt.Sprintf("/log/tile/entries/001.p/%d", size-256), 200, "private, max-age=60"},
		{"/log/tile/1/000.p/1", 200, "private, max-age=60"},
		{fmt.Sprintf("/log/tile/0/001.p/%d", size-256+1), 404, ""}, // integrated, not published
		{"/log/tile/0/001", 404, ""},
		{"/log/tile/1/000", 404, ""},
		{"/log/tile/0/0", 404, ""},
		{"/log/nope", 404, ""},
	} {
		code, h, _ := get(tc.path, "party")
		if code != tc.code || tc.cache != "" && h.Get("Cache-Control") != tc.cache {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, code, h.Get("Cache-Control"), tc.code, tc.cache)
		}
	}

	// torchwood's client reads and authenticates every entry through the
	// tiles, and its inclusion proofs check with x/mod's tlog.
	hc := &http.Client{Transport: bearer{"party"}}
	fetcher, _ := torchwood.NewTileFetcher(srv.URL+"/log/", torchwood.WithHTTPClient(hc))
	signed, err := fetcher.ReadEndpoint(f.ctx, "checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := torchwood.VerifyCheckpoint(signed, policyOf(t, f, ws, 3))
	if err != nil {
		t.Fatal(err)
	}
	client, _ := torchwood.NewClient(fetcher)
	n := int64(0)
	for i, e := range client.AllEntries(f.ctx, c.Tree, 0) {
		if _, err := xtlog.ParseEntry(e); err != nil || i != n {
			t.Fatalf("entry %d: %v", i, err)
		}
		n++
	}
	if client.Err() != nil || n != c.N {
		t.Fatalf("read %d of %d entries: %v", n, c.N, client.Err())
	}
	entry, proof, err := client.Entry(f.ctx, c.Tree, 257)
	if err != nil || tlog.CheckRecord(proof, c.N, c.Hash, 257, tlog.RecordHash(entry)) != nil {
		t.Fatalf("Entry(257): %v", err)
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestProveAndVerifyOffline(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	ws := f.witnesses("IQ", "SY", "IR", "RU")
	reps := f.submit("IQ", 2)
	evs, _ := f.st.SubjectEvents(f.ctx, reps[0].ID)
	p, err := xtlog.Prove(f.ctx, f.st, evs[0], true)
	if err != nil || p.Status != xtlog.StatusPending || p.Index != nil {
		t.Fatalf("pending proof = %+v, %v", p, err)
	}
	f.integrate()
	evs, _ = f.st.SubjectEvents(f.ctx, reps[0].ID)
	if p, _ := xtlog.Prove(f.ctx, f.st, evs[0], true); p.Status != xtlog.StatusIncluded || p.Index == nil || p.Proof != "" {
		t.Fatalf("included proof = %+v", p)
	}
	if _, err := f.cosigner().Round(f.ctx); err != nil {
		t.Fatal(err)
	}
	p, err = xtlog.Prove(f.ctx, f.st, evs[0], true)
	if err != nil || p.Status != xtlog.StatusCosigned || len(p.CosignedBy) != 4 {
		t.Fatalf("cosigned proof = %+v, %v", p, err)
	}
	policy := policyOf(t, f, ws, 3)
	content, _ := xtlog.ReportContent(reps[0])
	if e, err := xtlog.VerifyProof(p, policy, content); err != nil || e.Subject != reps[0].ID {
		t.Fatalf("VerifyProof = %+v, %v", e, err)
	}
	if _, err := xtlog.VerifyProof(p, policy, append(content, ' ')); err == nil {
		t.Error("VerifyProof accepted other content")
	}
	forged := p
	forged.Entry = strings.Replace(p.Entry, "party IQ", "party SY", 1)
	if _, err := xtlog.VerifyProof(forged, policy, nil); err == nil {
		t.Error("VerifyProof accepted a changed entry")
	}
	if _, err := xtlog.VerifyProof(p, policyOf(t, f, ws[:2], 2), nil); err != nil {
		t.Errorf("a policy of two of the witnesses: %v", err)
	}
	strict := policyOf(t, f, ws, 4)
	ws[0].srv.Close()
	f.submit("SY", 1)
	f.integrate()
	f.cosigner().Round(f.ctx)
	if _, err := xtlog.VerifyProof(p, strict, nil); err != nil {
		t.Errorf("the earlier proof, cosigned by all four: %v", err)
	}

	// Check finds nothing wrong with an honest log.
	rep, err := xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{Audit: true, Policy: policy})
	if err != nil || len(rep.Problems) != 0 || rep.Published.Size == 0 {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
}
