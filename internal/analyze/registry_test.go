package analyze_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestRegistryFollowsAnotherWriter: two registries over one database, as
// two nodes have; the entity accepted through one is matched by the other
// once it follows, and not before; a registry with nothing new to load
// does not reload.
func TestRegistryFollowsAnotherWriter(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	here, there := analyze.NewRegistry(st), analyze.NewRegistry(st)
	rec := record.NewRecorder(st, clock, center.DefaultLimits).ExtractWith(here)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	if err := there.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := rec.ProposeEntity(ctx, testkit.Analyst("SY"), store.EntityType("group"), "Northern Brigade",
		[]store.Alias{{Lang: "en", Name: "Northern Brigade"}, {Lang: "ar", Name: "كتيبة الشمال"}})
	if err != nil {
		t.Fatal(err)
	}
	names := func(g *analyze.Registry) []string {
		_, _, x := g.ExtractReport("تحركات كتيبة الشمال", "قرب الحدود", "ar")
		var out []string
		for _, m := range x.Mentions {
			out = append(out, m.Entity)
		}
		return out
	}
	if _, _, err := rec.Curate(ctx, testkit.Officer("IQ"), e.ID, record.Curation{Action: record.Accept}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names(here), e.ID) {
		t.Fatalf("the registry of the writer does not match the accepted entity: %v", names(here))
	}
	if slices.Contains(names(there), e.ID) {
		t.Fatal("the other registry matched the entity before it followed")
	}
	fctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		there.Follow(fctx, 10*time.Millisecond, func(err error) { t.Error(err) })
	}()
	defer func() { stop(); <-done }()
	for deadline := time.Now().Add(5 * time.Second); !slices.Contains(names(there), e.ID); {
		if time.Now().After(deadline) {
			t.Fatal("the other registry does not match the accepted entity after following for 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Nothing new: the loaded state stays (the same matcher).
	m := there.Matcher()
	time.Sleep(50 * time.Millisecond)
	if there.Matcher() != m {
		t.Error("the registry reloaded with nothing changed")
	}
}
