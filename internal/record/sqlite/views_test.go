package sqlite

import (
	"context"
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
