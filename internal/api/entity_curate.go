package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

type curationRequest struct {
	ID   string `path:"id" doc:"The entity's id." example:"group--isis"`
	Body struct {
		Action  string       `json:"action" enum:"accept,reject,rename,merge,split" doc:"accept or reject a proposed entity (or, with aliases, those proposed names); rename; merge into another; split names off into a new entity."`
		Name    string       `json:"name,omitempty" maxLength:"200" doc:"rename, split: the (new) canonical name."`
		Type    string       `json:"type,omitempty" doc:"rename, split: the (new) type; the same if absent."`
		Into    string       `json:"into,omitempty" doc:"merge: the entity to merge into." example:"group--isis"`
		Aliases []aliasInput `json:"aliases,omitempty" maxItems:"64" doc:"accept, reject: the proposed names decided on; split: the names to split off."`
	}
}

type curationResponse struct {
	Body struct {
		Entity entityView  `json:"entity"`
		New    *entityView `json:"new,omitempty" doc:"split: the entity made of the names split off."`
	}
}

// curateEntity applies a curation of the chair's officers.
func (s *Server) curateEntity(ctx context.Context, in *curationRequest) (*curationResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkEntityID(in.ID); err != nil {
		return nil, err
	}
	b := in.Body
	if b.Into != "" {
		if err := checkEntityID(b.Into); err != nil {
			return nil, err
		}
	}
	e, made, err := s.recorder.Curate(ctx, who, in.ID, record.Curation{
		Action: record.CurationAction(b.Action), Name: b.Name, Type: store.EntityType(b.Type), Into: b.Into, Aliases: aliasesOf(b.Aliases)})
	if err != nil {
		return nil, err
	}
	out := &curationResponse{}
	out.Body.Entity = viewEntity(e)
	if made != nil {
		v := viewEntity(*made)
		out.Body.New = &v
	}
	return out, nil
}
