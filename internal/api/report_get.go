package api

import (
	"context"
)

// getReport returns the newest version of a report the caller's party may
// see.
func (s *Server) getReport(ctx context.Context, in *reportID) (*reportResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkReportID(in.ID); err != nil {
		return nil, err
	}
	rep, err := s.store.Report(ctx, who.Party(), in.ID)
	if err != nil {
		return nil, err
	}
	return &reportResponse{Body: viewReport(rep)}, nil
}
