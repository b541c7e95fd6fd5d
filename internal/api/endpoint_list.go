package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/center"
)

type listEndpointsOutput struct {
	Body struct {
		Items []endpointView `json:"items"`
	}
}

// requireOfficerToWrite refuses a change by an analyst before anything
// else is checked, so that an analyst learns nothing from the answer.
func requireOfficerToWrite(who center.Principal) error {
	if !who.IsOfficer() {
		return center.Refuse(center.ErrForbidden, "only officers manage their party's endpoints and subscriptions")
	}
	return nil
}

// listEndpoints lists the caller's party's endpoints.
func (s *Server) listEndpoints(ctx context.Context, _ *struct{}) (*listEndpointsOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	es, err := s.store.Endpoints(ctx, who.Party())
	if err != nil {
		return nil, err
	}
	out := &listEndpointsOutput{}
	out.Body.Items = make([]endpointView, len(es))
	for i, e := range es {
		out.Body.Items[i] = viewEndpoint(e)
	}
	return out, nil
}
