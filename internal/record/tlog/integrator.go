package tlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/record/store"
)

// IntegratorConfig configures an Integrator.
type IntegratorConfig struct {
	Store store.Store
	Key   Key
	// Logger receives one line per failed batch; nil discards.
	Logger *slog.Logger
	// MaxBatch caps the entries sequenced in one transaction; 0 means 256.
	MaxBatch int
	// MaxDelay is how long a pending event waits at most when nothing
	// wakes the integrator (an event written by another process, such as
	// the CLI); 0 means 250 ms.
	MaxDelay time.Duration
	// OnCheckpoint, if set, is called after each batch is durable with the
	// new checkpoint's size: the cosigner's cue.
	OnCheckpoint func(size int64)
	// Elector, if set, makes the integrator sequence only while this node
	// leads the job LeaderJob among the nodes sharing the database; nil
	// means this process is the database's one writer (SQLite).
	Elector store.Elector
	// OnLeadership, if set, is called with true when this node starts
	// leading and with false when it stops (before Stop returns, too):
	// whatever else runs on the log's leader starts and stops with it.
	OnLeadership func(leading bool)
}

// LeaderJob is the name under which nodes elect the log's integrator.
const LeaderJob = "tlog integrator"

// Integrator is the log's one writer. It sequences pending events into the
// tree in batches: a batch closes when it holds MaxBatch entries or when
// the integrator is woken — by Notify, which the write path calls after
// each commit, or every MaxDelay. Each batch is one store transaction that
// gives the events their indexes, stores the tree's new hashes and the
// signed checkpoint; while one batch commits, the next one fills, as in
// group commit.
//
// One Integrator sequences per database at a time: on SQLite the one
// process that writes it, on PostgreSQL the node that leads (see
// IntegratorConfig.Elector). Even two at once could not fork the log: each
// batch appends at the log's size, checked in its write transaction.
type Integrator struct {
	cfg  IntegratorConfig
	wake chan struct{}
	// known holds stored hashes of committed batches, which never change:
	// the tree's right edge, read by every batch. It spares a database
	// that is a network round trip away most of a batch's reads.
	known hashCache

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewIntegrator checks cfg and returns a stopped Integrator.
func NewIntegrator(cfg IntegratorConfig) (*Integrator, error) {
	if cfg.Store == nil || cfg.Key.Signer == nil {
		return nil, errors.New("tlog: integrator needs a store and a key")
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Integrator{cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// Notify wakes the integrator: events are waiting. It never blocks and is
// safe to call from any goroutine, as often as events are written.
func (in *Integrator) Notify() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// Start runs the integrator in the background until Stop or ctx ends.
func (in *Integrator) Start(ctx context.Context) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.done != nil {
		return
	}
	ctx, in.cancel = context.WithCancel(ctx)
	in.done = make(chan struct{})
	go in.run(ctx, in.done)
}

// Stop stops the integrator and waits for a batch in flight to commit.
func (in *Integrator) Stop() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.done == nil {
		return
	}
	in.cancel()
	<-in.done
	in.done = nil
}

func (in *Integrator) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	if in.cfg.Elector == nil {
		in.lead(ctx, nil)
		return
	}
	for ctx.Err() == nil {
		lost, release, err := in.cfg.Elector.Lead(ctx, LeaderJob)
		if err != nil {
			if ctx.Err() == nil {
				in.cfg.Logger.Error("tlog: electing the integrator failed", "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		in.cfg.Logger.Info("tlog: this node runs the log's integrator")
		in.lead(ctx, lost)
		release()
		if ctx.Err() == nil {
			in.cfg.Logger.Warn("tlog: this node lost the log's integrator to another")
		}
	}
}

// lead sequences batches until ctx ends or lost is closed, telling
// OnLeadership.
func (in *Integrator) lead(ctx context.Context, lost <-chan struct{}) {
	if in.cfg.OnLeadership != nil {
		in.cfg.OnLeadership(true)
		defer in.cfg.OnLeadership(false)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if lost != nil {
		go func() {
			select {
			case <-lost:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	// Events may have waited while another node led.
	in.Notify()
	tick := time.NewTicker(in.cfg.MaxDelay)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-in.wake:
		case <-tick.C:
		}
		for ctx.Err() == nil {
			n, err := in.Step(ctx)
			if err != nil {
				// Fail closed: nothing is sequenced past an event that
				// cannot be; the next wake tries again.
				in.cfg.Logger.Error("tlog: integrating a batch failed", "err", err)
				break
			}
			if n < in.cfg.MaxBatch {
				break
			}
		}
	}
}

// Step sequences one batch of up to MaxBatch pending events now, in one
// transaction, and returns how many it added. Its checkpoint is durable
// when Step returns.
func (in *Integrator) Step(ctx context.Context) (int, error) {
	var n int
	var size int64
	var read map[int64]tlog.Hash
	var written *overlay
	err := in.cfg.Store.Update(ctx, func(tx store.Tx) error {
		read, written = nil, nil
		n = 0
		var err error
		if size, err = tx.LogSize(ctx); err != nil {
			return err
		}
		evs, err := tx.PendingEvents(ctx, in.cfg.MaxBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		read = map[int64]tlog.Hash{}
		ov := &overlay{base: in.known.reader(HashReader(ctx, tx), read), first: tlog.StoredHashIndex(0, size)}
		written = ov
		seqs := make([]int64, len(evs))
		for i, e := range evs {
			b, err := EntryOf(e).Marshal()
			if err != nil {
				return fmt.Errorf("tlog: event %s (seq %d) cannot be logged: %w", e.ID, e.Seq, err)
			}
			hs, err := tlog.StoredHashes(size+int64(i), b, ov)
			if err != nil {
				return fmt.Errorf("tlog: hashes of entry %d: %w", size+int64(i), err)
			}
			ov.hashes = append(ov.hashes, hs...)
			seqs[i] = e.Seq
		}
		if err := tx.AppendLog(ctx, size, seqs, ov.hashes); err != nil {
			return err
		}
		tree := tlog.Tree{N: size + int64(len(evs))}
		if tree.Hash, err = tlog.TreeHash(tree.N, ov); err != nil {
			return fmt.Errorf("tlog: tree hash: %w", err)
		}
		signed, err := SignCheckpoint(in.cfg.Key.Signer, tree)
		if err != nil {
			return err
		}
		if err := tx.PutCheckpoint(ctx, store.Checkpoint{Size: tree.N, Note: signed}); err != nil {
			return err
		}
		n, size = len(evs), tree.N
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Only now, committed, are the batch's hashes the log's for good.
	if n > 0 {
		in.known.add(read, written)
	}
	if n > 0 && in.cfg.OnCheckpoint != nil {
		in.cfg.OnCheckpoint(size)
	}
	return n, nil
}

// hashCache holds stored hashes known to be committed.
type hashCache struct {
	mu sync.Mutex
	m  map[int64]tlog.Hash
}

// maxKnown bounds the cache; past it, the cache starts over (the next
// batch reads its right edge again).
const maxKnown = 1 << 16

// reader reads through the cache, recording in read what it had to read
// from base.
func (c *hashCache) reader(base tlog.HashReader, read map[int64]tlog.Hash) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		var at []int
		c.mu.Lock()
		for i, id := range indexes {
			if h, ok := c.m[id]; ok {
				out[i] = h
			} else {
				missing = append(missing, id)
				at = append(at, i)
			}
		}
		c.mu.Unlock()
		if len(missing) == 0 {
			return out, nil
		}
		hs, err := base.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[at[j]] = h
			read[missing[j]] = h
		}
		return out, nil
	})
}

// add records what a committed batch read and wrote.
func (c *hashCache) add(read map[int64]tlog.Hash, written *overlay) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m)+len(read)+len(written.hashes) > maxKnown {
		c.m = make(map[int64]tlog.Hash, len(read)+len(written.hashes))
	}
	for id, h := range read {
		c.m[id] = h
	}
	for i, h := range written.hashes {
		c.m[written.first+int64(i)] = h
	}
}
