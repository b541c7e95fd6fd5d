package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is everything a Server needs, passed explicitly and checked once
// by New.
type Config struct {
	// Store is read with the signed-in user's party as the viewer; the
	// interface never writes to it except through Recorder.
	Store store.Store
	// Recorder is the one write path, over the same Store.
	Recorder *record.Recorder
	// Searcher answers the search page; nil means one over Store with the
	// starter aliases.
	Searcher *analyze.Searcher
	// Clock tells the time for sessions, the rate limit and the chair.
	Clock center.Clock
	// Logger receives every internal error.
	Logger *slog.Logger
	// Changes, if set, wakes the live inbox streams when something is
	// recorded; without it they read the inbox every second.
	Changes *distribute.Broadcast
}

func (c Config) validate() error {
	var errs []error
	if c.Store == nil {
		errs = append(errs, errors.New("web: config: Store is required"))
	}
	if c.Recorder == nil {
		errs = append(errs, errors.New("web: config: Recorder is required"))
	}
	if c.Clock == nil {
		errs = append(errs, errors.New("web: config: Clock is required"))
	}
	if c.Logger == nil {
		errs = append(errs, errors.New("web: config: Logger is required"))
	}
	return errors.Join(errs...)
}

// Server is the web interface. It is safe for concurrent use; build one
// with New.
type Server struct {
	store    store.Store
	recorder *record.Recorder
	searcher *analyze.Searcher
	clock    center.Clock
	log      *slog.Logger

	locales *locales
	pages   map[string]*template.Template
	limiter *limiter
	keys    *keyring

	mux     *http.ServeMux
	handler http.Handler
	streams liveStreams // inbox_stream.go
	changes *distribute.Broadcast
}

// New checks cfg, parses the templates and the translations, and returns a
// Server with every route registered.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		store: cfg.Store, recorder: cfg.Recorder, searcher: cfg.Searcher,
		clock: cfg.Clock, log: cfg.Logger, changes: cfg.Changes,
		limiter: newLimiter(cfg.Clock),
		keys:    &keyring{recorder: cfg.Recorder},
		mux:     http.NewServeMux(),
	}
	if s.searcher == nil {
		s.searcher = analyze.NewSearcher(cfg.Store, analyze.StarterAliases())
	}
	var err error
	if s.locales, err = loadLocales(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	cop := http.NewCrossOriginProtection()
	s.handler = securityHeaders(cop.Handler(s.mux))
	return s, nil
}

// Handler returns the handler serving every page of the interface.
func (s *Server) Handler() http.Handler { return s.handler }

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if overTLS(r) {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.ServeHTTP(w, r)
	})
}

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a whole page: the layout around the named template's
// content, in the visitor's language.
func (s *Server) render(w http.ResponseWriter, r *http.Request, v *visit, status int, name, title string, data any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	p := page{visit: v, Title: title, Data: data, Path: r.URL.Path}
	if v.who != nil {
		var err error
		if p.Chair, err = s.chairBanner(r.Context(), v.L); err != nil {
			return err
		}
		dir, err := s.store.Directory(r.Context())
		if err != nil {
			return err
		}
		p.PartyName = partyName(dir, v.L, v.party())
		p.member = slices.Contains(dir.Members(), v.party())
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", &p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", v.L.Lang)
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// fail answers a request whose handler returned an error: the error page,
// in the visitor's language, with the status the error calls for. What a
// party may not see is "not found", exactly like what does not exist.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	status, key := http.StatusInternalServerError, "error.internal"
	var detail []template.HTML
	switch {
	case errors.Is(err, center.ErrNotFound):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, center.ErrUnauthenticated):
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	case errors.Is(err, errBadCSRF):
		status, key = http.StatusForbidden, "error.csrf"
	case errors.Is(err, center.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, center.ErrConflict):
		status, key = http.StatusConflict, "error.conflict"
	case errors.Is(err, center.ErrInvalid):
		status, key = http.StatusBadRequest, "error.invalid"
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		// Why, in the visitor's language: the center's messages are
		// translated (message.go).
		detail = v.L.Explain(err)
	}
	data := errorView{Status: status, Message: v.L.T(key), Detail: detail}
	if rerr := s.render(w, r, v, status, "error", v.L.T(key), data); rerr != nil {
		s.log.ErrorContext(r.Context(), "web: render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

type errorView struct {
	Status  int
	Message string
	// Detail lists why, in the visitor's language.
	Detail []template.HTML
}
