package api

import (
	"context"
)

// versionList answers with a report's versions, oldest first.
type versionList struct {
	Body reportVersions
}

type reportVersions struct {
	Items []report `json:"items" doc:"The versions the caller's party may see, oldest first."`
}

// listReportVersions returns the versions of a report the caller's party
// may see.
func (s *Server) listReportVersions(ctx context.Context, in *reportID) (*versionList, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkReportID(in.ID); err != nil {
		return nil, err
	}
	vs, err := s.store.Versions(ctx, who.Party(), in.ID)
	if err != nil {
		return nil, err
	}
	out := &versionList{}
	out.Body.Items = viewReports(vs)
	return out, nil
}
