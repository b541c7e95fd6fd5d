package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

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
	// Orders are the two orders of a text query's results, the one
	// shown marked Current.
	Orders []orderLink
}

// An orderLink is one order of a search's results and the query that
// asks for it.
type orderLink struct {
	Label   string
	Href    string
	Current bool
}

// sortField finds the query language's sort: filters, to be replaced.
var sortField = regexp.MustCompile(`(^|\s)sort:\S*`)

// orderLinks returns the links to the results of q by relevance and
// newest first, or none if q has no text (its results are newest first
// only) or does not parse.
func orderLinks(l *Locale, q string) []orderLink {
	parsed, err := analyze.Parse(q)
	if err != nil || len(parsed.Groups) == 0 {
		return nil
	}
	base := strings.TrimSpace(sortField.ReplaceAllString(q, ""))
	href := func(q string) string { return "/search?" + url.Values{"q": {q}}.Encode() }
	return []orderLink{
		{Label: l.T("search.by_relevance"), Href: href(base), Current: !parsed.Newest},
		{Label: l.T("search.newest_first"), Href: href(base + " sort:newest"), Current: parsed.Newest},
	}
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
	view.Orders = orderLinks(v.L, view.Q)
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
