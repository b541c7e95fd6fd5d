package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/record/store"
)

type entityProposal struct {
	Body struct {
		Type    string       `json:"type" enum:"location,organization,group,person,event"`
		Name    string       `json:"name" maxLength:"200" doc:"The canonical name." example:"Islamic State"`
		Aliases []aliasInput `json:"aliases" maxItems:"64" doc:"The names reports use, per language; at least one."`
	}
}

type entityResponse struct {
	Location string `header:"Location"`
	Body     entityView
}

// proposeEntity records a proposal of a new entity by the caller's party.
func (s *Server) proposeEntity(ctx context.Context, in *entityProposal) (*entityResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.recorder.ProposeEntity(ctx, who, store.EntityType(in.Body.Type), in.Body.Name, aliasesOf(in.Body.Aliases))
	if err != nil {
		return nil, err
	}
	return &entityResponse{Location: entitiesPath + "/" + e.ID, Body: viewEntity(e)}, nil
}

type aliasProposal struct {
	ID   string `path:"id" doc:"The entity's id." example:"group--isis"`
	Body aliasInput
}

// proposeAlias records a proposal of another name for an entity.
func (s *Server) proposeAlias(ctx context.Context, in *aliasProposal) (*entityResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkEntityID(in.ID); err != nil {
		return nil, err
	}
	e, err := s.recorder.ProposeAlias(ctx, who, in.ID, store.Alias{Lang: in.Body.Lang, Name: in.Body.Name})
	if err != nil {
		return nil, err
	}
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return nil, err
	}
	e, err = s.correlator.VisibleEntity(ctx, who.Party(), chair, e.ID)
	if err != nil {
		return nil, err
	}
	return &entityResponse{Location: entitiesPath + "/" + e.ID, Body: viewEntity(e)}, nil
}
