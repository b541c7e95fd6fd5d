package sqlite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

var _ store.DeliveryClaimer = (*Store)(nil)

// ClaimDueDeliveries implements store.DeliveryClaimer in a write
// transaction: SQLite has one writer, so two claims never interleave. A
// center on SQLite runs one worker, which reads with DueDeliveries; the
// claim exists so that the contract is the same on both backends.
func (s *Store) ClaimDueDeliveries(ctx context.Context, q store.DueQuery, c store.Claim) ([]store.Delivery, error) {
	if c.Claimant == "" || c.Lease < time.Millisecond {
		return nil, errors.New("sqlite: claim due deliveries: a claimant and a lease of at least a millisecond are required")
	}
	ej, dj, err := skipLists(q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim due deliveries: %w", err)
	}
	now, until := micros(q.Now), micros(q.Now.Add(c.Lease))
	which, order, arg := `AND d.endpoint NOT IN (SELECT value FROM json_each(?))`, `d.next_attempt, d.seq`, string(ej)
	if q.Endpoint != "" {
		which, order, arg = `AND d.endpoint = ?`, `d.seq`, q.Endpoint
	}
	after, afterArgs := continuation(q)
	var out []store.Delivery
	err = s.Update(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		if err := t.exec(ctx, "renew delivery leases", `
			UPDATE deliveries SET claimed_until = ?
			WHERE seq IN (SELECT value FROM json_each(?)) AND claimed_by = ?
				AND claimed_attempts = attempts AND state = 'pending' AND claimed_until < ?`,
			until, string(dj), c.Claimant, micros(q.Now.Add(c.Lease/2))); err != nil {
			return err
		}
		ds, err := scanDeliveries(t.QueryContext(ctx, `
			SELECT `+deliveryColumns+` FROM deliveries d
			JOIN inbox f ON f.seq = d.inbox_seq
			JOIN endpoints e ON e.id = d.endpoint
			WHERE d.state = 'pending' AND `+after+`
				`+which+`
				AND d.seq NOT IN (SELECT value FROM json_each(?))
				AND (e.open_until IS NULL OR e.open_until <= ?)
				AND (e.ordered = 0 OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
					WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
				AND (d.claimed_by IS NULL OR d.claimed_by = ? OR d.claimed_until <= ?
					OR d.claimed_attempts <> d.attempts)
			ORDER BY `+order+` LIMIT ?`,
			append(afterArgs, arg, string(dj), now, c.Claimant, now, q.Limit)...))
		if err != nil {
			return err
		}
		seqs := make([]int64, len(ds))
		for i, d := range ds {
			seqs[i] = d.Seq
		}
		sj, err := json.Marshal(seqs)
		if err != nil {
			return fmt.Errorf("sqlite: claim due deliveries: %w", err)
		}
		if err := t.exec(ctx, "claim due deliveries", `
			UPDATE deliveries SET claimed_by = ?, claimed_until = ?, claimed_attempts = attempts
			WHERE seq IN (SELECT value FROM json_each(?))`, c.Claimant, until, string(sj)); err != nil {
			return err
		}
		out = ds
		return nil
	})
	return out, err
}
