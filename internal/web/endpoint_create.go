package web

import (
	"net/http"
	"time"
)

// createEndpoint registers an endpoint of the officer's party and shows
// the distribution page with its signing secret, this once.
func (s *Server) createEndpoint(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := r.PostForm
	e, secret, err := s.recorder.CreateEndpoint(r.Context(), *v.who, f.Get("url"), f.Get("description"), f.Get("ordered") == "on")
	if err != nil {
		return err
	}
	return s.showSecret(w, r, v, e.ID, secret)
}

// rotateEndpoint gives an endpoint a new signing secret; the old one
// keeps signing beside it for the overlap asked (at most a week).
func (s *Server) rotateEndpoint(w http.ResponseWriter, r *http.Request, v *visit) error {
	hours := 0
	switch r.PostForm.Get("overlap") {
	case "1h":
		hours = 1
	case "24h":
		hours = 24
	case "168h":
		hours = 168
	}
	e, secret, err := s.recorder.RotateEndpointSecret(r.Context(), *v.who, r.PathValue("id"), time.Duration(hours)*time.Hour)
	if err != nil {
		return err
	}
	return s.showSecret(w, r, v, e.ID, secret)
}

// showSecret answers a creation or rotation with the page itself, not a
// redirect: the secret is in this one response and nowhere else.
func (s *Server) showSecret(w http.ResponseWriter, r *http.Request, v *visit, id, secret string) error {
	view, err := s.distribution(r, v)
	if err != nil {
		return err
	}
	view.Secret, view.SecretFor = secret, id
	return s.render(w, r, v, http.StatusOK, "distribution", v.L.T("dist_page.title"), view)
}

// deleteEndpoint deletes an endpoint of the officer's party; its pending
// deliveries are dead-lettered.
func (s *Server) deleteEndpoint(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := s.recorder.DeleteEndpoint(r.Context(), *v.who, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/distribution", http.StatusSeeOther)
	return nil
}
