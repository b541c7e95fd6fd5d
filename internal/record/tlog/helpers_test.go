package tlog_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/record/tlog/witness"
	"github.com/tabadul/tabadul/internal/testkit"
)

// fixture is a founded center with its log key, on a real SQLite file.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	st    *sqlite.Store
	rec   *record.Recorder
	clock *testkit.Clock
	key   tlog.Key
	in    *tlog.Integrator
}

func newFixture(t testing.TB, opts sqlite.Options) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(st, clock, center.DefaultLimits)
	ch := testkit.Charter()
	ch.WitnessQuorum = 3
	if err := rec.Found(ctx, ch); err != nil {
		t.Fatal(err)
	}
	key, err := tlog.EnsureKey(ctx, st, "tabadul.test/log")
	if err != nil {
		t.Fatal(err)
	}
	in, err := tlog.NewIntegrator(tlog.IntegratorConfig{Store: st, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, st: st, rec: rec, clock: clock, key: key, in: in}
}

// submit records n reports from party p, a minute apart.
func (f *fixture) submit(p center.PartyCode, n int) []center.Report {
	f.t.Helper()
	var out []center.Report
	for i := range n {
		f.clock.Advance(time.Minute)
		r, err := f.rec.SubmitReport(f.ctx, testkit.Analyst(p), center.Draft{
			Title: fmt.Sprintf("report %d of %s", i, p), Body: "body", Language: "en",
			TLP: center.TLPGreen, Distribution: center.Distribution{All: true},
		})
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// integrate sequences every pending event.
func (f *fixture) integrate() int64 {
	f.t.Helper()
	for {
		n, err := f.in.Step(f.ctx)
		if err != nil {
			f.t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	size, err := f.st.LogSize(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return size
}

// testWitness is a witness serving over real HTTP on the loopback.
type testWitness struct {
	party center.PartyCode
	w     *witness.Witness
	srv   *httptest.Server
	dir   string
}

func startWitness(t testing.TB, party center.PartyCode, logKey, dir string) *testWitness {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		dir = t.TempDir()
	}
	w, err := witness.New(t.Context(), witness.Config{
		Name: "witness/" + string(party), Key: priv,
		StatePath: filepath.Join(dir, "witness.db"), LogKey: logKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() { srv.Close(); w.Close() })
	return &testWitness{party: party, w: w, srv: srv, dir: dir}
}

// witnesses starts a witness for each party and registers it, as the
// operator does.
func (f *fixture) witnesses(parties ...center.PartyCode) []*testWitness {
	f.t.Helper()
	var out []*testWitness
	for _, p := range parties {
		tw := startWitness(f.t, p, f.key.VKey, "")
		if err := f.rec.RegisterWitness(f.ctx, store.Witness{Party: p, VKey: tw.w.VerifierKey(), URL: tw.srv.URL}); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, tw)
	}
	return out
}

func (f *fixture) cosigner() *tlog.Cosigner {
	f.t.Helper()
	c, err := tlog.NewCosigner(tlog.CosignerConfig{Store: f.st, Key: f.key, Clock: f.clock})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}
