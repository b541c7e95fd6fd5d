package store

import "context"

// An Elector chooses, among the nodes that share one database, the one
// that runs a job that must run once: the transparency log's integrator.
// A backend whose database has a single writing process (SQLite) has no
// Elector; that process always leads.
//
// Leadership is an optimization, never the safety of the data: two nodes
// that both believed they led for a moment still could not fork the log,
// whose appends are checked against its size in the write transaction.
type Elector interface {
	// Lead blocks until this node leads the job called name, or ctx ends
	// (with ctx's error). Leadership lasts until release is called or it
	// is lost: lost is closed when this node can no longer be sure it
	// leads (its hold on the database broke), from which moment another
	// node may take over. release may be called more than once.
	Lead(ctx context.Context, name string) (lost <-chan struct{}, release func(), err error)
}
