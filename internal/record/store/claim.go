package store

import (
	"context"
	"time"
)

// DeliveryClaimer is the delivery worker's read when several nodes share
// one database, each running a worker: the due deliveries it returns are
// leased to the node that read them, so that each delivery is attempted by
// one node at a time.
type DeliveryClaimer interface {
	// ClaimDueDeliveries is DueDeliveries (the same q, the same order and
	// the same deliveries left out) that also leases each delivery it
	// returns to c.Claimant until q.Now+c.Lease, and leaves out every
	// delivery leased to another claimant. A lease ends when it expires
	// (on q.Now: the caller's clock), or when an attempt of the delivery is
	// recorded (FinishAttempt), whichever comes first; a delivery that is
	// retried is claimed afresh when it is due again. The claimant's own
	// leased deliveries are not left out (its worker leaves out those it
	// holds, by q.SkipDeliveries), and the leases of q.SkipDeliveries it
	// holds are extended to q.Now+c.Lease once half of them has passed,
	// so that a worker that keeps reading keeps what it holds. Two claims at the same moment never
	// return the same delivery: on PostgreSQL the rows are locked FOR
	// UPDATE SKIP LOCKED, so a claim passes over what another is taking.
	//
	// A lease only keeps other claimants away; it is not a promise that
	// the attempt is made. A node that dies holding leases delays those
	// deliveries by at most the lease; a node that holds a delivery past
	// its lease without reading again may see another node attempt it too
	// (receivers deduplicate by webhook-id: delivery is at least once).
	ClaimDueDeliveries(ctx context.Context, q DueQuery, c Claim) ([]Delivery, error)
}

// A Claim names who claims due deliveries, and for how long.
type Claim struct {
	// Claimant names the node (unique among the nodes sharing the
	// database, and different on each start).
	Claimant string
	// Lease is how long a claim keeps other claimants away; at least a
	// millisecond.
	Lease time.Duration
}

// ClaimingDeliveries returns s with DueDeliveries made a claim for c: give
// it to the delivery worker of a node that shares its database with other
// nodes' workers. Every other method is s's own.
func ClaimingDeliveries(s Store, c Claim) Store { return claiming{s, c} }

type claiming struct {
	Store
	c Claim
}

func (s claiming) DueDeliveries(ctx context.Context, q DueQuery) ([]Delivery, error) {
	return s.ClaimDueDeliveries(ctx, q, s.c)
}
