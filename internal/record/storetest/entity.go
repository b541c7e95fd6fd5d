package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testEntities runs the registry's and the correlation's contract.
func testEntities(t *testing.T, f *fixture) {
	f.found()
	g := analyze.NewRegistry(f.s)
	f.rec.ExtractWith(g)
	seed := []store.Entity{
		{ID: "location--IQ", Type: store.Location, Name: "Iraq", Aliases: []store.Alias{{Lang: "ar", Name: "العراق"}, {Lang: "en", Name: "Iraq"}, {Lang: "ru", Name: "Ирак"}}},
		{ID: "location--SY", Type: store.Location, Name: "Syria", Aliases: []store.Alias{{Lang: "ar", Name: "سوريا"}, {Lang: "en", Name: "Syria"}}},
		{ID: "group--isis", Type: store.Group, Name: "Islamic State", Aliases: []store.Alias{{Lang: "ar", Name: "داعش"}, {Lang: "ar", Name: "الدولة الإسلامية"}, {Lang: "en", Name: "ISIS"}}},
	}
	if ok, err := f.rec.SeedEntities(f.ctx, seed); err != nil || !ok {
		t.Fatalf("SeedEntities = %v, %v", ok, err)
	}
	if ok, err := f.rec.SeedEntities(f.ctx, seed); err != nil || ok {
		t.Fatalf("second SeedEntities = %v, %v; want a no-op", ok, err)
	}

	t.Run("registry", func(t *testing.T) {
		e, err := f.s.Entity(f.ctx, "group--isis")
		if err != nil || e.Status != store.Accepted || len(e.Aliases) != 3 || e.Aliases[1].Name != "الدولة الإسلامية" || e.Aliases[1].Key == "" {
			t.Fatalf("Entity = %+v, %v", e, err)
		}
		if _, err := f.s.Entity(f.ctx, "group--none"); !errors.Is(err, center.ErrNotFound) {
			t.Errorf("missing entity: %v", err)
		}
		for _, tt := range []struct {
			q    string
			want []string
		}{
			{"ايراق", nil},
			{"العراق", []string{"location--IQ"}},
			{"والعراق", []string{"location--IQ"}}, // by key
			{"Ирака", []string{"location--IQ"}},   // by key: a case form
			{"ira", []string{"location--IQ"}},     // prefix
			{"الدولة الاسلامية", []string{"group--isis"}},
			{"s", []string{"location--SY"}},
		} {
			names, err := analyze.ParseLookup(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			es, err := f.s.Entities(f.ctx, store.EntityQuery{Names: names, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lookup %q (%q) = %v, want %v", tt.q, names, got, tt.want)
			}
		}
		all, err := f.s.Entities(f.ctx, store.EntityQuery{Status: store.Accepted})
		if err != nil || len(all) != 3 || len(all[0].Aliases) == 0 {
			t.Errorf("every accepted entity: %d, %v", len(all), err)
		}
		// One name, one live thing.
		_, err = f.rec.ProposeEntity(f.ctx, testkit.Analyst("SY"), store.Group, "dup", []store.Alias{{Lang: "en", Name: "ISIS"}})
		if !errors.Is(err, center.ErrConflict) {
			t.Errorf("proposing a taken name: %v, want ErrConflict", err)
		}
	})

	t.Run("pending names do not conflict", func(t *testing.T) {
		// A refusal would tell IR what SY proposed; the chair meets the
		// clash instead.
		name := []store.Alias{{Lang: "en", Name: "Abu Y"}}
		sy, err := f.rec.ProposeEntity(f.ctx, testkit.Analyst("SY"), store.Person, "Abu Y", name)
		if err != nil {
			t.Fatal(err)
		}
		ir, err := f.rec.ProposeEntity(f.ctx, testkit.Analyst("IR"), store.Person, "Abu Y", name)
		if err != nil {
			t.Fatalf("a second pending proposal of the same name: %v", err)
		}
		if _, _, err := f.rec.Curate(f.ctx, testkit.Officer("IQ"), sy.ID, record.Curation{Action: record.Accept}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.rec.Curate(f.ctx, testkit.Officer("IQ"), ir.ID, record.Curation{Action: record.Accept}); !errors.Is(err, center.ErrConflict) {
			t.Errorf("accepting a second entity of an accepted name: %v, want ErrConflict", err)
		}
	})

	// The oracle first: it knows every report recorded.
	t.Run("oracle", func(t *testing.T) { testCorrelationOracle(t, f) })

	t.Run("curation", func(t *testing.T) {
		p, err := f.rec.ProposeEntity(f.ctx, testkit.Analyst("SY"), store.Person, "Abu X", []store.Alias{{Lang: "ar", Name: "أبو إكس"}, {Lang: "en", Name: "Abu X"}})
		if err != nil || p.Status != store.Proposed {
			t.Fatalf("ProposeEntity = %+v, %v", p, err)
		}
		if _, err := f.rec.ProposeAlias(f.ctx, testkit.Analyst("IR"), p.ID, store.Alias{Lang: "ru", Name: "Абу Икс"}); !errors.Is(err, center.ErrNotFound) {
			t.Errorf("IR proposing a name of SY's pending proposal: %v, want ErrNotFound", err)
		}
		if _, _, err := f.rec.Curate(f.ctx, testkit.Officer("SY"), p.ID, record.Curation{Action: record.Accept}); !errors.Is(err, center.ErrForbidden) {
			t.Errorf("a non-chair officer curating: %v, want ErrForbidden", err)
		}
		e, _, err := f.rec.Curate(f.ctx, testkit.Officer("IQ"), p.ID, record.Curation{Action: record.Accept})
		if err != nil || e.Status != store.Accepted || e.Aliases[0].Status != store.Accepted {
			t.Fatalf("accept = %+v, %v", e, err)
		}
		// The matcher knows it at once.
		r := f.submit("IQ", center.Draft{Title: "t", Body: "شوهد أبو إكس في العراق", TLP: center.TLPGreen, Distribution: all})
		ms, _, err := f.s.ReportLinks(f.ctx, "IQ", r.ID)
		if err != nil || !slices.ContainsFunc(ms, func(m store.Mention) bool { return m.Entity == p.ID }) {
			t.Fatalf("mentions %+v, %v", ms, err)
		}
		// Split the Arabic name off, then merge it back.
		_, n, err := f.rec.Curate(f.ctx, testkit.Officer("IQ"), p.ID, record.Curation{Action: record.Split, Name: "Abu X (ar)", Aliases: []store.Alias{{Lang: "ar", Name: "أبو إكس"}}})
		if err != nil || n == nil {
			t.Fatalf("split: %v", err)
		}
		act, err := f.s.EntityActivity(f.ctx, "IQ", n.ID, 100, 10)
		if err != nil || act.Reports != 1 {
			t.Errorf("after the split, the new entity has %d reports (%v); want the mention", act.Reports, err)
		}
		if act, _ := f.s.EntityActivity(f.ctx, "IQ", p.ID, 100, 10); act.Reports != 0 {
			t.Errorf("after the split, the old entity keeps %d reports", act.Reports)
		}
		if _, _, err := f.rec.Curate(f.ctx, testkit.Officer("IQ"), n.ID, record.Curation{Action: record.Merge, Into: p.ID}); err != nil {
			t.Fatal(err)
		}
		if act, _ := f.s.EntityActivity(f.ctx, "IQ", p.ID, 100, 10); act.Reports != 1 {
			t.Errorf("after the merge, %d reports", act.Reports)
		}
		m, _ := f.s.Entity(f.ctx, n.ID)
		if m.Status != store.Merged || m.MergedInto != p.ID {
			t.Errorf("merged entity %+v", m)
		}
		// Every registry change is an event.
		evs, err := f.s.SubjectEvents(f.ctx, p.ID)
		if err != nil || len(evs) != 3 {
			t.Errorf("%d events about %s (%v)", len(evs), p.ID, err)
		}
	})

}

// testCorrelationOracle records random reports over a small pool of
// items, with random audiences and revisions, and checks every viewer's
// related postings and entity activity against a brute-force oracle of
// the visibility rule.
func testCorrelationOracle(t *testing.T, f *fixture) {
	dir := testkit.Roster()
	rng := rand.New(rand.NewPCG(7, 8))
	codes := []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"}
	pool := []struct{ text, item string }{
		{"Iraq", "entity:location--IQ"},
		{"Syria", "entity:location--SY"},
		{"ISIS", "entity:group--isis"},
		{"44d88612fea8a8f36de82e1278abb02f", "hash:44d88612fea8a8f36de82e1278abb02f"},
		{"e99a18c428cb38d5f260853678922e03", "hash:e99a18c428cb38d5f260853678922e03"},
		{"10.9.8.7", "ip:10.9.8.7"},
		{"evil-domain.ru", "domain:evil-domain.ru"},
	}
	type version struct {
		items []string
		aud   map[center.PartyCode]bool
	}
	var ids []string
	versions := map[string][]version{}
	for i := range 40 {
		src := codes[rng.IntN(4)] // members write
		var ps []center.PartyCode
		for _, c := range codes {
			if rng.IntN(3) == 0 {
				ps = append(ps, c)
			}
		}
		d := center.Distribution{Parties: ps}
		if len(ps) == 0 {
			d = all
		}
		var words, items []string
		for _, p := range pool {
			if rng.IntN(3) == 0 {
				words = append(words, p.text)
				items = append(items, p.item)
			}
		}
		draft := center.Draft{Title: fmt.Sprintf("r%d", i), Body: "note " + strings.Join(words, " , "), Language: "en", TLP: center.TLPAmber, Distribution: d}
		aud := map[center.PartyCode]bool{}
		for _, c := range codes {
			aud[c] = oracleAudience(dir, src, d, c)
		}
		if len(ids) > 0 && rng.IntN(5) == 0 {
			// A revision of an earlier report of the same source, if any.
			id := ids[rng.IntN(len(ids))]
			rep, err := f.s.Report(f.ctx, src, id)
			if err == nil && rep.Source == src {
				if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst(src), id, draft); err != nil {
					t.Fatal(err)
				}
				versions[id] = append(versions[id], version{items, aud})
				f.clock.Advance(time.Minute)
				continue
			}
		}
		r := f.submit(src, draft)
		ids = append(ids, r.ID)
		versions[r.ID] = []version{{items, aud}}
		f.clock.Advance(time.Minute)
	}
	// view returns the items of the version of id viewer sees, if any.
	view := func(viewer center.PartyCode, id string) ([]string, bool) {
		vs := versions[id]
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].aud[viewer] {
				return vs[i].items, true
			}
		}
		return nil, false
	}
	for _, viewer := range codes {
		got, err := f.s.ReportsByID(f.ctx, viewer, append(slices.Clone(ids), "report--00000000-0000-4000-8000-000000000000"))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, id := range ids {
			if _, ok := view(viewer, id); ok {
				want = append(want, id)
			}
		}
		var gotIDs []string
		for _, r := range got {
			gotIDs = append(gotIDs, r.ID)
			if !slices.Contains(r.Audience, viewer) {
				t.Errorf("%s: ReportsByID gave a version of %s it may not see", viewer, r.ID)
			}
		}
		if !slices.Equal(gotIDs, want) {
			t.Errorf("%s: ReportsByID = %v, oracle %v", viewer, gotIDs, want)
		}
		for _, id := range ids {
			mine, ok := view(viewer, id)
			posts, err := f.s.RelatedPostings(f.ctx, viewer, id, 1000)
			if !ok {
				if !errors.Is(err, center.ErrNotFound) {
					t.Errorf("%s: postings of hidden %s: %v", viewer, id, err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotItems []string
			for _, p := range posts {
				gotItems = append(gotItems, p.Item.Key)
				var want []string
				for _, other := range ids {
					if other == id {
						continue
					}
					if its, ok := view(viewer, other); ok && slices.Contains(its, p.Item.Key) {
						want = append(want, other)
					}
				}
				got := slices.Clone(p.Reports)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) || p.Count != len(want) {
					t.Errorf("%s: %s's postings of %s: %d %v, oracle %v", viewer, id, p.Item.Key, p.Count, got, want)
				}
			}
			slices.Sort(gotItems)
			wantItems := slices.Clone(mine)
			slices.Sort(wantItems)
			if !slices.Equal(gotItems, wantItems) {
				t.Errorf("%s: %s's items %v, oracle %v", viewer, id, gotItems, wantItems)
			}
		}
		for _, ent := range []string{"location--IQ", "location--SY", "group--isis"} {
			act, err := f.s.EntityActivity(f.ctx, viewer, ent, 1000, 1000)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, id := range ids {
				if its, ok := view(viewer, id); ok && slices.Contains(its, "entity:"+ent) {
					want++
				}
			}
			if act.Reports != want || len(act.Recent) != want {
				t.Errorf("%s: %s in %d reports (%d recent), oracle %d", viewer, ent, act.Reports, len(act.Recent), want)
			}
		}
	}
}
