package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/record/store"
)

// entityListLimit is how many entities a lookup lists.
const entityListLimit = 50

// entitiesView is the registry's lookup: the entities matching a name in
// any script, and the pending proposals the visitor's party may see.
type entitiesView struct {
	Q        string
	BadQuery bool
	Items    []entityItem
	Pending  []entityItem
	Types    []store.EntityType
	Langs    []string
}

type entityItem struct {
	ID, Name string
	Type     store.EntityType
	// Names are its other names, in every script.
	Names []string
}

// listEntities looks entities up by any of their names (GET /entities?q=)
// and lists the pending proposals: the party's own, or, for the chair,
// every one.
func (s *Server) listEntities(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return err
	}
	cor := analyze.NewCorrelator(s.store)
	view := entitiesView{Q: strings.TrimSpace(r.URL.Query().Get("q")), Types: store.EntityTypes, Langs: v.L.Languages()}
	if view.Q != "" {
		es, err := cor.Lookup(ctx, v.party(), chair, view.Q, store.Accepted, entityListLimit)
		var qe *analyze.QueryError
		switch {
		case errors.As(err, &qe):
			view.BadQuery = true
		case err != nil:
			return err
		}
		view.Items = entityItems(es)
	}
	pending, err := cor.Lookup(ctx, v.party(), chair, "", store.Proposed, entityListLimit)
	if err != nil {
		return err
	}
	view.Pending = entityItems(pending)
	return s.render(w, r, v, http.StatusOK, "entities", v.L.T("entities.title"), view)
}

func entityItems(es []store.Entity) []entityItem {
	out := make([]entityItem, 0, len(es))
	for _, e := range es {
		it := entityItem{ID: e.ID, Name: e.Name, Type: e.Type}
		for _, a := range e.Aliases {
			if a.Name != e.Name && len(it.Names) < 8 {
				it.Names = append(it.Names, a.Name)
			}
		}
		out = append(out, it)
	}
	return out
}

// entityContext is what the "entity_item" template renders: an entity in
// a list and the page around it.
type entityContext struct {
	P *page
	E entityItem
}

func init() {
	templateFuncs["entityOf"] = func(p *page, e entityItem) entityContext { return entityContext{P: p, E: e} }
}
