package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// deliveryPageSize is how many deliveries a page lists.
const deliveryPageSize = 50

// deliveriesView lists the party's deliveries, newest first.
type deliveriesView struct {
	Items     []deliveryRow
	Endpoints []string
	States    []store.DeliveryState
	// The filters as given.
	Endpoint, State, Report string
	Officer                 bool
}

// listDeliveries lists the deliveries to the party's endpoints, filtered
// by endpoint, state and report: the party's own only.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	q := r.URL.Query()
	view := deliveriesView{Endpoint: q.Get("endpoint"), State: q.Get("state"), Report: q.Get("report"),
		States: []store.DeliveryState{store.Pending, store.Delivered, store.Dead}, Officer: v.who.IsOfficer()}
	dq := store.DeliveryQuery{Endpoint: view.Endpoint, State: store.DeliveryState(view.State), Report: view.Report, Limit: deliveryPageSize}
	if view.State != "" && !slices.Contains(view.States, dq.State) {
		return center.Invalid("state", "must be pending, delivered or dead")
	}
	eps, err := s.store.Endpoints(ctx, v.party())
	if err != nil {
		return err
	}
	for _, e := range eps {
		view.Endpoints = append(view.Endpoints, e.ID)
	}
	ds, err := s.store.Deliveries(ctx, v.party(), dq)
	if err != nil {
		return err
	}
	for _, d := range ds {
		view.Items = append(view.Items, s.deliveryRow(v, d))
	}
	return s.render(w, r, v, http.StatusOK, "deliveries", v.L.T("deliveries.title"), view)
}

// redriveDelivery makes a dead delivery of the officer's party pending
// again, due now.
func (s *Server) redriveDelivery(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := s.recorder.Redrive(r.Context(), *v.who, r.PathValue("id")); err != nil {
		return err
	}
	back := "/deliveries"
	if st := r.PostForm.Get("state"); st != "" {
		back += "?" + url.Values{"state": {st}}.Encode()
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
