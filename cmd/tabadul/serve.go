package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/api"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/demo"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/web"
)

// serveConfig is everything serve needs besides the app, checked once.
type serveConfig struct {
	addr    string
	maxBody int
}

// Server timeouts. Reading a request's headers gets little time, so that
// slow clients cannot hold connections open; a body up to --max-body gets a
// minute; in-flight requests get shutdownTimeout to finish on SIGTERM.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 30 * time.Second
)

func (a *app) serveCommand() *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the center's web interface and API (an empty data directory gets the demo center)",
		Long: "Serve the center's web interface (at /) and REST API (at /api/v1) until SIGINT or SIGTERM.\n\n" +
			"If the data directory holds no center yet, serve creates the demo center of the\n" +
			"seed article: Iraq, Syria, Iran and Russia, a user of each role for each, and the\n" +
			"article as the first report. The demo users' passwords are printed once.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.maxBody < 1 {
				return usagef("--max-body must be at least 1 byte")
			}
			return a.serve(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "the address to listen on; port 0 picks a free port")
	cmd.Flags().IntVar(&cfg.maxBody, "max-body", center.DefaultLimits.MaxBodyBytes, "the largest report body accepted, in bytes")
	return cmd
}

func (a *app) serve(ctx context.Context, cfg serveConfig) (err error) {
	// The first SIGINT or SIGTERM starts a graceful shutdown; once it has
	// begun, stop() below lets a second one end the process at once.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(a.stderr, nil))

	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	// The store closes last, after every request that could write to it
	// has finished.
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close the database: %w", cerr))
		}
	}()

	limits := center.DefaultLimits
	limits.MaxBodyBytes = cfg.maxBody
	rec := record.NewRecorder(st, a.clock, limits).IndexWith(analyze.Indexer{})
	created, err := demo.Create(ctx, rec, st, a.clock, a.dataDir, a.stdout)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(a.stdout, "Get an API token with: tabadul token create --data %s --user iq-analyst\n", a.dataDir)
	}
	logSys, err := a.startLog(ctx, st, rec, created, log)
	if err != nil {
		return err
	}
	defer logSys.stop()
	pctx, endPurging := context.WithCancel(ctx)
	purging := make(chan struct{})
	go func() {
		defer close(purging)
		keepRetention(pctx, rec, log)
	}()
	defer func() { endPurging(); <-purging }()

	srv, err := api.New(api.Config{
		Store:    st,
		Recorder: rec,
		Clock:    a.clock,
		Logger:   log,
		// nil: the API makes its own registry, with the Go and process
		// collectors, and serves it at /metrics.
		Registry: nil,
		Version:  version(),
	})
	if err != nil {
		return err
	}

	ui, err := web.New(web.Config{Store: st, Recorder: rec, Clock: a.clock, Logger: log})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           web.Combine(ui.Handler(), srv.Handler()),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()

	// The bound address, not the flag: with port 0 this is the only way to
	// learn the port.
	fmt.Fprintf(a.stdout, "Tabadul listening on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "data", a.dataDir, "version", version())

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	stop()
	log.Info("shutting down: finishing requests in flight", "timeout", shutdownTimeout)

	// Shutdown closes the listener, then waits for active requests; past
	// the timeout the remaining connections are cut.
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// purgeEvery is how often serve erases what the retention says is due.
const purgeEvery = time.Hour

// keepRetention erases revoked reports' text once the retention has passed,
// at start and then every purgeEvery, until ctx ends.
func keepRetention(ctx context.Context, rec *record.Recorder, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		for {
			n, err := rec.PurgeExpired(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("retention: purge", "err", err)
				}
				break
			}
			if n > 0 {
				log.Info("retention: erased revoked reports' text", "reports", n)
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
