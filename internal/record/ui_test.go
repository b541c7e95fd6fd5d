package record_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/testkit"
)

func TestUIState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tabadul.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(st, clock, center.DefaultLimits)

	// Concurrent first calls, as on several nodes, agree on one key.
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := rec.UISessionKey(ctx)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if len(k) != 32 || !bytes.Equal(k, keys[0]) {
			t.Fatalf("session keys differ or are short: %x vs %x", k, keys[0])
		}
	}
	// A second recorder over the same database (another node) reads it.
	other := record.NewRecorder(st, clock, center.DefaultLimits)
	if k, err := other.UISessionKey(ctx); err != nil || !bytes.Equal(k, keys[0]) {
		t.Fatalf("another recorder's key %x, %v", k, err)
	}
	events, err := st.Events(ctx, 0, 100)
	if err != nil || len(events) != 0 {
		t.Errorf("the session key was logged: %d events, %v", len(events), err)
	}

	who := testkit.Analyst("IQ")
	if lang, err := record.UILanguage(ctx, st, who.User.Username); err != nil || lang != "" {
		t.Fatalf("language before choosing: %q, %v", lang, err)
	}
	if err := rec.SetUILanguage(ctx, who, "fa"); err != nil {
		t.Fatal(err)
	}
	if lang, _ := record.UILanguage(ctx, st, who.User.Username); lang != "fa" {
		t.Errorf("language %q, want fa", lang)
	}
	if err := rec.SetUILanguage(ctx, who, "de"); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("an unknown language: %v", err)
	}
	if lang, _ := record.UILanguage(ctx, st, testkit.Analyst("SY").User.Username); lang != "" {
		t.Errorf("another user's language %q", lang)
	}

	if at, _ := record.UISessionsAfter(ctx, st, who.User.Username); !at.IsZero() {
		t.Errorf("sessions floor before signing out: %v", at)
	}
	end, err := rec.EndUISessions(ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	if at, err := record.UISessionsAfter(ctx, st, who.User.Username); err != nil || !at.Equal(end) || !end.Equal(clock.Now()) {
		t.Errorf("sessions floor %v, %v; want %v", at, err, end)
	}
}
