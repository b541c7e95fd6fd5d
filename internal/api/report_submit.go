package api

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
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

// maxBatchReports bounds the reports of one batch: one write holds them
// all, and other submissions wait for it.
const maxBatchReports = 1000

// maxBatchBody bounds a batch's request body.
const maxBatchBody = 32 << 20

// submitReportsInput is a batch of new reports.
type submitReportsInput struct {
	Body struct {
		Reports []draft `json:"reports" minItems:"1" maxItems:"1000" doc:"The reports, each as POST /api/v1/reports takes one."`
	}
}

// reportsCreated answers a batch with the stored reports, in the order
// they were sent.
type reportsCreated struct {
	Body struct {
		Items []report `json:"items"`
	}
}

// submitReports records a batch of new reports from the caller's party in
// one write: all of them, or none, with a 400 naming the first report
// refused by its index (reports[2].title).
func (s *Server) submitReports(ctx context.Context, in *submitReportsInput) (*reportsCreated, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	drafts := make([]center.Draft, len(in.Body.Reports))
	for i, d := range in.Body.Reports {
		drafts[i] = d.centerDraft()
	}
	reps, err := s.recorder.SubmitReports(ctx, who, drafts)
	if be := (*record.BatchError)(nil); errors.As(err, &be) {
		return nil, locateInBatch(be.Index, in.Body.Reports[be.Index].locate(be.Err))
	}
	if err != nil {
		return nil, err
	}
	out := &reportsCreated{}
	out.Body.Items = make([]report, len(reps))
	for i, rep := range reps {
		out.Body.Items[i] = viewReport(rep)
	}
	return out, nil
}

// locateInBatch names the fields of an invalid report of a batch by the
// report's index: reports[2].title.
func locateInBatch(i int, err error) error {
	var inv *center.InvalidError
	if !errors.As(err, &inv) {
		return err
	}
	out := &center.InvalidError{Fields: slices.Clone(inv.Fields)}
	for k := range out.Fields {
		out.Fields[k].Field = fmt.Sprintf("reports[%d].%s", i, out.Fields[k].Field)
	}
	return out
}
