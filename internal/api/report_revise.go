package api

import (
	"context"
)

// reviseReportInput is a new version of a report.
type reviseReportInput struct {
	// Not an embedded reportID: huma skips embedded fields of unexported
	// types.
	ID   string `path:"id" doc:"The report's id." example:"report--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
	Body draft
}

// reviseReport records a new version of a report of the caller's party.
// The recorder refuses a party that may see the report but did not write
// it (403), one that may not see it (404) and a revoked report (409).
func (s *Server) reviseReport(ctx context.Context, in *reviseReportInput) (*reportResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkReportID(in.ID); err != nil {
		return nil, err
	}
	rep, err := s.recorder.ReviseReport(ctx, who, in.ID, in.Body.centerDraft())
	if err != nil {
		return nil, in.Body.locate(err)
	}
	return &reportResponse{Body: viewReport(rep)}, nil
}
