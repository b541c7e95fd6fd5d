package api

import (
	"context"
	"time"
)

type rotateEndpointInput struct {
	ID   string `path:"id" maxLength:"100"`
	Body struct {
		OverlapSeconds int `json:"overlap_seconds,omitempty" minimum:"0" maximum:"604800" doc:"How long the old secret keeps signing beside the new one (both signatures are sent)."`
	}
}

// rotateEndpointSecret gives an endpoint a new secret, shown only here.
func (s *Server) rotateEndpointSecret(ctx context.Context, in *rotateEndpointInput) (*createEndpointOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	e, secret, err := s.recorder.RotateEndpointSecret(ctx, who, in.ID, time.Duration(in.Body.OverlapSeconds)*time.Second)
	if err != nil {
		return nil, err
	}
	out := &createEndpointOutput{}
	out.Body.ID, out.Body.Secret, out.Body.Endpoint = e.ID, secret, viewEndpoint(e)
	return out, nil
}
