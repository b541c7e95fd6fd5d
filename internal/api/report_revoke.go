package api

import (
	"context"
)

// revokeReport marks every version of a report of the caller's party
// revoked, keeping them; revoking twice is a conflict.
func (s *Server) revokeReport(ctx context.Context, in *reportID) (*reportResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkReportID(in.ID); err != nil {
		return nil, err
	}
	rep, err := s.recorder.RevokeReport(ctx, who, in.ID)
	if err != nil {
		return nil, err
	}
	return &reportResponse{Body: viewReport(rep)}, nil
}
