package api

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

type reportWithLog struct {
	report
	Log *tlog.Status `json:"log,omitempty" doc:"Where this version stands in the transparency log: pending, included at an index, or cosigned by the witnesses of the listed parties."`
}

type reportWithLogResponse struct {
	Body reportWithLog
}

// getReport returns the newest version of a report the caller's party may
// see, with its place in the transparency log.
func (s *Server) getReport(ctx context.Context, in *reportID) (*reportWithLogResponse, error) {
	rep, err := s.visibleReport(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.logStatus(ctx, rep)
	if err != nil {
		return nil, err
	}
	return &reportWithLogResponse{Body: reportWithLog{report: viewReport(rep), Log: st}}, nil
}

// logStatus returns where a version stands in the transparency log.
func (s *Server) logStatus(ctx context.Context, rep center.Report) (*tlog.Status, error) {
	e, err := s.versionEvent(ctx, rep)
	if err != nil {
		return nil, err
	}
	st, err := tlog.StatusOf(ctx, s.store, e)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// versionEvent finds the event that recorded a report version.
func (s *Server) versionEvent(ctx context.Context, rep center.Report) (store.LogEvent, error) {
	evs, err := s.store.SubjectEvents(ctx, rep.ID)
	if err != nil {
		return store.LogEvent{}, err
	}
	for _, e := range evs {
		if (e.Type == center.ReportSubmitted || e.Type == center.ReportRevised) && e.At.Equal(rep.Version) {
			return e, nil
		}
	}
	return store.LogEvent{}, fmt.Errorf("api: report %s version %s has no event", rep.ID, rep.Version)
}

// visibleReport returns the newest version of a report the caller's party
// may see; a malformed id, like a hidden report, is center.ErrNotFound.
func (s *Server) visibleReport(ctx context.Context, id string) (center.Report, error) {
	who, err := principal(ctx)
	if err != nil {
		return center.Report{}, err
	}
	if err := checkReportID(id); err != nil {
		return center.Report{}, err
	}
	return s.store.Report(ctx, who.Party(), id)
}
