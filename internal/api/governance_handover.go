package api

import (
	"context"
)

type handoverResponse struct {
	Body struct {
		Next termView `json:"next" doc:"The term that starts at the next 00:00 UTC."`
	}
}

// handOver ends the chair's term at the next 00:00 UTC; only the chair's
// officers may.
func (s *Server) handOver(ctx context.Context, _ *struct{}) (*handoverResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	next, err := s.recorder.HandOver(ctx, who)
	if err != nil {
		return nil, err
	}
	out := &handoverResponse{}
	out.Body.Next = viewTerm(next)
	return out, nil
}
