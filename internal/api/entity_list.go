package api

import (
	"context"
	"errors"
	"strconv"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/record/store"
)

type entityListInput struct {
	Q      string `query:"q" doc:"A name in any script and spelling; entities whose names equal it or start with it. Empty: every entity." example:"داعش"`
	Status string `query:"status" doc:"accepted (the default), proposed (the pending proposals the caller may see: its party's own, every one for the chair), rejected or merged." example:"accepted"`
	Limit  string `query:"limit" doc:"At most this many, 1 to 100; 20 if absent."`
}

type entityListResponse struct {
	Body struct {
		Items []entityView `json:"items"`
	}
}

// listEntities looks entities up by name.
func (s *Server) listEntities(ctx context.Context, in *entityListInput) (*entityListResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	e := &requestError{}
	limit := 20
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > 100 {
			e.add("query.limit", in.Limit, "must be an integer from 1 to 100")
		}
		limit = n
	}
	status := store.Accepted
	switch st := store.EntityStatus(in.Status); st {
	case "":
	case store.Accepted, store.Proposed, store.Rejected, store.Merged:
		status = st
	default:
		e.add("query.status", in.Status, "must be accepted, proposed, rejected or merged")
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return nil, err
	}
	es, err := s.correlator.Lookup(ctx, who.Party(), chair, in.Q, status, limit)
	var qe *analyze.QueryError
	if errors.As(err, &qe) {
		e.add("query.q", nil, "%s", qe.Msg)
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	out := &entityListResponse{}
	out.Body.Items = make([]entityView, 0, len(es))
	for _, x := range es {
		out.Body.Items = append(out.Body.Items, viewEntity(x))
	}
	return out, nil
}
