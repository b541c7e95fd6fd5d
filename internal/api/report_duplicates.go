package api

import (
	"context"
)

type duplicateItem struct {
	Report     reportRef `json:"report"`
	Similarity float64   `json:"similarity" doc:"Estimated Jaccard similarity of its text to the report it was found through."`
	Via        string    `json:"via" doc:"The report it was found through: this one, or another member."`
}

type duplicatesResponse struct {
	Body struct {
		Items   []duplicateItem `json:"items" doc:"The near-duplicates of the report the caller's party may see, directly or through one another."`
		Sources int             `json:"independent_sources" doc:"How many parties other than the report's source reported it too: its independent corroborating sources."`
	}
}

// reportDuplicates returns a report's near-duplicate cluster as the
// caller's party sees it. No report is dropped: each stays a report of its
// own, linked to the others.
func (s *Server) reportDuplicates(ctx context.Context, in *reportID) (*duplicatesResponse, error) {
	rep, err := s.visibleReport(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	who, _ := principal(ctx)
	cl, err := s.correlator.Duplicates(ctx, who.Party(), rep.ID)
	if err != nil {
		return nil, err
	}
	out := &duplicatesResponse{}
	out.Body.Items = make([]duplicateItem, 0, len(cl.Members))
	for _, m := range cl.Members {
		out.Body.Items = append(out.Body.Items, duplicateItem{Report: refOf(m.Report), Similarity: m.Similarity, Via: m.Via})
	}
	out.Body.Sources = cl.Sources
	return out, nil
}
