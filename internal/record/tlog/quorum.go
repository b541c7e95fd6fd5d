package tlog

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// A WitnessPolicy is how many of which parties' witnesses must cosign a
// checkpoint before it is published.
type WitnessPolicy struct {
	// Quorum is the number of distinct parties whose witnesses must
	// cosign.
	Quorum int
	// Parties may count toward the quorum, in roster order.
	Parties []center.PartyCode
	// FromCharter tells whether the charter set the quorum; otherwise it
	// is the default, ⌊2n/3⌋+1 of the n member parties.
	FromCharter bool
}

// Met reports whether cosignatures by these parties meet the policy. It
// fails closed: a quorum below one is never met.
func (p WitnessPolicy) Met(by []center.PartyCode) bool {
	n := 0
	for _, c := range p.Parties {
		if slices.Contains(by, c) {
			n++
		}
	}
	return p.Quorum >= 1 && n >= p.Quorum
}

// ReadWitnessPolicy reads the witness policy from the charter as recorded:
// the charter's witness quorum counting any party of the roster, or by
// default ⌊2n/3⌋+1 of the n member parties, counting members only. The
// quorum is record.MetaWitnessQuorum, which the charter sets and only a
// set_witness_quorum amendment changes; the policy changes only by
// amendment, of the quorum or of the roster.
func ReadWitnessPolicy(ctx context.Context, r store.Reader) (WitnessPolicy, error) {
	dir, err := r.Directory(ctx)
	if err != nil {
		return WitnessPolicy{}, err
	}
	v, err := r.Meta(ctx, record.MetaWitnessQuorum)
	if err != nil {
		return WitnessPolicy{}, err
	}
	q := 0
	if v != "" {
		if q, err = strconv.Atoi(v); err != nil || q < 0 {
			return WitnessPolicy{}, fmt.Errorf("tlog: witness quorum %q in the database is not a count", v)
		}
	}
	if q > 0 {
		p := WitnessPolicy{Quorum: q, FromCharter: true}
		for _, party := range dir.Parties {
			p.Parties = append(p.Parties, party.Code)
		}
		return p, nil
	}
	members := dir.Members()
	return WitnessPolicy{Quorum: 2*len(members)/3 + 1, Parties: members}, nil
}
