package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

// routes registers every page and form of the interface: the one place to
// read its surface.
func (s *Server) routes() {
	s.public("GET /login", s.showLogin, false)
	s.public("POST /login", s.submitLogin, true)
	s.action("POST /logout", s.submitLogout)
	s.action("POST /language", s.setLanguage)

	s.page("GET /{$}", s.showInbox)
	s.page("GET /reports/new", s.newReport)
	s.action("POST /reports", s.submitReport)
	s.page("GET /reports/{id}", s.showReport)
	s.page("GET /reports/{id}/edit", s.editReport)
	s.action("POST /reports/{id}", s.reviseReport)
	s.action("POST /reports/{id}/revoke", s.revokeReport)
	s.page("GET /search", s.showSearch)

	s.page("GET /governance", s.showGovernance)
	s.action("POST /governance/amendments", s.proposeAmendment)
	s.action("POST /governance/amendments/{id}/approve", s.approveAmendment)
	s.action("POST /governance/amendments/{id}/reject", s.rejectAmendment)
	s.action("POST /governance/bulletins", s.publishBulletin)
	s.action("POST /governance/handover", s.handOver)
	s.page("GET /transparency", s.showLog)

	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Assets change only with the binary.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
	s.mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/icon.svg", http.StatusMovedPermanently))
	// Anything else is the interface's "not found" page, in the visitor's
	// language.
	s.public("GET /", func(http.ResponseWriter, *http.Request, *visit) error { return center.ErrNotFound }, false)
}

// apiPrefixes are the paths the REST API, the log's tiles and the
// operations endpoints answer; everything else is the interface's.
var apiPrefixes = []string{"/api/", "/log/", "/healthz", "/readyz", "/metrics"}

// Combine serves the API at its paths and the interface everywhere else,
// as `tabadul serve` does.
func Combine(ui, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range apiPrefixes {
			if r.URL.Path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(r.URL.Path, p) {
				api.ServeHTTP(w, r)
				return
			}
		}
		ui.ServeHTTP(w, r)
	})
}
