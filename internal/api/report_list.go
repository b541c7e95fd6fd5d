package api

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// defaultPageSize is the page size of a list that names none.
const defaultPageSize = 50

// listReportsInput pages and filters the report list. Every parameter is
// taken as text and parsed here, so that a malformed one is a 400 naming
// it, not a schema error.
type listReportsInput struct {
	Limit   string `query:"limit" doc:"Page size, an integer from 1 to 500; 50 if absent." example:"50"`
	Cursor  string `query:"cursor" doc:"The next_cursor of the previous page."`
	Source  string `query:"source" doc:"Only reports written by this party." example:"IQ"`
	TLP     string `query:"tlp" doc:"Only reports with this TLP marking, in any case, with or without the TLP: prefix." example:"amber"`
	Tag     string `query:"tag" doc:"Only reports with this tag."`
	Since   string `query:"since" doc:"Only versions recorded at or after this time (RFC 3339)." example:"2026-11-01T00:00:00Z"`
	Until   string `query:"until" doc:"Only versions recorded before this time (RFC 3339)."`
	Revoked string `query:"revoked" doc:"true: only revoked reports; false: only standing ones."`
}

// query parses the parameters into a store query, reporting every
// malformed one at once.
func (in *listReportsInput) query() (store.ReportQuery, error) {
	q := store.ReportQuery{Limit: defaultPageSize}
	e := &requestError{}
	if in.Limit != "" {
		n, err := strconv.Atoi(in.Limit)
		if err != nil || n < 1 || n > store.MaxPageSize {
			e.add("query.limit", in.Limit, "must be an integer from 1 to %d", store.MaxPageSize)
		}
		q.Limit = n
	}
	if in.Cursor != "" {
		after, err := decodeCursor(in.Cursor)
		if err != nil {
			e.add("query.cursor", nil, "is not a cursor this server issued")
		}
		q.After = after
	}
	if in.Source != "" {
		q.Source = center.PartyCode(strings.ToUpper(in.Source))
		if !q.Source.Valid() {
			e.add("query.source", in.Source, "must be a party code: 2-16 characters of A-Z, 0-9 and '-'")
		}
	}
	if in.TLP != "" {
		t, ok := center.ParseTLP(in.TLP)
		if !ok {
			e.add("query.tlp", in.TLP, "must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
		}
		q.TLP = t
	}
	if in.Tag != "" {
		if !utf8.ValidString(in.Tag) || strings.ContainsRune(in.Tag, 0) || utf8.RuneCountInString(in.Tag) > 1000 {
			e.add("query.tag", nil, "must be UTF-8 text without NUL, at most 1000 characters")
		}
		q.Tag = in.Tag
	}
	q.Since = parseTime(e, "query.since", in.Since)
	q.Until = parseTime(e, "query.until", in.Until)
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		e.add("query.until", in.Until, "must be after since")
	}
	switch in.Revoked {
	case "":
	case "true", "false":
		b := in.Revoked == "true"
		q.Revoked = &b
	default:
		e.add("query.revoked", in.Revoked, "must be true or false")
	}
	return q, e.err()
}

// parseTime parses an optional RFC 3339 time parameter.
func parseTime(e *requestError, location, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		e.add(location, v, "must be an RFC 3339 time such as 2026-11-28T10:00:00Z")
		return time.Time{}
	}
	return t
}

// reportList answers with one page of reports.
type reportList struct {
	Body reportPage
}

type reportPage struct {
	Items      []report `json:"items" doc:"The newest visible version of each report, newest first."`
	NextCursor string   `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

// listReports lists, newest first, the reports the caller's party may see.
func (s *Server) listReports(ctx context.Context, in *listReportsInput) (*reportList, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	q, err := in.query()
	if err != nil {
		return nil, err
	}
	page, err := s.store.Reports(ctx, who.Party(), q)
	if err != nil {
		return nil, err
	}
	out := &reportList{Body: reportPage{Items: viewReports(page.Items)}}
	if page.Next > 0 {
		out.Body.NextCursor = encodeCursor(page.Next)
	}
	return out, nil
}
