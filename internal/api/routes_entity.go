package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// entityRoutes registers the entity registry's and the correlation's
// routes: every read answers only from the reports the caller's party may
// see.
func (s *Server) entityRoutes() {
	entities := []string{"entities"}
	body := func(op huma.Operation) huma.Operation {
		op.MaxBodyBytes = 64 << 10
		return op
	}
	register(s, huma.Operation{
		OperationID: "list-related-reports", Method: http.MethodGet, Path: reportsPath + "/{id}/related",
		Summary: "List related reports", Description: "Lists the reports the caller's party may see that share entities or observables with this one, ranked by the rarity of what they share (a shared hash outranks a shared country), with the shared items, and the report's own mentions and observables.",
		Tags: entities, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound},
	}, s.relatedReports)
	register(s, huma.Operation{
		OperationID: "list-report-duplicates", Method: http.MethodGet, Path: reportsPath + "/{id}/duplicates",
		Summary: "List a report's near-duplicates", Description: "Returns the report's near-duplicate cluster among the reports the caller's party may see, and how many other parties reported it too.",
		Tags: entities, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.reportDuplicates)
	register(s, huma.Operation{
		OperationID: "list-entities", Method: http.MethodGet, Path: entitiesPath,
		Summary: "Look entities up", Description: "Finds entities by any of their names, in any of the four languages and scripts.",
		Tags: entities, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.listEntities)
	register(s, huma.Operation{
		OperationID: "get-entity", Method: http.MethodGet, Path: entitiesPath + "/{id}",
		Summary: "Get an entity", Description: "Returns an entity's names, and over the reports the caller's party may see: how many mention it, per day, the entities mentioned with it and the newest such reports.",
		Tags: entities, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.getEntity)
	register(s, body(huma.Operation{
		OperationID: "propose-entity", Method: http.MethodPost, Path: entitiesPath,
		Summary: "Propose an entity", Description: "Proposes a new entity. Any party may; until the chair's officers accept it, only the proposing party and the chair see it.",
		Tags: entities, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusConflict, http.StatusUnsupportedMediaType},
	}), s.proposeEntity)
	register(s, body(huma.Operation{
		OperationID: "propose-alias", Method: http.MethodPost, Path: entitiesPath + "/{id}/aliases",
		Summary: "Propose a name", Description: "Proposes another name of an entity. Any party may; the chair's officers accept or reject it.",
		Tags: entities, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict, http.StatusUnsupportedMediaType},
	}), s.proposeAlias)
	register(s, body(huma.Operation{
		OperationID: "curate-entity", Method: http.MethodPost, Path: entitiesPath + "/{id}/curation",
		Summary: "Curate an entity", Description: "Accepts, rejects, renames, merges or splits an entity. A chair power: only officers of the party chairing now may.",
		Tags: entities, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusUnsupportedMediaType},
	}), s.curateEntity)
}
