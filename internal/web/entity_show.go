package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// entityView is an entity's page: its names in each script, and what the
// reports the visitor's party may see say of it.
type entityView struct {
	// Name is the entity's name in the page's language; Canonical, the
	// registry's name for it.
	ID, Name, Canonical string
	Type                store.EntityType
	Status              store.EntityStatus
	MergedInto          string
	// Names are the entity's names by script: ar, fa, ru, en, then the
	// names used in every script.
	Names   []aliasGroup
	Reports string
	Chart   *timelineChart
	Co      []coRow
	Recent  []reportRow
	Types   []store.EntityType
	// Curator: the visitor is an officer of the chairing party, who
	// accepts, rejects, renames and merges.
	Curator bool
	Pending []store.Alias
}

// An aliasGroup is an entity's names in one language ("" for every
// script).
type aliasGroup struct {
	Lang  string
	Names []aliasRow
}

type aliasRow struct {
	Name    string
	Pending bool
}

// A coRow is an entity mentioned in the same reports, and how often.
type coRow struct {
	ID, Name, Count string
}

// showEntity shows an entity the visitor's party may see.
func (s *Server) showEntity(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return err
	}
	page, err := analyze.NewCorrelator(s.store).Entity(ctx, v.party(), chair, r.PathValue("id"))
	if err != nil {
		return err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	e := page.Entity
	view := entityView{ID: e.ID, Name: e.Name, Canonical: e.Name, Type: e.Type, Status: e.Status, MergedInto: e.MergedInto,
		Reports: v.L.N("entity.reports", page.Activity.Reports), Types: store.EntityTypes,
		Curator: isChairOfficer(v, chair)}
	// The entity is called by its accepted name in the page's language,
	// else by its canonical name.
	for _, a := range e.Aliases {
		if a.Lang == v.L.Lang && a.Status == store.Accepted {
			view.Name = a.Name
			break
		}
	}
	for _, l := range []string{"ar", "fa", "ru", "en", ""} {
		g := aliasGroup{Lang: l}
		for _, a := range e.Aliases {
			if a.Lang == l {
				g.Names = append(g.Names, aliasRow{Name: a.Name, Pending: a.Status == store.Proposed})
			}
			if a.Lang == l && a.Status == store.Proposed {
				view.Pending = append(view.Pending, a)
			}
		}
		if len(g.Names) > 0 {
			view.Names = append(view.Names, g)
		}
	}
	view.Chart = chartOf(v.L, page.Activity.Timeline)
	for _, c := range page.Activity.CoOccurring {
		name := s.entityName(ctx, v.L.Lang, c.Item.Value)
		view.Co = append(view.Co, coRow{ID: c.Item.Value, Name: name, Count: v.L.Num(c.Count)})
	}
	for _, rep := range page.Recent {
		view.Recent = append(view.Recent, s.row(dir, v.L, rep))
	}
	return s.render(w, r, v, http.StatusOK, "entity_show", view.Name, view)
}

// timelineChart is a bar chart of reports per day, drawn as inline SVG
// on the server: no script, no style attribute.
type timelineChart struct {
	Width, Height int
	Bars          []chartBar
	From, To      string
	Max           string
}

type chartBar struct {
	X, Y, W, H int
	Label      string
}

// Chart geometry, in SVG user units.
const (
	chartWidth  = 600
	chartHeight = 120
)

// chartOf lays out days (sorted, UTC) from the first to the last on the
// horizontal axis, time running left to right in every language.
func chartOf(l *Locale, days []store.DayCount) *timelineChart {
	if len(days) == 0 {
		return nil
	}
	type point struct {
		t time.Time
		n int
	}
	var pts []point
	top := 1
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			continue
		}
		pts = append(pts, point{t, d.Count})
		top = max(top, d.Count)
	}
	if len(pts) == 0 {
		return nil
	}
	slices.SortFunc(pts, func(a, b point) int { return a.t.Compare(b.t) })
	first, last := pts[0].t, pts[len(pts)-1].t
	span := int(last.Sub(first).Hours()/24) + 1
	// A bar is a day wide, and no wider than a tenth of the chart.
	bw := min(chartWidth/10, max(1, chartWidth/span))
	c := &timelineChart{Width: chartWidth, Height: chartHeight, From: l.Date(first), To: l.Date(last), Max: l.Num(top)}
	for _, p := range pts {
		day := int(p.t.Sub(first).Hours() / 24)
		h := max(2, p.n*(chartHeight-4)/top)
		x := day * chartWidth / span
		c.Bars = append(c.Bars, chartBar{X: x, Y: chartHeight - h, W: max(1, bw-1), H: h,
			Label: l.Date(p.t) + ": " + l.N("entity.reports", p.n)})
	}
	return c
}

// isChairOfficer reports whether the visitor curates the registry now.
func isChairOfficer(v *visit, chair center.PartyCode) bool {
	return v.who.IsOfficer() && chair != "" && v.party() == chair
}
