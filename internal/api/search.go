package api

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

const searchPath = "/api/v1/search"

type searchInput struct {
	Q      string `query:"q" doc:"The query: words, quoted phrases, prefixes (infra*, at least three letters), OR, -exclusions, the filters source:, tlp:, lang:, tag:, since:, until:, and sort:newest for the newest first instead of by relevance." example:"داعش source:IQ"`
	Limit  string `query:"limit" doc:"Page size, an integer from 1 to 100; 20 if absent." example:"20"`
	Cursor string `query:"cursor" doc:"The next_cursor of the previous page."`
}

type searchItem struct {
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	Snippet    string           `json:"snippet" doc:"A passage of the original text around the matches."`
	Highlights [][2]int         `json:"highlights" doc:"Byte ranges [start, end) of the matching words within snippet."`
	Score      float64          `json:"score" doc:"Relevance (BM25), higher is better; 0 for a query of filters alone or with sort:newest, which list newest first."`
	Source     center.PartyCode `json:"source"`
	TLP        center.TLP       `json:"tlp"`
	Language   string           `json:"language,omitempty"`
	Version    time.Time        `json:"version"`
	Revoked    *time.Time       `json:"revoked,omitempty"`
}

type searchResponse struct {
	Body struct {
		Items      []searchItem `json:"items"`
		Total      int          `json:"total" doc:"How many reports the caller may see match, over every page — exactly, or at least that many when total_exact is false."`
		TotalExact bool         `json:"total_exact" doc:"False when the query matched more reports than the search window (5,000 by default): only the newest of them are ranked and counted on the first pages, total is a lower bound, and the facets count the newest. Paging past the window ranks and counts every match."`
		Facets     store.Facets `json:"facets" doc:"The matches counted by source party, TLP and language."`
		NextCursor string       `json:"next_cursor,omitempty" doc:"Continues the results after this page's last hit; absent on the last page. Deep pages cost no more than the first."`
	}
}

// search answers a query over the reports the caller's party may see.
func (s *Server) search(ctx context.Context, in *searchInput) (*searchResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit := 20
	var after *store.SearchKey
	e := &requestError{}
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > 100 {
			e.add("query.limit", in.Limit, "must be an integer from 1 to 100")
		}
		limit = n
	}
	if in.Cursor != "" {
		k, err := decodeSearchCursor(in.Cursor)
		if err != nil {
			e.add("query.cursor", nil, "is not a cursor this server issued")
		}
		after = &k
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	res, err := s.searcher.SearchAfter(ctx, who.Party(), in.Q, after, limit)
	var qe *analyze.QueryError
	if errors.As(err, &qe) {
		e.add("query.q", nil, "%s (at byte %d)", qe.Msg, qe.Pos)
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	out := &searchResponse{}
	out.Body.Items = make([]searchItem, len(res.Hits))
	for i, h := range res.Hits {
		r := h.Report
		out.Body.Items[i] = searchItem{ID: r.ID, Title: r.Title, Snippet: h.Snippet.Text, Highlights: h.Snippet.Highlights,
			Score: h.Score, Source: r.Source, TLP: r.TLP, Language: r.Language, Version: r.Version, Revoked: r.Revoked}
	}
	out.Body.Total, out.Body.TotalExact, out.Body.Facets = res.Total, res.TotalExact, res.Facets
	if res.Next != nil {
		out.Body.NextCursor = encodeSearchCursor(*res.Next)
	}
	return out, nil
}
