package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// webhookFlags are serve's settings of the webhook delivery.
type webhookFlags struct {
	allow       string
	horizon     time.Duration
	perEndpoint int
	timeout     time.Duration
	lease       time.Duration
}

func (f *webhookFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.allow, "webhook-allow", "",
		"addresses and prefixes (comma-separated, e.g. 127.0.0.1,10.1.0.0/16) that endpoints may use although they are not public; by default loopback, private, link-local and metadata addresses are refused")
	cmd.Flags().DurationVar(&f.horizon, "webhook-horizon", 72*time.Hour, "how long a delivery is retried before it is dead-lettered")
	cmd.Flags().IntVar(&f.perEndpoint, "webhook-per-endpoint", 16, "the most deliveries in flight to one endpoint")
	cmd.Flags().DurationVar(&f.timeout, "webhook-timeout", 10*time.Second, "how long one delivery attempt may take")
	cmd.Flags().DurationVar(&f.lease, "webhook-lease", time.Minute,
		"on PostgreSQL, how long a node's claim on a due delivery keeps the other nodes' workers away (longer than --webhook-timeout); a node that dies delays its claimed deliveries by at most this")
}

// check refuses settings the worker cannot run with.
func (f *webhookFlags) check() error {
	if f.horizon <= 0 || f.perEndpoint < 1 || f.timeout <= 0 {
		return usagef("--webhook-horizon, --webhook-timeout and --webhook-per-endpoint must be positive")
	}
	// An attempt must end before its lease does, even if the worker reads
	// nothing meanwhile (each read extends what it holds).
	if f.lease <= f.timeout {
		return usagef("--webhook-lease (%v) must be longer than --webhook-timeout (%v)", f.lease, f.timeout)
	}
	return nil
}

// distribution is the running delivery worker and the live streams' cue.
type distribution struct {
	guard   distribute.Guard
	changes *distribute.Broadcast
	stop    func()
}

// startDistribution starts the delivery worker; stop waits for the
// attempts in flight to be recorded.
func startDistribution(ctx context.Context, st store.Store, rec *record.Recorder, clock center.Clock, f webhookFlags, log *slog.Logger) (*distribution, error) {
	allow, err := distribute.ParseAllowList(f.allow)
	if err != nil {
		return nil, usagef("--webhook-allow: %v", err)
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	d := &distribution{guard: distribute.Guard{Allow: allow}, changes: &distribute.Broadcast{}}
	// On a database several nodes share (PostgreSQL), every node runs a
	// worker, and each worker's reads claim what they return, so that each
	// delivery is attempted by one node at a time; on SQLite the one
	// serving process's worker reads plainly.
	ws := st
	_, shared := st.(store.Elector)
	if shared {
		ws = store.ClaimingDeliveries(st, store.Claim{Claimant: nodeName(), Lease: f.lease})
	}
	w, err := distribute.New(distribute.Config{Store: ws, Recorder: rec, Clock: clock, Guard: d.guard, Logger: log,
		Horizon: f.horizon, PerEndpoint: f.perEndpoint, Timeout: f.timeout})
	if err != nil {
		return nil, err
	}
	rec.OnDeliveries(func() {
		w.Wake()
		d.changes.Notify()
	})
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(wctx)
	}()
	d.stop = func() {
		rec.OnDeliveries(nil)
		cancel()
		<-done
	}
	return d, nil
}

// nodeName names this process among the nodes sharing a database: its
// host, its process id and a random part, so that a restarted node (whose
// pid may repeat) never inherits the leases of its previous life.
func nodeName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}
