package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

var _ store.DeliveryClaimer = (*Store)(nil)

// claimable is the lease condition of store.DeliveryClaimer: a delivery
// nobody holds, or the claimant's own, or whose lease expired or ended
// with a recorded attempt. $1 is the claimant, $2 the time.
const claimable = `(d.claimed_by IS NULL OR d.claimed_by = $1 OR d.claimed_until <= $2
	OR d.claimed_attempts <> d.attempts)`

// ClaimDueDeliveries implements store.DeliveryClaimer in one statement,
// in a transaction of its own outside the write path's advisory lock (a
// claim writes only its own columns, which no other write reads): it
// extends the leases the claimant holds on q.SkipDeliveries, picks the
// due rows with DueDeliveries' conditions and the lease's, locking them
// FOR UPDATE SKIP LOCKED so that a concurrent claim on another node
// passes over them, and leases them. No part of it waits for a row lock,
// so it never deadlocks with the committer recording attempts: a row
// being recorded is skipped, its lease about to end anyway.
func (s *Store) ClaimDueDeliveries(ctx context.Context, q store.DueQuery, c store.Claim) ([]store.Delivery, error) {
	if c.Claimant == "" || c.Lease < time.Millisecond {
		return nil, errors.New("postgres: claim due deliveries: a claimant and a lease of at least a millisecond are required")
	}
	skipE, skipD := q.SkipEndpoints, q.SkipDeliveries
	if skipE == nil {
		skipE = []string{}
	}
	if skipD == nil {
		skipD = []int64{}
	}
	now, until := micros(q.Now), micros(q.Now.Add(c.Lease))
	// A held lease is extended once half of it has passed, not on every
	// read: a busy worker reads often, and holds up to a thousand or so.
	renew := micros(q.Now.Add(c.Lease / 2))
	// $1 claimant, $2 now, $3 until, $4 skipped deliveries, $5 limit,
	// $6 the endpoint or skipped endpoints, $7 the renewal threshold,
	// $8 the Seq the read continues after, $9 the due time it continues
	// after (a continuation for all endpoints).
	which, order := `AND d.endpoint <> ALL ($6::text[])`, `d.next_attempt, d.seq`
	var sixth any = skipE
	if q.Endpoint != "" {
		which, order, sixth = `AND d.endpoint = $6`, `d.seq`, q.Endpoint
	}
	after, args := continuation(q, 8, c.Claimant, now, until, skipD, limitOf(q.Limit), sixth, renew)
	// A lease lost in a crash of the server is harmless (another node
	// may then attempt a delivery again: at least once), so the claim's
	// commit does not wait for its WAL to reach the disk.
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim due deliveries: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return nil, fmt.Errorf("postgres: claim due deliveries: %w", err)
	}
	ds, err := scanDeliveries(tx.Query(ctx, `
		WITH renewed AS (
			UPDATE deliveries SET claimed_until = $3
			WHERE seq IN (SELECT d.seq FROM deliveries d
				WHERE d.seq = ANY ($4::bigint[]) AND d.claimed_by = $1
					AND d.claimed_attempts = d.attempts AND d.state = 'pending'
					AND d.claimed_until < $7
				FOR UPDATE SKIP LOCKED)
		), picked AS (
			SELECT d.seq FROM deliveries d
			JOIN endpoints e ON e.id = d.endpoint
			WHERE d.state = 'pending' AND d.next_attempt <= $2 AND `+after+`
				`+which+`
				AND d.seq <> ALL ($4::bigint[])
				AND (e.open_until IS NULL OR e.open_until <= $2)
				AND (NOT e.ordered OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
					WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
				AND `+claimable+`
			ORDER BY `+order+` LIMIT $5
			FOR UPDATE OF d SKIP LOCKED
		), claimed AS (
			UPDATE deliveries d SET claimed_by = $1, claimed_until = $3, claimed_attempts = d.attempts
			FROM picked WHERE d.seq = picked.seq
			RETURNING d.*
		)
		SELECT `+deliveryColumns+` FROM claimed d
		JOIN inbox f ON f.seq = d.inbox_seq
		ORDER BY `+order,
		args...))
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("postgres: claim due deliveries: %w", err)
	}
	return ds, nil
}
