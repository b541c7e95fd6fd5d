package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// TestViewKeys: each party's keys are a range of their own, and the keys
// of a code that names no party meet no party's.
func TestViewKeys(t *testing.T) {
	ctx := context.Background()
	s := planStore(t)
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, code := range []center.PartyCode{"IQ", "SY", "JO"} {
			if err := tx.InsertParty(ctx, center.Party{Code: code, Kind: center.Member, Names: map[string]string{"en": string(code)}}); err != nil {
				return err
			}
		}
		return tx.RemoveParty(ctx, "SY", time.Unix(1, 0))
	})
	if err != nil {
		t.Fatal(err)
	}
	const seq = 1<<seqBits - 1 // the highest seq a key holds
	keys := map[center.PartyCode]viewKeys{}
	for _, tt := range []struct {
		code center.PartyCode
		num  int64 // 0: names no party
	}{
		{"IQ", 1},
		{"SY", 2}, // removed, and keeps its number
		{"JO", 3},
		{"XX", 0},
		{"", 0},
	} {
		k, err := s.viewsOf(ctx, tt.code)
		if err != nil {
			t.Fatal(err)
		}
		if tt.num == 0 {
			if k != noViews || k.of(seq) >= 0 || k.end() > 0 {
				t.Errorf("%q, no party: keys %+v up to %d, want negative ones", tt.code, k, k.of(seq))
			}
			continue
		}
		if k.base != tt.num<<seqBits || k.of(1) != k.base+1 || k.of(seq) != k.end()-1 {
			t.Errorf("%s: keys %+v, of(1) %d, of(max) %d, end %d; want number %d's", tt.code, k, k.of(1), k.of(seq), k.end(), tt.num)
		}
		for other, ok := range keys {
			if k.base < ok.end() && ok.base < k.end() {
				t.Errorf("%s's keys overlap %s's", tt.code, other)
			}
		}
		keys[tt.code] = k
	}
}

// TestViewsOfPartiesAdmittedInTheUpdate: a version's views reach parties
// admitted in the same update, before or after other versions, and a
// number drawn in an update that fails goes to the next party admitted
// without that party's views reaching the failed one's code.
func TestViewsOfPartiesAdmittedInTheUpdate(t *testing.T) {
	ctx := context.Background()
	s := planStore(t)
	at := time.Unix(1_800_000_000, 0).UTC()
	version := func(tx store.Tx, audience ...center.PartyCode) (string, error) {
		rep := center.Report{ID: center.NewReportID(), Version: at, Created: at, Source: "IQ", Author: "u", Title: "t", Body: "b",
			TLP: center.TLPGreen, Distribution: center.Distribution{All: true}, Tags: []string{}, Audience: audience}
		_, err := tx.InsertVersion(ctx, rep)
		return rep.ID, err
	}
	admit := func(tx store.Tx, code center.PartyCode) error {
		return tx.InsertParty(ctx, center.Party{Code: code, Kind: center.Member, Names: map[string]string{"en": string(code)}})
	}
	var first, second string
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, code := range []center.PartyCode{"IQ", "JO"} {
			if err := admit(tx, code); err != nil {
				return err
			}
		}
		var err error
		if first, err = version(tx, "IQ", "JO"); err != nil {
			return err
		}
		if err := admit(tx, "KW"); err != nil {
			return err
		}
		second, err = version(tx, "IQ", "KW")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Committed, the parties' numbers are cached for the next updates.
	for _, code := range []center.PartyCode{"IQ", "JO", "KW"} {
		if _, ok := s.nums.get(code); !ok {
			t.Errorf("%s admitted and committed, but its number is not cached", code)
		}
	}
	errFailed := errors.New("failed")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := admit(tx, "XX"); err != nil {
			return err
		}
		if _, err := version(tx, "IQ", "XX"); err != nil {
			return err
		}
		return errFailed
	})
	if !errors.Is(err, errFailed) {
		t.Fatalf("failing update: %v", err)
	}
	if n, ok := s.nums.get("XX"); ok {
		t.Errorf("XX's number %d, drawn by an update rolled back, is cached", n)
	}
	var third string
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := admit(tx, "YY"); err != nil {
			return err
		}
		var err error
		third, err = version(tx, "IQ", "YY")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		viewer center.PartyCode
		id     string
		sees   bool
	}{
		{"JO", first, true}, {"KW", first, false},
		{"KW", second, true}, {"JO", second, false},
		{"YY", third, true}, {"XX", third, false}, {"KW", third, false},
	} {
		_, err := s.Report(ctx, tt.viewer, tt.id)
		if tt.sees && err != nil {
			t.Errorf("%s does not see %s: %v", tt.viewer, tt.id, err)
		}
		if !tt.sees && !errors.Is(err, center.ErrNotFound) {
			t.Errorf("%s sees %s (%v); want not found", tt.viewer, tt.id, err)
		}
	}
	if k, _ := s.viewsOf(ctx, "YY"); k.base != 4<<seqBits {
		t.Errorf("YY's keys %+v, want number 4's, the failed update's", k)
	}
}
