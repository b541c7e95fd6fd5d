package record

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// MetaTAXIIPageKey holds, in hex, the key that authenticates the TAXII
// server's `next` tokens. It lives in the database so that a token made by
// one node is good on every node and after a restart.
const MetaTAXIIPageKey = "taxii_page_key"

// TAXIIPageKey returns the key of TAXII `next` tokens, creating it on
// first use. Two nodes asking at once get the same key: the first writer
// wins and the other reads it inside its own transaction.
func (r *Recorder) TAXIIPageKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := r.store.Update(ctx, func(tx store.Tx) error {
		v, err := tx.Meta(ctx, MetaTAXIIPageKey)
		if err != nil {
			return err
		}
		if v == "" {
			b := make([]byte, 32)
			rand.Read(b)
			v = hex.EncodeToString(b)
			if err := tx.SetMeta(ctx, MetaTAXIIPageKey, v); err != nil {
				return err
			}
		}
		key, err = hex.DecodeString(v)
		if err != nil || len(key) < 32 {
			return fmt.Errorf("record: meta %s is not a 32-byte hex key", MetaTAXIIPageKey)
		}
		return nil
	})
	return key, err
}

// PutTAXIIStatus stores the status resource of a TAXII request. A status
// is bookkeeping of a request, like a token's last use: the objects it
// reports on are recorded, with their events, by ImportSTIX.
func (r *Recorder) PutTAXIIStatus(ctx context.Context, s store.TAXIIStatus) error {
	s.Updated = r.now()
	if s.Requested.IsZero() {
		s.Requested = s.Updated
	}
	if s.Total != len(s.Successes)+len(s.Failures)+len(s.Pendings) {
		return fmt.Errorf("record: taxii status %s: total %d is not successes + failures + pendings", s.ID, s.Total)
	}
	return r.store.Update(ctx, func(tx store.Tx) error { return tx.PutTAXIIStatus(ctx, s) })
}

// TAXIIDistributionSet is the event of a party setting how the objects it
// adds through TAXII are shared.
const TAXIIDistributionSet center.EventType = "taxii.distribution_set"

// SetTAXIIDistribution sets how the objects the principal's party adds
// through TAXII are shared. Only the party's officers may; the
// distribution must name parties and a committee that exist.
func (r *Recorder) SetTAXIIDistribution(ctx context.Context, who center.Principal, d center.Distribution) error {
	if !who.IsOfficer() {
		return center.Refuse(center.ErrForbidden, "only an officer of %s sets how its TAXII additions are shared", who.Party())
	}
	return r.update(ctx, func(tx store.Tx) error {
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		// The rule of a report's distribution, at the TLP most objects
		// carry.
		draft := center.Draft{Title: "-", Body: "-", TLP: center.TLPAmber, Distribution: d}
		draft.Normalize()
		if err := draft.Validate(r.limits, dir); err != nil {
			return err
		}
		if err := tx.SetTAXIIDistribution(ctx, who.Party(), draft.Distribution); err != nil {
			return err
		}
		now := r.now()
		return appendEvent(ctx, tx, center.Event{Type: TAXIIDistributionSet, Party: who.Party(), User: who.User.Username, At: now,
			Subject: "taxii-distribution--" + string(who.Party())}, draft.Distribution)
	})
}
