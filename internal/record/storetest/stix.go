package storetest

import (
	"crypto/sha256"
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

func stixInput(typ string, n int, modified time.Time, content string) record.STIXInput {
	id := fmt.Sprintf("%s--00000000-0000-4000-8000-%012d", typ, n)
	js := fmt.Sprintf(`{"type":%q,"id":%q,"c":%q}`, typ, id, content)
	sum := sha256.Sum256([]byte(js))
	return record.STIXInput{ID: id, Type: typ, SpecVersion: "2.1", Version: modified, JSON: []byte(js), Digest: sum[:]}
}

// testSTIX checks the STIX object store: versioning per source party,
// date_added, filters, paging, revocation, and that every read applies
// the stored audience, against a brute-force oracle.
func testSTIX(t *testing.T, f *fixture) {
	f.found()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type held struct {
		obj      store.STIXObject
		audience []center.PartyCode
	}
	var all []held
	dists := []center.Distribution{{All: true}, toParties("SY"), {Committee: "regional"}, toParties("JO", "RU")}
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for batch := range 12 {
		who := parties[rnd.IntN(len(parties))]
		dist := dists[rnd.IntN(len(dists))]
		var in []record.STIXInput
		for k := range 7 {
			typ := []string{"indicator", "ipv4-addr", "x-custom-thing"}[k%3]
			in = append(in, stixInput(typ, rnd.IntN(10), t0.Add(time.Duration(batch)*time.Hour), fmt.Sprint(batch)))
		}
		if batch == 5 {
			// The clock steps back: date_added still increases.
			f.clock.Set(f.clock.Now().Add(-time.Hour))
		} else {
			f.clock.Advance(time.Second)
		}
		res, err := f.rec.ImportSTIX(f.ctx, testkit.Analyst(who), record.STIXImport{Distribution: dist, DefaultTLP: center.TLPAmber, Objects: in})
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		for k, oc := range res.Outcomes {
			if oc == record.STIXImported || oc == record.STIXNewVersion {
				dir, _ := f.s.Directory(f.ctx)
				all = append(all, held{store.STIXObject{ID: in[k].ID, Type: in[k].Type, Source: who, Added: res.Added[k], Modified: in[k].Version},
					dir.Audience(who, dist)})
			} else if oc != record.STIXUnchanged {
				t.Fatalf("batch %d object %d: %v %s", batch, k, oc, res.Reasons[k])
			}
		}
	}
	for i := 1; i < len(all); i++ {
		if !all[i].obj.Added.After(all[i-1].obj.Added) {
			t.Fatalf("date_added %v after %v", all[i].obj.Added, all[i-1].obj.Added)
		}
	}
	latest := map[string]time.Time{}
	for _, h := range all {
		k := h.obj.ID + string(h.obj.Source)
		if h.obj.Modified.After(latest[k]) {
			latest[k] = h.obj.Modified
		}
	}
	nonEmpty := 0
	for _, viewer := range parties {
		for _, q := range []store.STIXQuery{
			{Limit: 3},
			{Limit: 1000},
			{Limit: 2, Types: []string{"indicator", "x-custom-thing"}},
			{Limit: 5, LatestOnly: true},
			{Limit: 4, Source: "SY"},
			{Limit: 1000, IDs: []string{stixInput("ipv4-addr", 1, t0, "").ID, stixInput("indicator", 3, t0, "").ID}},
			{Limit: 1000, AddedAfter: all[len(all)/2].obj.Added},
			{Limit: 3, Versions: []time.Time{t0.Add(2 * time.Hour), t0.Add(7 * time.Hour)}},
		} {
			var want []time.Time
			for _, h := range all {
				ok := slices.Contains(h.audience, viewer) && h.obj.Added.After(q.AddedAfter)
				ok = ok && (len(q.Types) == 0 || slices.Contains(q.Types, h.obj.Type))
				ok = ok && (len(q.IDs) == 0 || slices.Contains(q.IDs, h.obj.ID))
				ok = ok && (q.Source == "" || q.Source == h.obj.Source)
				ok = ok && (len(q.Versions) == 0 || slices.ContainsFunc(q.Versions, h.obj.Modified.Equal))
				ok = ok && (!q.LatestOnly || latest[h.obj.ID+string(h.obj.Source)].Equal(h.obj.Modified))
				if ok {
					want = append(want, h.obj.Added)
				}
			}
			var got []time.Time
			for page := q; ; {
				p, err := f.s.STIXObjects(f.ctx, viewer, page)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range p.Objects {
					if !o.VisibleTo(viewer) {
						t.Fatalf("%s got %s, outside its audience %v", viewer, o.ID, o.Audience)
					}
					got = append(got, o.Added)
				}
				if !p.More {
					break
				}
				if len(p.Objects) != page.Limit {
					t.Fatalf("a page of %d with more to follow, limit %d", len(p.Objects), page.Limit)
				}
				page.AddedAfter = p.Objects[len(p.Objects)-1].Added
			}
			if len(want) > 0 {
				nonEmpty++
			}
			if !slices.EqualFunc(got, want, time.Time.Equal) {
				t.Errorf("viewer %s query %+v: got %d versions, want %d", viewer, q, len(got), len(want))
			}
		}
	}
	if nonEmpty < 20 {
		t.Fatalf("only %d of the oracle's queries had answers: the fixture is too thin to test anything", nonEmpty)
	}
	if _, err := f.s.STIXObjects(f.ctx, "IQ", store.STIXQuery{Limit: 0}); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("limit 0: %v", err)
	}

	// Versions of an object, oldest first, only those the viewer may see.
	f.clock.Advance(time.Second)
	a := stixInput("indicator", 77, t0, "a")
	b := stixInput("indicator", 77, t0.Add(time.Hour), "b")
	for _, in := range []record.STIXInput{a, b} {
		if _, err := f.rec.ImportSTIX(f.ctx, testkit.Analyst("IQ"), record.STIXImport{Distribution: toParties("SY"), DefaultTLP: center.TLPRed,
			Objects: []record.STIXInput{in}}); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := f.s.STIXObjectVersions(f.ctx, "SY", a.ID)
	if err != nil || len(vs) != 2 || vs[0].Modified.After(vs[1].Modified) || string(vs[1].JSON) != string(b.JSON) || vs[1].TLP != center.TLPRed {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	if _, err := f.s.STIXObjectVersions(f.ctx, "RU", a.ID); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("RU reads IQ→SY's versions: %v", err)
	}
	// Only the source revokes; a revoked version is served only on request.
	if err := f.rec.RevokeSTIX(f.ctx, testkit.Analyst("SY"), a.ID, b.Version); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("SY revoked IQ's version: %v", err)
	}
	if err := f.rec.RevokeSTIX(f.ctx, testkit.Analyst("IQ"), a.ID, b.Version); err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.STIXObjects(f.ctx, "SY", store.STIXQuery{Limit: 10, IDs: []string{a.ID}})
	if len(p.Objects) != 1 || !p.Objects[0].Modified.Equal(a.Version) {
		t.Errorf("after revocation SY sees %+v", p.Objects)
	}
	p, _ = f.s.STIXObjects(f.ctx, "SY", store.STIXQuery{Limit: 10, IDs: []string{a.ID}, WithRevoked: true})
	if len(p.Objects) != 2 || p.Objects[1].Revoked == nil {
		t.Errorf("with revoked, SY sees %+v", p.Objects)
	}
}
