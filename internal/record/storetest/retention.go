package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testRetention runs a year of simulated time: only the chair sets the
// retention; revoked reports keep their text for that many days and then
// lose it (and their place in the search index), with an event; standing
// reports are never touched.
func testRetention(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	s := analyze.NewSearcher(f.s, nil)
	var nc *record.NotChairError
	if err := f.rec.SetRetention(f.ctx, testkit.Officer("SY"), 30); !errors.As(err, &nc) {
		t.Fatalf("SY setting retention = %v, want NotChairError", err)
	}
	if err := f.rec.SetRetention(f.ctx, testkit.Officer("IQ"), -1); !errors.Is(err, center.ErrInvalid) {
		t.Fatalf("negative retention = %v, want ErrInvalid", err)
	}
	// Nothing is erased while no retention is set.
	old := f.submit("IQ", center.Draft{Title: "قديم", Body: "قافلة قديمة", TLP: center.TLPGreen, Distribution: all})
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("IQ"), old.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(400 * 24 * time.Hour)
	if n, err := f.rec.PurgeExpired(f.ctx); err != nil || n != 0 {
		t.Fatalf("PurgeExpired without retention = %d, %v", n, err)
	}
	if err := f.rec.SetRetention(f.ctx, testkit.Officer(center.PartyCode(chairNow(t, f).Party)), 30); err != nil {
		t.Fatal(err)
	}
	if days, _ := f.rec.Retention(f.ctx); days != 30 {
		t.Fatalf("Retention = %d, want 30", days)
	}
	revoked := f.submit("SY", center.Draft{Title: "مسحوب", Body: "قافلة مسحوبة", TLP: center.TLPGreen, Distribution: all})
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("SY"), revoked.ID, center.Draft{Title: "مسحوب ٢", Body: "قافلة مسحوبة ثانية", TLP: center.TLPGreen, Distribution: all}); err != nil {
		t.Fatal(err)
	}
	standing := f.submit("SY", center.Draft{Title: "قائم", Body: "قافلة قائمة", TLP: center.TLPGreen, Distribution: all})
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("SY"), revoked.ID); err != nil {
		t.Fatal(err)
	}
	// The long-revoked report goes at once; the new revocation waits.
	if n, err := f.rec.PurgeExpired(f.ctx); err != nil || n != 1 {
		t.Fatalf("first purge = %d, %v; want the old report only", n, err)
	}
	f.clock.Advance(29 * 24 * time.Hour)
	if n, _ := f.rec.PurgeExpired(f.ctx); n != 0 {
		t.Fatalf("purged %d reports before 30 days", n)
	}
	f.clock.Advance(2 * 24 * time.Hour)
	if n, _ := f.rec.PurgeExpired(f.ctx); n != 1 {
		t.Fatalf("purged %d reports after 31 days, want 1", n)
	}
	if n, _ := f.rec.PurgeExpired(f.ctx); n != 0 {
		t.Fatalf("purged again: %d", n)
	}
	vs, err := f.s.Versions(f.ctx, "RU", revoked.ID)
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions after purge: %d, %v", len(vs), err)
	}
	for _, v := range vs {
		if v.Title != "" || v.Body != "" || v.Purged == nil || !v.Purged.Equal(f.clock.Now()) || v.TLP != center.TLPGreen || v.Source != "SY" {
			t.Errorf("purged version = %+v", v)
		}
	}
	if got, _ := f.s.Report(f.ctx, "IQ", standing.ID); got.Body != "قافلة قائمة" || got.Purged != nil {
		t.Errorf("a standing report was touched: %+v", got)
	}
	res, err := s.Search(f.ctx, "IQ", "قافلة", 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].Report.ID != standing.ID || res.Total != 1 {
		t.Errorf("search after purge finds %d hits, total %d; want only the standing report", len(res.Hits), res.Total)
	}
	evs, _ := f.s.Events(f.ctx, 0, 10000)
	purges := 0
	for _, e := range evs {
		if e.Type == center.ReportPurged {
			purges++
		}
	}
	if purges != 2 {
		t.Errorf("%d report.purged events, want 2", purges)
	}
	// The audit accepts erased versions that the log says were erased,
	// and names one that was erased behind its back.
	rep, err := tlog.Check(f.ctx, f.s, tlog.CheckOptions{Audit: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 {
		t.Errorf("audit after retention: %+v", rep.Problems)
	}
	sneaky := f.submit("IQ", center.Draft{Title: "sneaky", Body: "text", TLP: center.TLPGreen, Distribution: all})
	if err := f.s.Update(f.ctx, func(tx store.Tx) error { return tx.PurgeReport(f.ctx, sneaky.ID, f.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	rep, _ = tlog.Check(f.ctx, f.s, tlog.CheckOptions{Audit: true})
	if len(rep.Problems) == 0 {
		t.Error("the audit missed a report erased outside the write path")
	}
}
