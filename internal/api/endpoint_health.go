package api

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

type endpointHealthOutput struct {
	Body struct {
		Endpoint      endpointView    `json:"endpoint"`
		Pending       int64           `json:"pending"`
		Delivered     int64           `json:"delivered"`
		Dead          int64           `json:"dead"`
		OldestPending *time.Time      `json:"oldest_pending,omitempty"`
		LastAttempts  []store.Attempt `json:"last_attempts" doc:"The latest attempts, newest first."`
	}
}

// endpointHealth tells how deliveries to one of the party's endpoints go.
func (s *Server) endpointHealth(ctx context.Context, in *endpointIDParam) (*endpointHealthOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	h, err := s.store.EndpointHealth(ctx, who.Party(), in.ID)
	if err != nil {
		return nil, err
	}
	out := &endpointHealthOutput{}
	b := &out.Body
	b.Endpoint, b.Pending, b.Delivered, b.Dead, b.OldestPending = viewEndpoint(h.Endpoint), h.Pending, h.Delivered, h.Dead, h.OldestPending
	b.LastAttempts = h.LastAttempts
	if b.LastAttempts == nil {
		b.LastAttempts = []store.Attempt{}
	}
	return out, nil
}
