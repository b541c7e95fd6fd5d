package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// inboxPageSize is how many reports a page of the inbox lists.
const inboxPageSize = 25

// inboxView is the inbox: the reports the party may see, newest first.
type inboxView struct {
	Items   []reportRow
	Total   int
	Parties []partyOption
	TLPs    []center.TLP
	// The filters as given.
	Source, TLP, Tag, Lang string
	Page                   int
	Prev, Next             string
}

// showInbox lists the newest version of every report the party may see,
// newest first, filtered by source, TLP, tag and language.
func (s *Server) showInbox(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	q := r.URL.Query()
	view := inboxView{
		Source: q.Get("source"), TLP: q.Get("tlp"), Tag: strings.TrimSpace(q.Get("tag")), Lang: q.Get("lang"),
		TLPs: center.TLPs,
	}
	view.Page, _ = strconv.Atoi(q.Get("page"))
	view.Page = max(1, min(view.Page, 400))
	var f store.SearchFilter
	if view.Source != "" {
		f.Sources = []center.PartyCode{center.PartyCode(view.Source)}
	}
	if t, ok := center.ParseTLP(view.TLP); ok {
		f.TLPs = []center.TLP{t}
	}
	if view.Tag != "" {
		f.Tags = []string{view.Tag}
	}
	if view.Lang != "" {
		f.Languages = []string{view.Lang}
	}
	// A search with no words lists newest first, with every filter the
	// inbox offers, inside the visibility rule.
	res, err := s.store.Search(ctx, v.party(), store.SearchQuery{Filter: f, Offset: (view.Page - 1) * inboxPageSize, Limit: inboxPageSize})
	if err != nil {
		return err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	view.Parties = partyOptions(dir, v.L, f.Sources...)
	view.Total = res.Total
	for _, h := range res.Hits {
		view.Items = append(view.Items, s.row(dir, v.L, h.Report))
	}
	link := func(p int) string {
		q2 := url.Values{}
		for k, vs := range q {
			q2[k] = vs
		}
		q2.Set("page", strconv.Itoa(p))
		return "/?" + q2.Encode()
	}
	if view.Page > 1 {
		view.Prev = link(view.Page - 1)
	}
	if view.Page*inboxPageSize < res.Total {
		view.Next = link(view.Page + 1)
	}
	return s.render(w, r, v, http.StatusOK, "inbox", v.L.T("inbox.title"), view)
}
