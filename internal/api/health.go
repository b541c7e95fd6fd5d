package api

import (
	"context"
	"fmt"
	"time"
)

// health is the body of the health and readiness probes.
type health struct {
	Status  string `json:"status" enum:"ok,ready"`
	Version string `json:"version"`
	Founded *bool  `json:"founded,omitempty" doc:"Whether the database holds a center (readiness only)."`
}

type healthResponse struct {
	Body health
}

// readyTimeout bounds the readiness probe's database query, so that a
// stuck database answers 503 rather than hanging the prober.
const readyTimeout = 2 * time.Second

// getHealth answers as long as the process serves HTTP; it touches nothing
// else, so that a slow database does not get the process restarted.
func (s *Server) getHealth(context.Context, *struct{}) (*healthResponse, error) {
	return &healthResponse{Body: health{Status: "ok", Version: s.version}}, nil
}

// getReady answers once the database answers a query.
func (s *Server) getReady(ctx context.Context, _ *struct{}) (*healthResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	founded, err := s.recorder.Founded(ctx)
	if err != nil {
		return nil, fmt.Errorf("api: readiness: database does not answer: %w: %w", errUnavailable, err)
	}
	return &healthResponse{Body: health{Status: "ready", Version: s.version, Founded: &founded}}, nil
}
