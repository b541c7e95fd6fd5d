package store

import (
	"context"
	"sync"
)

// A GroupCommit is a store's queue of updates for its one writer: each
// Update waits while the writer commits it, together with whatever else is
// queued, in one transaction. A commit costs about as much for a few
// updates as for a few hundred, so the batch grows with the load.
type GroupCommit struct {
	commit    func([]*QueuedUpdate)
	closedErr error
	reqs      chan *QueuedUpdate
	mu        sync.RWMutex // guards closed against Update's send
	closed    bool
	stopped   chan struct{}
}

// A QueuedUpdate is one caller's Update waiting for the writer.
type QueuedUpdate struct {
	Ctx     context.Context
	Fn      func(Tx) error
	outcome chan error
}

// Finish reports the update's outcome to its caller. The writer calls it
// once for each update of a batch, after the batch's commit or rollback.
func (u *QueuedUpdate) Finish(err error) { u.outcome <- err }

// StartGroupCommit starts a store's writer. It calls commit with each batch
// of at most maxBatch queued updates, in order and one batch at a time;
// commit must Finish every update it is given. After Close, Update
// returns closedErr.
func StartGroupCommit(maxBatch int, closedErr error, commit func([]*QueuedUpdate)) *GroupCommit {
	g := &GroupCommit{commit: commit, closedErr: closedErr,
		reqs: make(chan *QueuedUpdate, maxBatch), stopped: make(chan struct{})}
	go g.loop(maxBatch)
	return g
}

// Update queues fn for the writer and returns its outcome.
func (g *GroupCommit) Update(ctx context.Context, fn func(Tx) error) error {
	u := &QueuedUpdate{Ctx: ctx, Fn: fn, outcome: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return g.closedErr
	}
	select {
	case g.reqs <- u:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not be told "failed" about a change that then commits.
	return <-u.outcome
}

// loop is the only writer. It runs until Close closes reqs.
func (g *GroupCommit) loop(maxBatch int) {
	defer close(g.stopped)
	batch := make([]*QueuedUpdate, 0, maxBatch)
	for u := range g.reqs {
		batch = append(batch[:0], u)
	gather:
		for len(batch) < maxBatch {
			select {
			case u, ok := <-g.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, u)
			default:
				break gather
			}
		}
		g.commit(batch)
	}
}

// Close stops taking updates and waits until the writer has committed
// those queued. It reports whether this call closed it (false: an earlier
// one did).
func (g *GroupCommit) Close() bool {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return false
	}
	g.closed = true
	close(g.reqs)
	g.mu.Unlock()
	<-g.stopped
	return true
}
