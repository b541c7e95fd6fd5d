package api

import (
	"context"
	"strconv"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/record/store"
)

type relatedInput struct {
	ID    string `path:"id" doc:"The report's id." example:"report--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
	Limit string `query:"limit" doc:"At most this many, 1 to 100; 20 if absent."`
}

type relatedItem struct {
	Report reportRef            `json:"report"`
	Score  float64              `json:"score" doc:"The sum of the shared items' weights."`
	Shared []analyze.SharedItem `json:"shared" doc:"What the two reports share, rarest first: entities (kind entity, value its id) and observables (ip, domain, url, email, hash, cve), each with how many of the caller's reports hold it and its weight ln(1 + 10000/reports); an item held by more than 100 counts as 102, and only its newest 100 reports are weighed."`
}

type relatedResponse struct {
	Body struct {
		Mentions    []store.Mention    `json:"mentions" doc:"The report's entity mentions: byte ranges [start, end) of its title, a newline and its body."`
		Observables []store.Observable `json:"observables" doc:"The report's observables, refanged, with their byte ranges."`
		Items       []relatedItem      `json:"items"`
	}
}

// relatedReports lists the reports the caller's party may see that share
// entities or observables with a report, rarest shares first.
func (s *Server) relatedReports(ctx context.Context, in *relatedInput) (*relatedResponse, error) {
	rep, err := s.visibleReport(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	limit := 20
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > 100 {
			e := &requestError{}
			e.add("query.limit", in.Limit, "must be an integer from 1 to 100")
			return nil, e
		}
		limit = n
	}
	who, _ := principal(ctx)
	ms, os, err := s.store.ReportLinks(ctx, who.Party(), rep.ID)
	if err != nil {
		return nil, err
	}
	rel, err := s.correlator.Related(ctx, who.Party(), rep.ID, limit)
	if err != nil {
		return nil, err
	}
	out := &relatedResponse{}
	out.Body.Mentions, out.Body.Observables = ms, os
	out.Body.Items = make([]relatedItem, 0, len(rel))
	for _, r := range rel {
		out.Body.Items = append(out.Body.Items, relatedItem{Report: refOf(r.Report), Score: r.Score, Shared: r.Shared})
	}
	return out, nil
}
