package main

import (
	"context"
	"log/slog"
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
}

func (f *webhookFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.allow, "webhook-allow", "",
		"addresses and prefixes (comma-separated, e.g. 127.0.0.1,10.1.0.0/16) that endpoints may use although they are not public; by default loopback, private, link-local and metadata addresses are refused")
	cmd.Flags().DurationVar(&f.horizon, "webhook-horizon", 72*time.Hour, "how long a delivery is retried before it is dead-lettered")
	cmd.Flags().IntVar(&f.perEndpoint, "webhook-per-endpoint", 16, "the most deliveries in flight to one endpoint")
	cmd.Flags().DurationVar(&f.timeout, "webhook-timeout", 10*time.Second, "how long one delivery attempt may take")
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
	if f.horizon <= 0 || f.perEndpoint < 1 || f.timeout <= 0 {
		return nil, usagef("--webhook-horizon, --webhook-timeout and --webhook-per-endpoint must be positive")
	}
	d := &distribution{guard: distribute.Guard{Allow: allow}, changes: &distribute.Broadcast{}}
	w, err := distribute.New(distribute.Config{Store: st, Recorder: rec, Clock: clock, Guard: d.guard, Logger: log,
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
		runLeading(wctx, st, "distribute", log, w.Run)
	}()
	d.stop = func() {
		rec.OnDeliveries(nil)
		cancel()
		<-done
	}
	return d, nil
}
