package taxii

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Prefix is where the server is mounted; APIRoot is its one API root.
const (
	Prefix  = "/taxii2/"
	APIRoot = "center"
)

// Config is everything a Server needs, checked once by New.
type Config struct {
	// Store is read for objects, statuses and credentials; Recorder is
	// the one write path over the same store.
	Store    store.Store
	Recorder *record.Recorder
	Clock    center.Clock
	Logger   *slog.Logger
	// MaxContentLength is the API root's max_content_length: the largest
	// request body, in bytes (0: DefaultMaxContentLength).
	MaxContentLength int64
	// MaxPageSize caps a client's limit; DefaultPageSize is the page of a
	// request without one (0: the defaults below).
	MaxPageSize, DefaultPageSize int
	// SyncObjects is how many objects an envelope may hold to be recorded
	// before the answer; a larger one is recorded in the background, its
	// status "pending" until done (0: DefaultSyncObjects).
	SyncObjects int
	// BatchSize is how many objects of an envelope one write records
	// (0: DefaultBatchSize).
	BatchSize int
}

// The defaults of Config.
const (
	DefaultMaxContentLength = 64 << 20
	DefaultMaxPageSize      = 1000
	DefaultPageSize         = 100
	DefaultSyncObjects      = 100
	DefaultBatchSize        = 1000
)

func (c *Config) check() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("taxii: config: Store is required"))
	}
	if c.Recorder == nil {
		errs = append(errs, errors.New("taxii: config: Recorder is required"))
	}
	if c.Clock == nil {
		errs = append(errs, errors.New("taxii: config: Clock is required"))
	}
	if c.Logger == nil {
		errs = append(errs, errors.New("taxii: config: Logger is required"))
	}
	if c.MaxContentLength == 0 {
		c.MaxContentLength = DefaultMaxContentLength
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = DefaultMaxPageSize
	}
	if c.DefaultPageSize == 0 {
		c.DefaultPageSize = min(DefaultPageSize, c.MaxPageSize)
	}
	if c.SyncObjects == 0 {
		c.SyncObjects = DefaultSyncObjects
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.MaxContentLength < 1 {
		errs = append(errs, errors.New("taxii: config: MaxContentLength must be positive"))
	}
	if c.MaxPageSize < 1 || c.MaxPageSize > store.MaxSTIXPageSize {
		errs = append(errs, fmt.Errorf("taxii: config: MaxPageSize must be 1..%d", store.MaxSTIXPageSize))
	}
	if c.DefaultPageSize < 1 || c.DefaultPageSize > c.MaxPageSize {
		errs = append(errs, errors.New("taxii: config: DefaultPageSize must be 1..MaxPageSize"))
	}
	if c.SyncObjects < 1 || c.BatchSize < 1 {
		errs = append(errs, errors.New("taxii: config: SyncObjects and BatchSize must be positive"))
	}
	return errors.Join(errs...)
}

// Server is the TAXII 2.1 server. It is safe for concurrent use; build one
// with New, and Close it to finish the additions it runs in the
// background.
type Server struct {
	cfg      Config
	store    store.Store
	recorder *record.Recorder
	clock    center.Clock
	log      *slog.Logger
	pages    pager
	mux      *http.ServeMux

	// bg is the context of background additions; Close cancels it and
	// waits for them.
	bg     context.Context
	stop   context.CancelFunc
	adding sync.WaitGroup
	// slots bounds how many background additions record at once; the
	// others wait their turn, their statuses pending.
	slots chan struct{}
}

// backgroundSlots is how many large envelopes are recorded at once.
const backgroundSlots = 2

// New checks cfg, reads (or creates) the key of next tokens, and returns a
// Server with every route registered.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	key, err := cfg.Recorder.TAXIIPageKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("taxii: page key: %w", err)
	}
	s := &Server{cfg: cfg, store: cfg.Store, recorder: cfg.Recorder, clock: cfg.Clock, log: cfg.Logger,
		pages: pager{key: key}, mux: http.NewServeMux(), slots: make(chan struct{}, backgroundSlots)}
	s.bg, s.stop = context.WithCancel(context.Background())
	s.routes()
	return s, nil
}

// Close stops the background additions, marking what they had not yet
// recorded as failed in their statuses, and waits for them.
func (s *Server) Close() {
	s.stop()
	s.adding.Wait()
}

// Handler serves every route under Prefix. A path without its final
// slash is served as with it; an unknown path is 404 and a known one with
// another method 405, both as TAXII error resources.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/") {
			r = r.Clone(r.Context())
			r.URL.Path += "/"
			r.URL.RawPath = ""
		}
		s.mux.ServeHTTP(w, r)
	})
}

// handle wraps an endpoint: credentials, then the Accept header, then fn;
// whatever fn returns is written by writeError. Each request is logged in
// one line, without its credentials.
func (s *Server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		w := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
		start := s.clock.Now()
		var party center.PartyCode
		defer func() {
			s.log.InfoContext(r.Context(), "taxii", "method", r.Method, "path", r.URL.Path, "status", w.status,
				"party", string(party), "duration", s.clock.Now().Sub(start))
		}()
		who, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		party = who.Party()
		if !acceptable(r.Header.Get("Accept")) {
			s.writeError(w, r, refuse(http.StatusNotAcceptable, "Not acceptable",
				"this server answers in %s only", taxiiMediaType))
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), who))
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// unrouted answers a request no route took: 405 if the path has a route
// for another method, else 404.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := s.mux.Handler(probe); pat != "" && pat != Prefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, refuse(http.StatusMethodNotAllowed, "Method not allowed", "%s is not served here; use %s", r.Method, strings.Join(allow, " or ")))
		return
	}
	s.writeError(w, r, refuse(http.StatusNotFound, "Not found", "no TAXII endpoint at %s", r.URL.Path))
}

// statusWriter remembers the status a handler wrote, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
