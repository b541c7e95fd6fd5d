package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// distributionView is the party's distribution: its endpoints with their
// health, its subscriptions, and, once after a creation or a rotation, a
// signing secret.
type distributionView struct {
	Endpoints     []endpointRow
	Subscriptions []subscriptionRow
	// Officer: the visitor may change them; analysts read them only.
	Officer bool
	// Secret is a signing secret just made, shown this once, for the
	// endpoint SecretFor.
	Secret, SecretFor string
	Parties           []partyOption
	TLPs              []center.TLP
}

// An endpointRow is one endpoint of the party and how its deliveries go.
type endpointRow struct {
	ID, URL, Description string
	Ordered              bool
	Created              string
	Pending, Delivered   string
	Dead                 string
	Failures             string
	// Open: the circuit breaker holds deliveries back until OpenUntil.
	Open      bool
	OpenUntil string
	// Healthy: nothing dead, the breaker closed.
	Healthy bool
}

// A subscriptionRow is one subscription and its filter, in words.
type subscriptionRow struct {
	ID, Endpoint, Created            string
	Sources, TLP, Tags, Langs, Query string
}

// showDistribution lists the party's endpoints and subscriptions.
func (s *Server) showDistribution(w http.ResponseWriter, r *http.Request, v *visit) error {
	view, err := s.distribution(r, v)
	if err != nil {
		return err
	}
	return s.render(w, r, v, http.StatusOK, "distribution", v.L.T("dist_page.title"), view)
}

// distribution reads the party's distribution, through its own reads
// only: another party's endpoints never appear.
func (s *Server) distribution(r *http.Request, v *visit) (distributionView, error) {
	ctx := r.Context()
	party := v.party()
	view := distributionView{Officer: v.who.IsOfficer(), TLPs: center.TLPs}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return view, err
	}
	view.Parties = partyOptions(dir, v.L)
	eps, err := s.store.Endpoints(ctx, party)
	if err != nil {
		return view, err
	}
	now := s.clock.Now()
	for _, e := range eps {
		h, err := s.store.EndpointHealth(ctx, party, e.ID)
		if err != nil {
			return view, err
		}
		row := endpointRow{
			ID: e.ID, URL: e.URL, Description: e.Description, Ordered: e.Ordered, Created: v.L.DateTime(e.Created),
			Pending: v.L.Num(int(h.Pending)), Delivered: v.L.Num(int(h.Delivered)), Dead: v.L.Num(int(h.Dead)),
			Failures: v.L.Num(e.Failures),
		}
		if e.OpenUntil != nil && e.OpenUntil.After(now) {
			row.Open, row.OpenUntil = true, v.L.DateTime(*e.OpenUntil)
		}
		row.Healthy = !row.Open && h.Dead == 0
		view.Endpoints = append(view.Endpoints, row)
	}
	subs, err := s.store.Subscriptions(ctx, party)
	if err != nil {
		return view, err
	}
	sep := v.L.T("list.sep")
	for _, sub := range subs {
		f := sub.Filter
		row := subscriptionRow{ID: sub.ID, Endpoint: sub.Endpoint, Created: v.L.DateTime(sub.Created),
			Tags: strings.Join(f.Tags, sep), Query: f.Query}
		var names []string
		for _, p := range f.Sources {
			names = append(names, partyName(dir, v.L, p))
		}
		row.Sources = strings.Join(names, sep)
		var tlps []string
		for _, t := range f.TLP {
			tlps = append(tlps, "TLP:"+string(t))
		}
		row.TLP = strings.Join(tlps, sep)
		var langs []string
		for _, l := range f.Languages {
			langs = append(langs, v.L.T("lang."+l))
		}
		row.Langs = strings.Join(langs, sep)
		view.Subscriptions = append(view.Subscriptions, row)
	}
	return view, nil
}

// A deliveryRow is one delivery of the party, as lists show it.
type deliveryRow struct {
	ID, Endpoint, Report, Type string
	State                      store.DeliveryState
	Attempts, Status           string
	Error                      string
	Created, Done              string
	// Receipt is the id of the event that logs the receipt.
	Receipt string
}

func (s *Server) deliveryRow(v *visit, d store.Delivery) deliveryRow {
	row := deliveryRow{ID: d.ID, Endpoint: d.Endpoint, Report: d.Report, Type: d.Type, State: d.State,
		Attempts: v.L.Num(d.Attempts), Error: d.LastError, Created: v.L.DateTime(d.Created), Receipt: d.ReceiptEvent}
	if d.LastStatus != 0 {
		row.Status = v.L.Digits(strconv.Itoa(d.LastStatus))
	}
	if d.Done != nil {
		row.Done = v.L.DateTime(*d.Done)
	}
	return row
}
