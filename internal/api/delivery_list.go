package api

import (
	"context"
	"slices"

	"github.com/tabadul/tabadul/internal/record/store"
)

type listDeliveriesInput struct {
	EndpointID string `query:"endpoint_id" maxLength:"100"`
	State      string `query:"state" enum:"pending,delivered,dead" doc:"Only deliveries in this state."`
	ReportID   string `query:"report_id" maxLength:"100"`
	Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Cursor     string `query:"cursor" doc:"The next_cursor of the previous page."`
}

type listDeliveriesOutput struct {
	Body struct {
		Items      []store.Delivery `json:"items"`
		NextCursor string           `json:"next_cursor,omitempty"`
	}
}

// listDeliveries lists the caller's party's deliveries, newest first.
func (s *Server) listDeliveries(ctx context.Context, in *listDeliveriesInput) (*listDeliveriesOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	q := store.DeliveryQuery{Endpoint: in.EndpointID, State: store.DeliveryState(in.State), Report: in.ReportID, Limit: in.Limit}
	if in.State != "" && !slices.Contains([]store.DeliveryState{store.Pending, store.Delivered, store.Dead}, q.State) {
		e := &requestError{}
		e.add("query.state", in.State, "must be pending, delivered or dead")
		return nil, e
	}
	if in.Cursor != "" {
		n, err := decodeCursor(in.Cursor)
		if err != nil {
			e := &requestError{}
			e.add("query.cursor", nil, "is not a cursor this server issued")
			return nil, e
		}
		q.Before = n
	}
	ds, err := s.store.Deliveries(ctx, who.Party(), q)
	if err != nil {
		return nil, err
	}
	out := &listDeliveriesOutput{}
	out.Body.Items = ds
	if ds == nil {
		out.Body.Items = []store.Delivery{}
	}
	if len(ds) == in.Limit {
		out.Body.NextCursor = encodeCursor(ds[len(ds)-1].Seq)
	}
	return out, nil
}

type deliveryIDParam struct {
	ID string `path:"id" maxLength:"100" doc:"The delivery's webhook-id."`
}

// redriveDelivery makes a dead-lettered delivery of the party pending
// again.
func (s *Server) redriveDelivery(ctx context.Context, in *deliveryIDParam) (*struct{}, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.recorder.Redrive(ctx, who, in.ID)
}
