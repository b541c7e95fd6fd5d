package tlog_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

// amend proposes an amendment and has every member approve it.
func (f *fixture) amend(a govern.Amendment) {
	f.t.Helper()
	a, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), a)
	if err != nil {
		f.t.Fatalf("propose %s: %v", a.Kind, err)
	}
	for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU"} {
		if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), a.ID, true); err != nil {
			f.t.Fatalf("vote of %s on %s: %v", p, a.Kind, err)
		}
	}
}

// asIfRegistered is the store as a cosigner sees it that still takes the
// given witnesses for the registered ones.
type asIfRegistered struct {
	store.Store
	ws []store.Witness
}

func (s asIfRegistered) Witnesses(context.Context) ([]store.Witness, error) { return s.ws, nil }

// TestWitnessKeyChangedByAmendment: a set_witness amendment gives a party's
// witness a new key; the checkpoints its old key cosigned still verify, the
// new key cosigns what follows, and a cosignature of the old key on entries
// logged after the change does not count.
func TestWitnessKeyChangedByAmendment(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	ws := f.witnesses("IQ", "SY", "IR", "RU")
	f.submit("IQ", 2)
	f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || !res.Published || len(res.CosignedBy) != 4 {
		t.Fatalf("Round = %+v, %v", res, err)
	}
	oldIQ := store.Witness{Party: "IQ", VKey: ws[0].w.VerifierKey(), URL: ws[0].srv.URL}

	nw := startWitness(t, "IQ", f.key.VKey, "")
	f.amend(govern.Amendment{Kind: govern.SetWitnessAmendment, Party: "IQ", VKey: nw.w.VerifierKey(), URL: nw.srv.URL})
	if got, _ := f.st.Witnesses(f.ctx); got[0].Party != "IQ" || got[0].VKey != nw.w.VerifierKey() {
		t.Fatalf("witnesses after the amendment = %+v", got)
	}
	f.submit("SY", 1)
	f.integrate()
	res, err := f.cosigner().Round(f.ctx)
	if err != nil || !res.Published || !slices.Contains(res.CosignedBy, "IQ") || len(res.Refused) != 0 {
		t.Fatalf("Round with IQ's new witness = %+v, %v", res, err)
	}
	rep, err := xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{Audit: true})
	if err != nil || len(rep.Problems) != 0 || rep.Checkpoints < 2 {
		t.Fatalf("Check after the key change = %+v, %v", rep, err)
	}

	// A cosigner that still asks IQ's old witness gets its cosignature on a
	// checkpoint that holds the change; the check does not count it.
	f.submit("IR", 1)
	f.integrate()
	stale := []store.Witness{oldIQ,
		{Party: "SY", VKey: ws[1].w.VerifierKey(), URL: ws[1].srv.URL},
		{Party: "IR", VKey: ws[2].w.VerifierKey(), URL: ws[2].srv.URL}}
	co, err := xtlog.NewCosigner(xtlog.CosignerConfig{Store: asIfRegistered{f.st, stale}, Key: f.key, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := co.Round(f.ctx); err != nil || !slices.Contains(res.CosignedBy, "IQ") {
		t.Fatalf("Round with IQ's old witness = %+v, %v", res, err)
	}
	rep, err = xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rep.Problems, func(p xtlog.Problem) bool { return strings.Contains(p.Detail, "former key of IQ's witness") }) {
		t.Errorf("the old key's cosignature after the change is not named: %v", rep.Problems)
	}
}

// TestWitnessQuorumChangedByAmendment: the cosigner and the check read the
// quorum an amendment set.
func TestWitnessQuorumChangedByAmendment(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true}) // a charter quorum of 3
	ws := f.witnesses("IQ", "SY", "IR", "RU")
	f.amend(govern.Amendment{Kind: govern.SetWitnessQuorumAmendment, Quorum: 4})
	if p, err := xtlog.ReadWitnessPolicy(f.ctx, f.st); err != nil || p.Quorum != 4 {
		t.Fatalf("policy after the amendment = %+v, %v", p, err)
	}
	ws[3].srv.Close()
	f.submit("IQ", 1)
	f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || res.Published {
		t.Fatalf("three of a quorum of four published: %+v, %v", res, err)
	}
	f.amend(govern.Amendment{Kind: govern.SetWitnessQuorumAmendment, Quorum: 0})
	if p, err := xtlog.ReadWitnessPolicy(f.ctx, f.st); err != nil || p.Quorum != 3 || p.FromCharter {
		t.Fatalf("policy back to the default = %+v, %v", p, err)
	}
	f.integrate()
	if res, err := f.cosigner().Round(f.ctx); err != nil || !res.Published {
		t.Fatalf("three of the default quorum of 3 = %+v, %v", res, err)
	}
	if rep, err := xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{Audit: true}); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("Check = %+v, %v", rep, err)
	}
}
