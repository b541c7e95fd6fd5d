package api

import (
	"context"
)

// submitReportInput is a new report.
type submitReportInput struct {
	Body draft
}

// reportCreated answers a submission with the stored report and its URL.
type reportCreated struct {
	Location string `header:"Location" doc:"The new report's URL."`
	Body     report
}

// submitReport records a new report from the caller's party.
func (s *Server) submitReport(ctx context.Context, in *submitReportInput) (*reportCreated, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := s.recorder.SubmitReport(ctx, who, in.Body.centerDraft())
	if err != nil {
		return nil, in.Body.locate(err)
	}
	return &reportCreated{Location: reportsPath + "/" + rep.ID, Body: viewReport(rep)}, nil
}
