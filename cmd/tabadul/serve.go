package main

import (
	"context"
	"crypto/tls"
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
	"github.com/tabadul/tabadul/internal/collect/feed"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/taxiiclient"
	"github.com/tabadul/tabadul/internal/demo"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/taxii"
	"github.com/tabadul/tabadul/internal/web"
)

// serveConfig is everything serve needs besides the app, checked once.
type serveConfig struct {
	addr    string
	maxBody int
	// webhooks configures the delivery of webhooks.
	webhooks webhookFlags
	// tlsCert and tlsKey, both or neither, serve HTTPS (the API and TAXII).
	tlsCert, tlsKey string
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
			if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
				return usagef("--tls-cert and --tls-key go together")
			}
			if err := cfg.webhooks.check(); err != nil {
				return err
			}
			return a.serve(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "the address to listen on; port 0 picks a free port")
	cmd.Flags().IntVar(&cfg.maxBody, "max-body", center.DefaultLimits.MaxBodyBytes, "the largest report body accepted, in bytes")
	cfg.webhooks.register(cmd)
	cmd.Flags().StringVar(&cfg.tlsCert, "tls-cert", "", "a PEM certificate (chain) file: serve HTTPS; needs --tls-key")
	cmd.Flags().StringVar(&cfg.tlsKey, "tls-key", "", "the PEM private key file of --tls-cert")
	return cmd
}

func (a *app) serve(ctx context.Context, cfg serveConfig) (err error) {
	// The first SIGINT or SIGTERM starts a graceful shutdown; once it has
	// begun, stop() below lets a second one end the process at once.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(a.stderr, nil))

	st, err := a.openStore(ctx, log)
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
	registry := analyze.NewRegistry(st)
	rec := record.NewRecorder(st, a.clock, limits).ExtractWith(registry)
	created, err := demo.Create(ctx, rec, st, a.clock, a.dataDir, a.stdout)
	if err != nil {
		return err
	}
	// A center founded by init, or before the registry existed, is seeded
	// on its first start; the matcher and the search's aliases then load
	// the registry as it stands.
	if err := demo.SeedEntities(ctx, rec); err != nil {
		return err
	}
	if err := registry.Refresh(ctx); err != nil {
		return err
	}
	if err := reindexIfStale(ctx, rec, log); err != nil {
		return err
	}
	// Other nodes on the same database curate the registry too: follow
	// their changes.
	rctx, endFollowing := context.WithCancel(ctx)
	following := make(chan struct{})
	go func() {
		defer close(following)
		registry.Follow(rctx, registryFollow, func(err error) { log.Error("entity registry: refresh", "err", err) })
	}()
	defer func() { endFollowing(); <-following }()
	if created {
		where := "--data " + a.dataDir
		if a.onPostgres() {
			where = "--db " + a.where()
		}
		fmt.Fprintf(a.stdout, "Get an API token with: tabadul token create %s --user iq-analyst\n", where)
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
	// The chair's news feeds: due ones are polled each minute.
	feeds := &feed.Poller{Store: st, Recorder: rec, Client: &fetch.Client{UserAgent: "tabadul/" + version()}, Clock: a.clock, Log: log}
	fctx, endFeeds := context.WithCancel(ctx)
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		runLeading(fctx, st, "feeds", log, func(ctx context.Context) {
			feeds.Start(time.Minute)
			<-ctx.Done()
			feeds.Stop()
		})
	}()
	defer func() { endFeeds(); <-polling }()
	// Subscribed TAXII collections are pulled every quarter hour.
	sealer, err := a.sealer()
	if err != nil {
		return err
	}
	tctx, endPulls := context.WithCancel(ctx)
	pulls := make(chan struct{})
	go func() {
		defer close(pulls)
		runLeading(tctx, st, "taxii-pull", log, func(ctx context.Context) {
			pullTAXII(ctx, &taxiiclient.Puller{Store: st, Recorder: rec, Sealer: sealer, Clock: a.clock,
				Client: &taxiiclient.Client{HTTP: &fetch.Client{UserAgent: "tabadul/" + version()}}},
				15*time.Minute, func(err error) { log.Error("taxii: pull", "err", err) })
		})
	}()
	defer func() { endPulls(); <-pulls }()

	dist, err := startDistribution(ctx, st, rec, a.clock, cfg.webhooks, log)
	if err != nil {
		return err
	}
	defer dist.stop()

	// The API and the web interface search alike: with the entity
	// registry's aliases as they stand at each query.
	searcher := analyze.NewSearcher(st, nil).WithRegistry(registry)
	srv, err := api.New(api.Config{
		Store:    st,
		Recorder: rec,
		Clock:    a.clock,
		Logger:   log,
		// nil: the API makes its own registry, with the Go and process
		// collectors, and serves it at /metrics.
		Registry: nil,
		Version:  version(),
		Searcher: searcher,
		Guard:    dist.guard,
		Changes:  dist.changes,
	})
	if err != nil {
		return err
	}

	ui, err := web.New(web.Config{Store: st, Recorder: rec, Clock: a.clock, Logger: log, Changes: dist.changes, Searcher: searcher})
	if err != nil {
		return err
	}
	// The TAXII 2.1 server answers under /taxii2/; it is closed after the
	// HTTP server, so that its background additions finish or are marked
	// failed before the store closes.
	taxiiSrv, err := taxii.New(ctx, taxii.Config{Store: st, Recorder: rec, Clock: a.clock, Logger: log})
	if err != nil {
		return err
	}
	defer taxiiSrv.Close()
	mux := http.NewServeMux()
	mux.Handle(taxii.Prefix, taxiiSrv.Handler())
	mux.Handle("/", web.Combine(ui.Handler(), srv.Handler()))

	var tlsConfig *tls.Config
	scheme := "http"
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("tls: %w", err)
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		scheme = "https"
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           mux,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.CloseStreams)
	hs.RegisterOnShutdown(ui.CloseStreams)
	serveErr := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			serveErr <- hs.ServeTLS(ln, "", "")
			return
		}
		serveErr <- hs.Serve(ln)
	}()

	// The bound address, not the flag: with port 0 this is the only way to
	// learn the port.
	fmt.Fprintf(a.stdout, "Tabadul listening on %s://%s\n", scheme, ln.Addr())
	fmt.Fprintf(a.stdout, "TAXII 2.1 discovery at %s://%s%s\n", scheme, ln.Addr(), taxii.Prefix)
	log.Info("serving", "addr", ln.Addr().String(), "data", a.dataDir, "db", a.where(), "version", version())

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

// registryFollow is how often serve checks whether another node changed
// the entity registry: a curation reaches every node's extraction and
// search within about this.
const registryFollow = 2 * time.Second

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
