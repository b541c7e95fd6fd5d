package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// createSubscription subscribes an endpoint of the officer's party to the
// changes its filter selects.
func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request, v *visit) error {
	form := r.PostForm
	f := store.Filter{Query: strings.TrimSpace(form.Get("query"))}
	for _, p := range form["source"] {
		f.Sources = append(f.Sources, center.PartyCode(p))
	}
	for _, t := range form["tlp"] {
		f.TLP = append(f.TLP, center.TLP(t))
	}
	for _, l := range form["lang"] {
		f.Languages = append(f.Languages, l)
	}
	for _, t := range strings.Split(form.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			f.Tags = append(f.Tags, t)
		}
	}
	if f.Query != "" {
		var err error
		f.Text, f.Where, err = analyze.CompileFilter(f.Query)
		var qe *analyze.QueryError
		if errors.As(err, &qe) {
			// The query's own message, which the interface translates.
			return &center.InvalidError{Fields: []center.FieldError{{Field: "filter.query", Message: qe.Msg, Format: qe.Format, Args: qe.Args}}}
		}
		if err != nil {
			return err
		}
	}
	if _, err := s.recorder.CreateSubscription(r.Context(), *v.who, form.Get("endpoint"), f); err != nil {
		return err
	}
	http.Redirect(w, r, "/distribution", http.StatusSeeOther)
	return nil
}

// deleteSubscription ends a subscription of the officer's party.
func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := s.recorder.DeleteSubscription(r.Context(), *v.who, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/distribution", http.StatusSeeOther)
	return nil
}
