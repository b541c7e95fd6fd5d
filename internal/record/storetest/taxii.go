package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testTAXII checks what the TAXII server reads and keeps: TAXIIObjects'
// filters, match[version] of the versions a viewer may see, revoked
// versions left out and paging, against a brute-force oracle; status
// resources readable by their party only; a party's TAXII distribution.
func testTAXII(t *testing.T, f *fixture) {
	f.found()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type held struct {
		obj      store.STIXObject
		audience []center.PartyCode
		revoked  bool
	}
	var all []*held
	dists := []center.Distribution{{All: true}, toParties("SY"), {Committee: "regional"}, toParties("RU")}
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"}
	rnd := rand.New(rand.NewPCG(3, 4))
	dir, err := f.s.Directory(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for batch := range 16 {
		who := parties[rnd.IntN(3)]
		dist := dists[rnd.IntN(len(dists))]
		var in []record.STIXInput
		for k := range 6 {
			typ := []string{"indicator", "ipv4-addr", "identity"}[k%3]
			in = append(in, stixInput(typ, rnd.IntN(6), t0.Add(time.Duration(batch)*time.Hour), fmt.Sprint(batch)))
		}
		f.clock.Advance(time.Second)
		res, err := f.rec.ImportSTIX(f.ctx, testkit.Analyst(who), record.STIXImport{Distribution: dist, DefaultTLP: center.TLPAmber, Objects: in})
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		for k, oc := range res.Outcomes {
			if oc == record.STIXImported || oc == record.STIXNewVersion {
				all = append(all, &held{obj: store.STIXObject{ID: in[k].ID, Type: in[k].Type, Source: who, Added: res.Added[k], Modified: in[k].Version},
					audience: dir.Audience(who, dist)})
			}
		}
	}
	// Revoke a few versions, the newest of an object among them.
	for i, h := range all {
		if i%5 == 2 {
			if err := f.rec.RevokeSTIX(f.ctx, testkit.Analyst(h.obj.Source), h.obj.ID, h.obj.Modified); err != nil {
				t.Fatal(err)
			}
			h.revoked = true
		}
	}
	visible := func(h *held, viewer center.PartyCode) bool {
		return !h.revoked && (h.obj.Source == viewer || slices.Contains(h.audience, viewer))
	}
	// oracle answers q for viewer by brute force.
	oracle := func(viewer center.PartyCode, q store.TAXIIQuery) []string {
		vm := q.Versions
		if vm.IsZero() {
			vm.Last = true
		}
		var out []string
		for _, h := range all {
			o := h.obj
			if !visible(h, viewer) || !o.Added.After(q.AddedAfter) ||
				(q.Source != "" && o.Source != q.Source) ||
				(len(q.IDs) > 0 && !slices.Contains(q.IDs, o.ID)) ||
				(len(q.Types) > 0 && !slices.Contains(q.Types, o.Type)) ||
				(len(q.SpecVersions) > 0 && !slices.Contains(q.SpecVersions, "2.1")) {
				continue
			}
			newer, older := false, false
			for _, g := range all {
				if g.obj.ID == o.ID && g.obj.Source == o.Source && visible(g, viewer) {
					newer = newer || g.obj.Modified.After(o.Modified)
					older = older || g.obj.Modified.Before(o.Modified)
				}
			}
			keep := vm.All || (vm.Last && !newer) || (vm.First && !older) ||
				slices.ContainsFunc(vm.Exact, func(t time.Time) bool { return t.Equal(o.Modified) })
			if keep {
				out = append(out, fmt.Sprintf("%s/%s@%d", o.ID, o.Source, o.Modified.Unix()))
			}
		}
		return out
	}
	read := func(viewer center.PartyCode, q store.TAXIIQuery) []string {
		var out []string
		for pages := 0; ; pages++ {
			p, err := f.s.TAXIIObjects(f.ctx, viewer, q)
			if err != nil {
				t.Fatalf("TAXIIObjects %+v: %v", q, err)
			}
			for _, o := range p.Objects {
				if o.Revoked != nil {
					t.Fatalf("revoked version served: %s", o.ID)
				}
				out = append(out, fmt.Sprintf("%s/%s@%d", o.ID, o.Source, o.Modified.Unix()))
			}
			if len(p.Objects) > q.Limit || (p.More && len(p.Objects) == 0) || pages > 1000 {
				t.Fatalf("bad page of %d for limit %d", len(p.Objects), q.Limit)
			}
			if !p.More {
				return out
			}
			q.AddedAfter = p.Objects[len(p.Objects)-1].Added
		}
	}
	id := func(n int) string { return fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", n) }
	queries := []store.TAXIIQuery{
		{},
		{Versions: store.VersionMatch{All: true}},
		{Versions: store.VersionMatch{First: true}},
		{Versions: store.VersionMatch{First: true, Last: true}},
		{Versions: store.VersionMatch{Exact: []time.Time{t0.Add(3 * time.Hour), t0.Add(7 * time.Hour)}}},
		{Versions: store.VersionMatch{Last: true, Exact: []time.Time{t0.Add(2 * time.Hour)}}},
		{Source: "IQ"},
		{Source: "SY", Versions: store.VersionMatch{All: true}},
		{Types: []string{"identity", "ipv4-addr"}},
		{Types: []string{"indicator", "identity", "indicator"}, Source: "IR", Versions: store.VersionMatch{First: true}},
		{Types: []string{"ipv4-addr"}, AddedAfter: all[len(all)/3].obj.Added, Versions: store.VersionMatch{All: true}},
		{Source: "IQ", AddedAfter: all[len(all)/3].obj.Added, SpecVersions: []string{"2.1"}},
		{IDs: []string{id(1), id(3)}, Versions: store.VersionMatch{All: true}},
		{IDs: []string{id(2)}, Source: "IR"},
		{IDs: []string{id(4)}, Types: []string{"ipv4-addr"}},
		{SpecVersions: []string{"2.0"}},
		{SpecVersions: []string{"2.0", "2.1"}, Versions: store.VersionMatch{First: true}},
		{AddedAfter: all[len(all)/2].obj.Added, Versions: store.VersionMatch{All: true}},
	}
	// The oracle is not trivially empty, and revocation changed some
	// object's last version.
	if len(oracle("JO", store.TAXIIQuery{})) == 0 || slices.Equal(oracle("IQ", store.TAXIIQuery{}), oracle("IQ", store.TAXIIQuery{Versions: store.VersionMatch{All: true}})) {
		t.Fatal("the oracle's data do not exercise the filters")
	}
	for _, viewer := range parties {
		for i, q := range queries {
			want := oracle(viewer, q)
			for _, limit := range []int{1, 3, 1000} {
				q.Limit = limit
				if got := read(viewer, q); !slices.Equal(got, want) {
					t.Errorf("%s query %d limit %d:\n got %v\nwant %v", viewer, i, limit, got, want)
				}
			}
		}
	}
	if _, err := f.s.TAXIIObjects(f.ctx, "IQ", store.TAXIIQuery{Limit: 0}); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}

	// Status resources: the party that made one reads it; others do not.
	st := store.TAXIIStatus{ID: "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", Party: "IQ", Username: "iq-analyst", Total: 2,
		Pendings: []store.TAXIIStatusDetail{{ID: id(1), Version: "2026-01-01T00:00:00Z"}, {ID: id(2)}}}
	if err := f.rec.PutTAXIIStatus(f.ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Pendings, st.Successes, st.Failures = st.Pendings[1:], st.Pendings[:1], nil
	if err := f.rec.PutTAXIIStatus(f.ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.TAXIIStatus(f.ctx, "IQ", st.ID)
	if err != nil || got.Total != 2 || len(got.Successes) != 1 || len(got.Pendings) != 1 || got.Successes[0].ID != id(1) || got.Complete() {
		t.Errorf("status %+v: %v", got, err)
	}
	if _, err := f.s.TAXIIStatus(f.ctx, "SY", st.ID); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("SY reads IQ's status: %v", err)
	}
	// Another party cannot overwrite it.
	other := st
	other.Party, other.Pendings, other.Successes = "SY", nil, append(st.Successes, st.Pendings...)
	_ = f.rec.PutTAXIIStatus(f.ctx, other)
	if got, _ := f.s.TAXIIStatus(f.ctx, "IQ", st.ID); len(got.Pendings) != 1 {
		t.Errorf("SY changed IQ's status: %+v", got)
	}
	bad := st
	bad.Total = 5
	if err := f.rec.PutTAXIIStatus(f.ctx, bad); err == nil {
		t.Error("a status whose counts do not add up was stored")
	}

	// The TAXII distribution.
	if _, ok, err := f.s.TAXIIDistribution(f.ctx, "IQ"); ok || err != nil {
		t.Errorf("unset distribution: %v %v", ok, err)
	}
	if err := f.rec.SetTAXIIDistribution(f.ctx, testkit.Officer("IQ"), toParties("IR", "RU")); err != nil {
		t.Fatal(err)
	}
	if d, ok, err := f.s.TAXIIDistribution(f.ctx, "IQ"); !ok || err != nil || !slices.Equal(d.Parties, []center.PartyCode{"IR", "RU"}) {
		t.Errorf("distribution %+v %v %v", d, ok, err)
	}
	if err := f.rec.SetTAXIIDistribution(f.ctx, testkit.Analyst("IQ"), center.Distribution{All: true}); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("an analyst set the distribution: %v", err)
	}
}
