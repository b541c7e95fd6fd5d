package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

// formView is the compose and edit form.
type formView struct {
	// ID is the report being revised; empty when composing.
	ID     string
	Action string
	Draft  center.Draft
	// Dist is "all", "parties" or "committee".
	Dist         string
	Tags         string
	Parties      []partyOption
	Committees   []committeeOption
	TLPs         []center.TLP
	Reliability  []string
	Credibility  []string
	Languages    []string
	Errors       map[string]template.HTML
	ErrorSummary []template.HTML
}

// A committeeOption is a committee in the form's choices.
type committeeOption struct {
	Code     string
	Name     string
	Selected bool
}

// draftFromForm reads a draft from the compose or edit form.
func draftFromForm(f url.Values) (center.Draft, string, string) {
	d := center.Draft{
		Title: f.Get("title"), Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n"),
		Language: f.Get("language"), TLP: center.TLP(f.Get("tlp")),
		Reliability: center.Reliability(f.Get("reliability")), Credibility: center.Credibility(f.Get("credibility")),
	}
	tags := f.Get("tags")
	// Tags are separated by commas, Latin or Arabic.
	for _, t := range strings.FieldsFunc(tags, func(r rune) bool { return r == ',' || r == '،' }) {
		d.Tags = append(d.Tags, strings.TrimSpace(t))
	}
	dist := f.Get("dist")
	switch dist {
	case "all":
		d.Distribution.All = true
	case "committee":
		d.Distribution.Committee = f.Get("committee")
	case "parties":
		for _, p := range f["party"] {
			d.Distribution.Parties = append(d.Distribution.Parties, center.PartyCode(p))
		}
	}
	return d, dist, tags
}

// newForm returns the form for a draft, with the roster's choices.
func (s *Server) newForm(r *http.Request, l *Locale, id string, d center.Draft, dist, tags string) (formView, error) {
	dir, err := s.store.Directory(r.Context())
	if err != nil {
		return formView{}, err
	}
	f := formView{
		ID: id, Action: "/reports", Draft: d, Dist: dist, Tags: tags,
		Parties:     partyOptions(dir, l, d.Distribution.Parties...),
		TLPs:        center.TLPs,
		Reliability: []string{"A", "B", "C", "D", "E", "F"},
		Credibility: []string{"1", "2", "3", "4", "5", "6"},
		Languages:   languages,
		Errors:      map[string]template.HTML{},
	}
	if id != "" {
		f.Action = "/reports/" + id
	}
	for _, c := range dir.Committees {
		f.Committees = append(f.Committees, committeeOption{Code: c.Code, Name: l.Name(c.Names), Selected: c.Code == d.Distribution.Committee})
	}
	return f, nil
}

// invalidFields turns a validation error into a message per form field,
// in the user's language (the first for a field the error names twice),
// and the list of them all. It reports false for any other error.
func invalidFields(err error, l *Locale) (map[string]template.HTML, []template.HTML, bool) {
	var ie *center.InvalidError
	if !errors.As(err, &ie) {
		return nil, nil, false
	}
	out := map[string]template.HTML{}
	var summary []template.HTML
	for _, fe := range ie.Fields {
		field := fe.Field
		if i := strings.IndexAny(field, ".["); i >= 0 {
			field = field[:i]
		}
		switch field {
		case "title", "body", "language", "tlp", "reliability", "credibility", "tags", "distribution":
		default:
			field = "form"
		}
		msg := l.sayField(fe)
		if _, seen := out[field]; !seen {
			out[field] = msg
		}
		summary = append(summary, msg)
	}
	return out, summary, true
}
