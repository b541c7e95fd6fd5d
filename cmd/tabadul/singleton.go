package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

// runLeading runs job while this node leads the job called name among
// the nodes that share st's database (a store.Elector: PostgreSQL), and
// runs it again whenever this node leads again after losing the lead,
// until ctx ends. On a store with one serving process (SQLite) it just
// runs job. Jobs that must not run on two nodes at once — the collectors
// (news feeds, TAXII pulls), which would fetch everything twice — go
// through it. The delivery worker does not: it runs on every node and
// claims each delivery it sends (store.DeliveryClaimer).
func runLeading(ctx context.Context, st store.Store, name string, log *slog.Logger, job func(context.Context)) {
	el, shared := st.(store.Elector)
	if !shared {
		job(ctx)
		return
	}
	for ctx.Err() == nil {
		lost, release, err := el.Lead(ctx, name)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("lead "+name, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
			continue
		}
		jctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-lost:
				log.Warn("lost the lead of " + name + "; another node takes over")
				cancel()
			case <-jctx.Done():
			}
		}()
		job(jctx)
		cancel()
		release()
	}
}
