package api

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
)

type amendmentID struct {
	ID string `path:"id" doc:"The amendment's id." example:"amendment--0b6f3f0e-2d9c-4d8e-b3f1-7c2a1e5d9f40"`
}

// approveAmendment records the caller's party's approval; the approval that
// completes the set applies the amendment.
func (s *Server) approveAmendment(ctx context.Context, in *amendmentID) (*amendmentResponse, error) {
	return s.vote(ctx, in.ID, true)
}

// rejectAmendment records the caller's party's rejection, which ends the
// proposal.
func (s *Server) rejectAmendment(ctx context.Context, in *amendmentID) (*amendmentResponse, error) {
	return s.vote(ctx, in.ID, false)
}

func (s *Server) vote(ctx context.Context, id string, approve bool) (*amendmentResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.recorder.VoteOnAmendment(ctx, who, id, approve)
	if err != nil {
		return nil, err
	}
	return s.amendmentResponse(ctx, a)
}

// getAmendment returns one amendment and where it stands.
func (s *Server) getAmendment(ctx context.Context, in *amendmentID) (*amendmentResponse, error) {
	g, err := record.ReadGovernance(ctx, s.store)
	if err != nil {
		return nil, err
	}
	for _, a := range g.Amendments {
		if a.ID == in.ID {
			return &amendmentResponse{Body: viewAmendment(a, g.Members(), s.clock.Now())}, nil
		}
	}
	return nil, fmt.Errorf("api: amendment %q: %w", in.ID, center.ErrNotFound)
}
