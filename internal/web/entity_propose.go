package web

import (
	"net/http"
	"net/url"

	"github.com/tabadul/tabadul/internal/record/store"
)

// proposeEntity records the visitor's party's proposal of a new entity,
// with its names in the scripts given; any user may propose.
func (s *Server) proposeEntity(w http.ResponseWriter, r *http.Request, v *visit) error {
	f := r.PostForm
	var aliases []store.Alias
	for _, l := range []string{"ar", "fa", "ru", "en", ""} {
		if n := f.Get("alias_" + l); n != "" {
			aliases = append(aliases, store.Alias{Lang: l, Name: n})
		}
	}
	name := f.Get("name")
	if len(aliases) == 0 && name != "" {
		aliases = []store.Alias{{Name: name}}
	}
	e, err := s.recorder.ProposeEntity(r.Context(), *v.who, store.EntityType(f.Get("type")), name, aliases)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/entities/"+url.PathEscape(e.ID), http.StatusSeeOther)
	return nil
}

// proposeAlias records the visitor's party's proposal of another name for
// an entity it may see.
func (s *Server) proposeAlias(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	f := r.PostForm
	if _, err := s.recorder.ProposeAlias(r.Context(), *v.who, id, store.Alias{Lang: f.Get("lang"), Name: f.Get("name")}); err != nil {
		return err
	}
	http.Redirect(w, r, "/entities/"+url.PathEscape(id), http.StatusSeeOther)
	return nil
}
