package storetest

import (
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testReindex: a center indexed by no analysis (or an older one) is stale;
// Reindex makes every standing version findable, leaves purged ones out,
// replaces rather than duplicates entries, and records the analysis.
func testReindex(t *testing.T, f *fixture) {
	f.found() // without an analyzer: nothing is indexed
	standing := f.submit("IQ", center.Draft{Title: "قافلة", Body: "قافلة في بغداد", TLP: center.TLPGreen, Distribution: all})
	revised := f.submit("SY", center.Draft{Title: "أول", Body: "قافلة أولى", TLP: center.TLPGreen, Distribution: all})
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("SY"), revised.ID, center.Draft{Title: "ثان", Body: "قافلة ثانية", TLP: center.TLPGreen, Distribution: all}); err != nil {
		t.Fatal(err)
	}
	purged := f.submit("IR", center.Draft{Title: "محذوف", Body: "قافلة محذوفة", TLP: center.TLPGreen, Distribution: all})
	hidden := f.submit("IR", center.Draft{Title: "خاص", Body: "قافلة خاصة", TLP: center.TLPAmber, Distribution: toParties("RU")})
	if err := f.s.Update(f.ctx, func(tx store.Tx) error { return tx.PurgeReport(f.ctx, purged.ID, f.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	s := analyze.NewSearcher(f.s, nil)
	found := func(viewer center.PartyCode) map[string]bool {
		t.Helper()
		res, err := s.Search(f.ctx, viewer, "قافلة", 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, h := range res.Hits {
			ids[h.Report.ID] = true
		}
		if len(ids) != res.Total {
			t.Errorf("%s: %d distinct hits, total %d", viewer, len(ids), res.Total)
		}
		return ids
	}
	if got := found("SY"); len(got) != 0 {
		t.Fatalf("before indexing, SY finds %v", got)
	}

	f.rec.IndexWith(analyze.Indexer{})
	if stale, err := f.rec.IndexStale(f.ctx); err != nil || !stale {
		t.Fatalf("IndexStale = %v, %v; want true for an index no analysis built", stale, err)
	}
	var calls []int
	for range 2 { // a second run replaces, it does not add
		calls = calls[:0]
		n, err := f.rec.Reindex(f.ctx, func(done int) { calls = append(calls, done) })
		if err != nil {
			t.Fatal(err)
		}
		// Three standing reports, one with two versions; the purged one's
		// version is not read.
		if n != 4 || len(calls) == 0 || calls[len(calls)-1] != 4 {
			t.Errorf("Reindex = %d (progress %v), want 4", n, calls)
		}
		if stale, err := f.rec.IndexStale(f.ctx); err != nil || stale {
			t.Fatalf("after Reindex, IndexStale = %v, %v", stale, err)
		}
		got := found("SY")
		if len(got) != 2 || !got[standing.ID] || !got[revised.ID] {
			t.Errorf("SY finds %v, want the standing and the revised reports", got)
		}
		if got := found("RU"); len(got) != 3 || !got[hidden.ID] || got[purged.ID] {
			t.Errorf("RU finds %v, want three, with the report shared with it and without the purged one", got)
		}
	}
	// A purged version is not put back by a replace.
	vs, err := f.s.Versions(f.ctx, "IQ", purged.ID)
	if err != nil || len(vs) != 1 {
		t.Fatalf("versions of the purged report: %v, %v", vs, err)
	}
	doc, _ := analyze.Indexer{}.AnalyzeReport("محذوف", "قافلة محذوفة", "ar")
	if err := f.s.Update(f.ctx, func(tx store.Tx) error { return tx.ReplaceIndex(f.ctx, vs[0].Seq, doc) }); err != nil {
		t.Fatal(err)
	}
	if got := found("IQ"); got[purged.ID] {
		t.Errorf("ReplaceIndex put a purged version back in the index")
	}
}
