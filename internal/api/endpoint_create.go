package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/record"
)

type createEndpointInput struct {
	Body struct {
		URL         string `json:"url" maxLength:"2048" doc:"Where deliveries are POSTed: an http or https URL at a public address (or one the operator's allow-list names)."`
		Description string `json:"description,omitempty" maxLength:"1000"`
		Ordered     bool   `json:"ordered,omitempty" doc:"Deliver one at a time, in the order recorded."`
	}
}

type createEndpointOutput struct {
	Body struct {
		ID string `json:"id"`
		// Secret is shown only here: the center keeps it sealed.
		Secret   string       `json:"secret" doc:"The Standard Webhooks signing secret (whsec_...). Shown only in this answer."`
		Endpoint endpointView `json:"endpoint"`
	}
}

// createEndpoint registers a receiving system of the officer's party.
func (s *Server) createEndpoint(ctx context.Context, in *createEndpointInput) (*createEndpointOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := record.ValidateEndpointURL(in.Body.URL); err != nil {
		return nil, err
	}
	if err := requireOfficerToWrite(who); err != nil {
		return nil, err
	}
	if err := s.guard.CheckURL(ctx, in.Body.URL); err != nil {
		return nil, err
	}
	e, secret, err := s.recorder.CreateEndpoint(ctx, who, in.Body.URL, in.Body.Description, in.Body.Ordered)
	if err != nil {
		return nil, err
	}
	out := &createEndpointOutput{}
	out.Body.ID, out.Body.Secret, out.Body.Endpoint = e.ID, secret, viewEndpoint(e)
	return out, nil
}
