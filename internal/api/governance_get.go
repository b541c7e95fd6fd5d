package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/record"
)

type governanceResponse struct {
	Body governanceView
}

// getGovernance returns the chair, the schedule and the amendments. Every
// party sees the same: governance is not shared by distribution.
func (s *Server) getGovernance(ctx context.Context, _ *struct{}) (*governanceResponse, error) {
	g, err := record.ReadGovernance(ctx, s.store)
	if err != nil {
		return nil, err
	}
	v, err := viewGovernance(g, s.clock.Now())
	if err != nil {
		return nil, err
	}
	return &governanceResponse{Body: v}, nil
}
