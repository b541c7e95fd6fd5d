package web

import (
	"context"
	"html/template"
	"net/url"
	"sort"
	"strings"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// relatedLimit is how many related reports a report page lists.
const relatedLimit = 10

// reportLinks is what the correlation says of the version of a report
// the viewer sees: the entities it names, the reports sharing something
// with it, its near-duplicates, and the deliveries of it to the viewer's
// party's endpoints. Every part is read with the viewer's party, so none
// says anything of a report that party may not see.
type reportLinks struct {
	Entities   []entityRef
	Related    []relatedRow
	Duplicates []duplicateRow
	// Sources counts the parties other than the report's source that
	// reported it too.
	Sources    int
	Deliveries []deliveryRow
}

// An entityRef is an entity named on a page, linked to its own.
type entityRef struct {
	ID, Name string
}

// A relatedRow is a report sharing items with the one shown.
type relatedRow struct {
	Row    reportRow
	Shared []sharedRow
}

// A sharedRow is one item two reports share: an entity (linked) or an
// observable, with how many of the viewer's reports hold it.
type sharedRow struct {
	Entity  string // the entity's id, "" for an observable
	Key     string // the observable kind's message key
	Value   string // the entity's name or the observable
	Reports int
}

// A duplicateRow is a member of a report's near-duplicate cluster.
type duplicateRow struct {
	Row        reportRow
	Similarity string
}

// links reads a report's correlation for the visitor's party, and the
// report's body with its entities and observables marked ("" when no link
// is stored). Only the newest version has links.
func (s *Server) links(ctx context.Context, v *visit, dir center.Directory, rep center.Report) (*reportLinks, template.HTML, error) {
	party := v.party()
	cor := analyze.NewCorrelator(s.store)
	out := &reportLinks{}
	ms, obs, err := s.store.ReportLinks(ctx, party, rep.ID)
	if err != nil {
		return nil, "", err
	}
	names := map[string]string{}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := s.entityName(ctx, v.L.Lang, id)
		names[id] = n
		return n
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if !seen[m.Entity] {
			seen[m.Entity] = true
			out.Entities = append(out.Entities, entityRef{ID: m.Entity, Name: name(m.Entity)})
		}
	}
	rel, err := cor.Related(ctx, party, rep.ID, relatedLimit)
	if err != nil {
		return nil, "", err
	}
	for _, r := range rel {
		row := relatedRow{Row: s.row(dir, v.L, r.Report)}
		for _, it := range r.Shared {
			sr := sharedRow{Value: it.Value, Reports: it.Reports}
			if it.Kind == "entity" {
				sr.Entity, sr.Value = it.Value, name(it.Value)
			} else {
				sr.Key = "observable." + it.Kind
			}
			row.Shared = append(row.Shared, sr)
		}
		out.Related = append(out.Related, row)
	}
	cl, err := cor.Duplicates(ctx, party, rep.ID)
	if err != nil {
		return nil, "", err
	}
	out.Sources = cl.Sources
	for _, m := range cl.Members {
		out.Duplicates = append(out.Duplicates, duplicateRow{Row: s.row(dir, v.L, m.Report), Similarity: v.L.Num(int(m.Similarity*100 + 0.5))})
	}
	ds, err := s.store.Deliveries(ctx, party, store.DeliveryQuery{Report: rep.ID, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, s.deliveryRow(v, d))
	}
	if len(ms) == 0 && len(obs) == 0 {
		// A center that does not extract links has none stored: the
		// page keeps its own marking of observables.
		return out, "", nil
	}
	return out, markLinks(rep.Title, rep.Body, ms, obs), nil
}

// A span is a marked range of a report's body.
type span struct {
	start, end int
	entity     string // the entity's id; "" for an observable
	kind       string
}

// markLinks renders a report's body with each entity mention linked to
// the entity's page and each observable marked and isolated left to
// right; everything else is escaped. The offsets are of the title, a
// newline and the body; marks in the title or overlapping an earlier one
// are left out.
func markLinks(title, body string, ms []store.Mention, obs []store.Observable) template.HTML {
	base := len(title) + 1
	var spans []span
	for _, m := range ms {
		spans = append(spans, span{m.Start - base, m.End - base, m.Entity, ""})
	}
	for _, o := range obs {
		spans = append(spans, span{o.Start - base, o.End - base, "", o.Kind})
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.start < at || sp.end > len(body) || sp.start >= sp.end {
			continue
		}
		b.WriteString(template.HTMLEscapeString(body[at:sp.start]))
		text := template.HTMLEscapeString(body[sp.start:sp.end])
		if sp.entity != "" {
			b.WriteString(`<a class="entity" href="/entities/` + template.HTMLEscapeString(url.PathEscape(sp.entity)) + `">` + text + `</a>`)
		} else {
			b.WriteString(`<bdi dir="ltr" class="observable observable-` + template.HTMLEscapeString(sp.kind) + `">` + text + `</bdi>`)
		}
		at = sp.end
	}
	b.WriteString(template.HTMLEscapeString(body[at:]))
	return template.HTML(b.String())
}

// entityName is an accepted entity's name in the language, else its
// canonical name, else its id.
func (s *Server) entityName(ctx context.Context, lang, id string) string {
	e, err := s.store.Entity(ctx, id)
	if err != nil {
		return id
	}
	for _, a := range e.Aliases {
		if a.Lang == lang && a.Status == store.Accepted {
			return a.Name
		}
	}
	return e.Name
}
