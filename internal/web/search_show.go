package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tabadul/tabadul/internal/analyze"
)

const searchPageSize = 20

// searchView is a query and a page of its results.
type searchView struct {
	Q        string
	Items    []reportRow
	Total    int
	Searched bool
	// Error says, in the user's language, what is wrong with the query.
	Error      template.HTML
	Page       int
	Prev, Next string
}

// showSearch runs a query of the query language over what the party may
// see, with highlighted snippets.
func (s *Server) showSearch(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	view := searchView{Q: r.URL.Query().Get("q")}
	view.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	view.Page = max(1, min(view.Page, 500))
	if view.Q == "" {
		return s.render(w, r, v, http.StatusOK, "search", v.L.T("search.title"), view)
	}
	view.Searched = true
	res, err := s.searcher.Search(ctx, v.party(), view.Q, (view.Page-1)*searchPageSize, searchPageSize)
	var qe *analyze.QueryError
	if errors.As(err, &qe) {
		view.Error = template.HTML(template.HTMLEscapeString(v.L.T("search.bad_query", "Pos", v.L.Num(qe.Pos)))) + " " + v.L.Say(qe.Format, qe.Args)
		return s.render(w, r, v, http.StatusBadRequest, "search", v.L.T("search.title"), view)
	}
	if err != nil {
		return err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	view.Total = res.Total
	for _, h := range res.Hits {
		row := s.row(dir, v.L, h.Report)
		row.Snippet = highlight(h.Snippet)
		view.Items = append(view.Items, row)
	}
	link := func(p int) string {
		return "/search?" + url.Values{"q": {view.Q}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if view.Page > 1 {
		view.Prev = link(view.Page - 1)
	}
	if view.Page*searchPageSize < res.Total {
		view.Next = link(view.Page + 1)
	}
	return s.render(w, r, v, http.StatusOK, "search", v.L.T("search.title"), view)
}
