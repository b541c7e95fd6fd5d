package web

import (
	"net/http"
	"net/url"

	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// curateEntity applies the chair's officers' decision to an entity:
// accept or reject it (or, with a name, one pending name), rename it, or
// merge it into another. The recorder refuses anyone else.
func (s *Server) curateEntity(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	f := r.PostForm
	c := record.Curation{Action: record.CurationAction(f.Get("action")), Name: f.Get("name"),
		Type: store.EntityType(f.Get("type")), Into: f.Get("into")}
	if n := f.Get("alias_name"); n != "" {
		c.Aliases = []store.Alias{{Lang: f.Get("alias_lang"), Name: n}}
		c.Name = ""
	}
	e, _, err := s.recorder.Curate(r.Context(), *v.who, id, c)
	if err != nil {
		return err
	}
	to := e.ID
	if e.MergedInto != "" {
		to = e.MergedInto
	}
	http.Redirect(w, r, "/entities/"+url.PathEscape(to), http.StatusSeeOther)
	return nil
}
