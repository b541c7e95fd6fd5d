package analyze

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Correlator links reports through what they share — entities and
// observables — and through near-duplicate text, for one viewer at a time.
// Every count, weight and list comes from the store's viewer-bound reads
// (store.EntityReader), so it is computed over the reports the viewer may
// see and no other: a report hidden from the viewer changes none of its
// answers.
type Correlator struct {
	store store.Reader
}

// NewCorrelator returns a Correlator reading r.
func NewCorrelator(r store.Reader) *Correlator { return &Correlator{store: r} }

// PostingsPerItem bounds how many reports sharing one item are weighed:
// an item held by more (a country in every report) is common, and its
// weight is near nothing anyway.
const PostingsPerItem = 100

// rarityScale sets the weights: an item held by df of the viewer's
// reports weighs ln(1 + rarityScale/df). A fixed scale, not the viewer's
// report count, keeps a weight from revealing anything but df.
const rarityScale = 10000

// Weight is the rarity weight of an item held by df reports.
func Weight(df int) float64 { return math.Log1p(rarityScale / float64(max(df, 1))) }

// SharedItem is an item a related report shares with the report asked
// about, with how many of the viewer's reports hold it (the report itself
// included; PostingsPerItem+2 means "more than that") and its weight.
type SharedItem struct {
	store.Item
	Reports int     `json:"reports"`
	Weight  float64 `json:"weight"`
}

// RelatedReport is a report that shares items with another, and its
// score: the sum of the shared items' weights.
type RelatedReport struct {
	Report center.Report
	Score  float64
	Shared []SharedItem
}

// Related returns up to limit reports viewer may see that share entities
// or observables with report id, rarest shares first: a shared hash seen
// in two reports outranks a country seen in thousands.
func (c *Correlator) Related(ctx context.Context, viewer center.PartyCode, id string, limit int) ([]RelatedReport, error) {
	postings, err := c.store.RelatedPostings(ctx, viewer, id, PostingsPerItem)
	if err != nil {
		return nil, err
	}
	type cand struct {
		score  float64
		first  int // order of first sight: newer reports first on ties
		shared []SharedItem
	}
	cands := map[string]*cand{}
	var order []string
	for _, p := range postings {
		df := p.Count + 1
		si := SharedItem{Item: p.Item, Reports: df, Weight: Weight(df)}
		for _, rid := range p.Reports {
			k, ok := cands[rid]
			if !ok {
				k = &cand{first: len(order)}
				cands[rid] = k
				order = append(order, rid)
			}
			k.score += si.Weight
			k.shared = append(k.shared, si)
		}
	}
	slices.SortStableFunc(order, func(a, b string) int {
		ka, kb := cands[a], cands[b]
		if ka.score != kb.score {
			if ka.score > kb.score {
				return -1
			}
			return 1
		}
		return ka.first - kb.first
	})
	order = order[:min(len(order), limit)]
	reps, err := c.store.ReportsByID(ctx, viewer, order)
	if err != nil {
		return nil, fmt.Errorf("analyze: related reports: %w", err)
	}
	out := []RelatedReport{}
	for _, rep := range reps {
		k := cands[rep.ID]
		slices.SortStableFunc(k.shared, func(a, b SharedItem) int {
			if a.Weight != b.Weight {
				if a.Weight > b.Weight {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Key, b.Key)
		})
		out = append(out, RelatedReport{Report: rep, Score: k.score, Shared: k.shared})
	}
	return out, nil
}

// EntityPage is what a viewer may know of an entity: the entity with the
// names it may see, and what its reports say of it.
type EntityPage struct {
	Entity   store.Entity
	Activity store.EntityActivity
	// Names of the co-occurring entities, by id.
	Names map[string]string
	// Recent are the newest reports mentioning it.
	Recent []center.Report
}

// EntityWindow and EntityRecent bound an entity page: co-occurrences are
// counted over the newest EntityWindow reports, EntityRecent are listed.
const (
	EntityWindow = 1000
	EntityRecent = 10
)

// VisibleEntity returns an entity with the names viewer may see, or
// center.ErrNotFound if viewer may not see it; chair is the party chairing
// now, which sees pending proposals.
func (c *Correlator) VisibleEntity(ctx context.Context, viewer, chair center.PartyCode, id string) (store.Entity, error) {
	e, err := c.store.Entity(ctx, id)
	if err != nil {
		return e, err
	}
	if !store.EntityVisibleTo(e, viewer, chair) {
		return store.Entity{}, fmt.Errorf("analyze: entity %s: %w", id, center.ErrNotFound)
	}
	return visibleNames(e, viewer, chair), nil
}

func visibleNames(e store.Entity, viewer, chair center.PartyCode) store.Entity {
	e.Aliases = slices.DeleteFunc(slices.Clone(e.Aliases), func(a store.Alias) bool { return !store.AliasVisibleTo(a, viewer, chair) })
	return e
}

// Entity returns an entity's page for viewer.
func (c *Correlator) Entity(ctx context.Context, viewer, chair center.PartyCode, id string) (EntityPage, error) {
	e, err := c.VisibleEntity(ctx, viewer, chair, id)
	if err != nil {
		return EntityPage{}, err
	}
	act, err := c.store.EntityActivity(ctx, viewer, id, EntityWindow, EntityRecent)
	if err != nil {
		return EntityPage{}, err
	}
	page := EntityPage{Entity: e, Activity: act, Names: map[string]string{}, Recent: []center.Report{}}
	for _, co := range act.CoOccurring {
		if o, err := c.store.Entity(ctx, co.Item.Value); err == nil {
			page.Names[o.ID] = o.Name
		}
	}
	for _, rid := range act.Recent {
		rep, err := c.store.Report(ctx, viewer, rid)
		if err != nil {
			return EntityPage{}, fmt.Errorf("analyze: entity report %s: %w", rid, err)
		}
		page.Recent = append(page.Recent, rep)
	}
	return page, nil
}

// MaxLookupBytes bounds an entity lookup's query.
const MaxLookupBytes = 200

// ParseLookup checks an entity lookup's query and returns the forms it
// matches names by (see store.EntityQuery.Names).
func ParseLookup(q string) ([]string, error) {
	switch {
	case !utf8.ValidString(q):
		return nil, qerr(0, "the query is not valid UTF-8")
	case len(q) > MaxLookupBytes:
		return nil, qerr(MaxLookupBytes, "the query is longer than %d bytes", MaxLookupBytes)
	case strings.IndexFunc(q, unicode.IsControl) >= 0:
		return nil, qerr(strings.IndexFunc(q, unicode.IsControl), "the query holds a control character")
	}
	names := lookupNames(q)
	if len(names) == 0 {
		return nil, qerr(0, "the query has no letters or digits to look up")
	}
	return names, nil
}

// Lookup finds entities viewer may see by any of their names, in any
// script; an empty q lists them (status "proposed" lists the pending
// proposals viewer may see: its own, or every one for the chair).
func (c *Correlator) Lookup(ctx context.Context, viewer, chair center.PartyCode, q string, status store.EntityStatus, limit int) ([]store.Entity, error) {
	var names []string
	if strings.TrimSpace(q) != "" {
		var err error
		if names, err = ParseLookup(q); err != nil {
			return nil, err
		}
	}
	// Pending proposals are filtered after the read; read more so that
	// a page still fills.
	want := limit
	if status != store.Accepted {
		want = limit * 4
	}
	es, err := c.store.Entities(ctx, store.EntityQuery{Names: names, Status: status, Limit: want})
	if err != nil {
		return nil, err
	}
	out := []store.Entity{}
	for _, e := range es {
		if store.EntityVisibleTo(e, viewer, chair) && len(out) < limit {
			out = append(out, visibleNames(e, viewer, chair))
		}
	}
	return out, nil
}

// Cluster is the near-duplicate cluster of a report as a viewer sees it:
// the reports linked to it by near-duplicate text, directly or through
// one another, all of them visible to the viewer.
type Cluster struct {
	Members []ClusterMember
	// Sources counts the independent corroborating sources: parties
	// other than the report's own source that reported it too.
	Sources int
}

// ClusterMember is a report of a cluster, with its similarity to the
// member through which it was found.
type ClusterMember struct {
	Report     center.Report
	Similarity float64
	Via        string
}

// MaxCluster bounds a cluster's walk.
const MaxCluster = 100

// Duplicates returns report id's near-duplicate cluster for viewer. Links
// run only between versions viewer sees, so a hidden report never joins
// two visible ones.
func (c *Correlator) Duplicates(ctx context.Context, viewer center.PartyCode, id string) (Cluster, error) {
	self, err := c.store.Report(ctx, viewer, id)
	if err != nil {
		return Cluster{}, err
	}
	seen := map[string]bool{id: true}
	queue := []string{id}
	cl := Cluster{Members: []ClusterMember{}}
	sources := map[center.PartyCode]bool{}
	for len(queue) > 0 && len(cl.Members) < MaxCluster {
		cur := queue[0]
		queue = queue[1:]
		ns, err := c.store.NearDuplicates(ctx, viewer, cur)
		if err != nil {
			return Cluster{}, err
		}
		for _, n := range ns {
			if seen[n.ReportID] || len(cl.Members) >= MaxCluster {
				continue
			}
			seen[n.ReportID] = true
			rep, err := c.store.Report(ctx, viewer, n.ReportID)
			if err != nil {
				return Cluster{}, fmt.Errorf("analyze: near-duplicate %s: %w", n.ReportID, err)
			}
			cl.Members = append(cl.Members, ClusterMember{Report: rep, Similarity: n.Similarity, Via: cur})
			if rep.Source != self.Source {
				sources[rep.Source] = true
			}
			queue = append(queue, n.ReportID)
		}
	}
	cl.Sources = len(sources)
	return cl, nil
}
