package web

import (
	"context"
	"html/template"
	"slices"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
)

// page is what the layout renders: the visit (user, locale, CSRF token),
// the page's title and its own data.
type page struct {
	*visit
	Title string
	// Data is the page's own view, a struct per page.
	Data any
	// Path is the request's path, to mark the current menu entry and to
	// come back to after a language change.
	Path string
	// Chair is the banner naming the chair, on every page once signed in.
	Chair string
	// PartyName is the signed-in user's party, in the page's language.
	PartyName string
	// member says the signed-in user's party is a member: only members
	// see the collection (news feeds share their reports with members).
	member bool
}

// A navItem is one entry of the menu.
type navItem struct {
	Path, Key string
}

// navItems is the menu, in order. A page for a new capability adds its
// entry here.
var navItems = []navItem{
	{"/", "nav.inbox"},
	{"/reports/new", "nav.compose"},
	{"/search", "nav.search"},
	{"/entities", "nav.entities"},
	{"/governance", "nav.governance"},
	{"/transparency", "nav.log"},
	{"/distribution", "nav.distribution"},
	{"/feeds", "nav.collection"}, // members only: see Nav
}

// Nav returns the menu.
func (p *page) Nav() []navItem {
	if p.member {
		return navItems
	}
	return slices.DeleteFunc(slices.Clone(navItems), func(n navItem) bool { return n.Path == "/feeds" })
}

// Current reports whether path is the page's menu entry.
func (p *page) Current(path string) bool {
	if path == "/" {
		return p.Path == "/"
	}
	return p.Path == path || strings.HasPrefix(p.Path, path+"/") && path != "/reports/new"
}

// chairBanner says who chairs now and until when, in the locale.
func (s *Server) chairBanner(ctx context.Context, l *Locale) (string, error) {
	g, err := record.ReadGovernance(ctx, s.store)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	term, err := g.Chair(now)
	if err != nil {
		return "", err
	}
	if term.Party == "" {
		return l.T("chair.none", "Start", l.Date(g.Rotation.Start)), nil
	}
	return l.T("chair.banner", "Party", partyName(g.Directory, l, center.PartyCode(term.Party)), "Until", l.Date(term.End)), nil
}

// partyName is a party's name in the locale, its code if unknown.
func partyName(dir center.Directory, l *Locale, code center.PartyCode) string {
	if p, ok := dir.Party(code); ok {
		return l.Name(p.Names)
	}
	return string(code)
}

// A partyOption is a party in a form's or a filter's choices.
type partyOption struct {
	Code     center.PartyCode
	Name     string
	Selected bool
}

func partyOptions(dir center.Directory, l *Locale, selected ...center.PartyCode) []partyOption {
	out := make([]partyOption, len(dir.Parties))
	for i, p := range dir.Parties {
		sel := false
		for _, s := range selected {
			sel = sel || s == p.Code
		}
		out[i] = partyOption{Code: p.Code, Name: l.Name(p.Names), Selected: sel}
	}
	return out
}

// templateFuncs are the helpers every template may call.
var templateFuncs = template.FuncMap{
	"iso":       ISO,
	"tlpClass":  tlpClass,
	"highlight": highlight,
	"tlpKey":    tlpKey,
	"langName":  langName,
	"join":      strings.Join,
	"rowOf":     func(p *page, r reportRow) rowContext { return rowContext{P: p, R: r} },
}

// rowContext is what the "row" template renders: a report in a list and
// the page around it.
type rowContext struct {
	P *page
	R reportRow
}

// tlpKey is the message key describing a TLP marking: tlp.amber_strict.
func tlpKey(t center.TLP) string {
	return "tlp." + strings.ReplaceAll(strings.ToLower(string(t)), "+", "_")
}

// langName is a language's own name for itself, as a language menu
// shows it whatever the page's language.
func langName(lang string) string {
	return map[string]string{"ar": "العربية", "fa": "فارسی", "ru": "Русский", "en": "English"}[lang]
}

// tlpClass is the CSS class of a TLP marking: tlp-amber-strict.
func tlpClass(t center.TLP) string {
	return "tlp-" + strings.ReplaceAll(strings.ToLower(string(t)), "+", "-")
}

// highlight renders a search snippet with its matches marked, escaping
// everything else.
func highlight(sn analyze.Snippet) template.HTML {
	var b strings.Builder
	at := 0
	for _, h := range sn.Highlights {
		start, end := h[0], h[1]
		if start < at || end > len(sn.Text) || start >= end {
			continue
		}
		b.WriteString(template.HTMLEscapeString(sn.Text[at:start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(sn.Text[start:end]))
		b.WriteString("</mark>")
		at = end
	}
	b.WriteString(template.HTMLEscapeString(sn.Text[at:]))
	return template.HTML(b.String())
}

// A reportRow is a report in a list.
type reportRow struct {
	ID         string
	Title      string
	Source     center.PartyCode
	SourceName string
	TLP        center.TLP
	Language   string
	Version    string
	VersionISO string
	Revoked    bool
	Tags       []string
	Snippet    template.HTML
}

func (s *Server) row(dir center.Directory, l *Locale, r center.Report) reportRow {
	return reportRow{
		ID: r.ID, Title: r.Title, Source: r.Source, SourceName: partyName(dir, l, r.Source),
		TLP: r.TLP, Language: r.Language, Version: l.DateTime(r.Version), VersionISO: ISO(r.Version),
		Revoked: r.Revoked != nil, Tags: r.Tags,
	}
}
