package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Config is everything a Server needs, passed explicitly and checked once
// by New.
type Config struct {
	// Store is the center's database; the Server reads through it and
	// never writes to it except through Recorder.
	Store store.Store
	// Recorder is the one write path, over the same Store.
	Recorder *record.Recorder
	// Clock tells the time for token expiry.
	Clock center.Clock
	// Logger receives one line per request and every internal error.
	Logger *slog.Logger
	// Registry receives the API's metrics and is what /metrics serves; nil
	// means a fresh registry that also holds the Go and process collectors.
	Registry *prometheus.Registry
	// Version is the server's version, shown in the OpenAPI document;
	// empty means "dev".
	Version string
	// Searcher answers /api/v1/search; nil means one over Store with the
	// starter aliases.
	Searcher *analyze.Searcher
	// Guard checks endpoint URLs when they are registered; the zero Guard
	// refuses every address that is not public.
	Guard distribute.Guard
	// Changes, if set, wakes the live streams when something is recorded;
	// without it they poll their feed.
	Changes *distribute.Broadcast
	// Stream tunes the live stream.
	Stream StreamConfig
}

// validate reports every missing field at once.
func (c Config) validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("api: config: Store is required"))
	}
	if c.Recorder == nil {
		errs = append(errs, errors.New("api: config: Recorder is required"))
	}
	if c.Clock == nil {
		errs = append(errs, errors.New("api: config: Clock is required"))
	}
	if c.Logger == nil {
		errs = append(errs, errors.New("api: config: Logger is required"))
	}
	if c.Recorder != nil && c.Recorder.Limits().MaxBodyBytes <= 0 {
		errs = append(errs, errors.New("api: config: Recorder limits must allow a report body"))
	}
	return errors.Join(errs...)
}

// Server is the REST API. It is safe for concurrent use; build one with New.
type Server struct {
	store    store.Store
	recorder *record.Recorder
	searcher *analyze.Searcher
	clock    center.Clock
	log      *slog.Logger
	version  string

	// maxBody bounds a request body: the report body limit, six times over
	// because JSON may escape each byte of it as \u00XX, plus room for the
	// other fields.
	maxBody int64

	metrics *metrics

	mux *http.ServeMux
	api huma.API
	// openapi and docs are rendered once, after every route is registered,
	// and served as bytes.
	openapi []byte
	docs    []byte

	handler http.Handler

	// correlator answers the related-report, entity and near-duplicate
	// reads.
	correlator *analyze.Correlator
	guard      distribute.Guard
	changes    *distribute.Broadcast
	streamCfg  StreamConfig
	streams    atomic.Int64
	// closing ends the live streams at shutdown (CloseStreams).
	closing     chan struct{}
	closingOnce sync.Once
}

// New checks cfg and returns a Server with every route registered.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		store:    cfg.Store,
		recorder: cfg.Recorder,
		searcher: cfg.Searcher,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		version:  cfg.Version,
		maxBody:  int64(cfg.Recorder.Limits().MaxBodyBytes)*6 + 64<<10,
		mux:      http.NewServeMux(),
		guard:    cfg.Guard, changes: cfg.Changes, streamCfg: cfg.Stream,
	}
	s.streamCfg.defaults()
	s.closing = make(chan struct{})
	if s.version == "" {
		s.version = "dev"
	}
	s.correlator = analyze.NewCorrelator(cfg.Store)
	if s.searcher == nil {
		s.searcher = analyze.NewSearcher(cfg.Store, analyze.StarterAliases())
	}
	var err error
	if s.metrics, err = newMetrics(cfg.Registry, s.store); err != nil {
		return nil, err
	}
	s.api = humago.New(s.mux, s.humaConfig())
	s.api.UseMiddleware(s.authenticate)
	s.routes()
	if s.openapi, err = json.Marshal(s.api.OpenAPI()); err != nil {
		return nil, fmt.Errorf("api: openapi document: %w", err)
	}
	if s.docs, err = renderDocs(s.api.OpenAPI()); err != nil {
		return nil, err
	}
	s.handler = s.observe(http.HandlerFunc(s.dispatch))
	return s, nil
}

// Handler returns the handler serving every route of the API.
func (s *Server) Handler() http.Handler { return s.handler }

// humaConfig starts from huma's defaults and takes out what does not fit
// a center: the CDN-loaded docs page (offline machines, strict CSP), the
// per-schema routes, the "$schema" links added to every response, and the
// lazily rendered OpenAPI routes (their first concurrent requests race on
// the cached bytes); docs.go serves the document and a page of its own.
func (s *Server) humaConfig() huma.Config {
	hc := huma.DefaultConfig("Tabadul", s.version)
	hc.Info.Description = "The REST API of a Tabadul information-sharing center: " +
		"submit, revise and revoke reports, and read what is shared with your party."
	hc.OpenAPIPath = ""
	hc.DocsPath = ""
	hc.SchemasPath = ""
	hc.CreateHooks = nil
	hc.Formats = map[string]huma.Format{
		"application/json": strictJSON(),
		// Also answers for any +json media type, problem+json included.
		"json": strictJSON(),
	}
	hc.RejectUnknownQueryParameters = true
	hc.Transformers = []huma.Transformer{s.completeProblem}
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		bearerScheme: {
			Type:        "http",
			Scheme:      "bearer",
			Description: "An API token issued by the center's operator; it starts with tbd_.",
		},
	}
	return hc
}
