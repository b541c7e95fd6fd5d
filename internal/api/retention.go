package api

import (
	"context"
)

const retentionPath = "/api/v1/governance/retention"

type retentionBody struct {
	RevokedDays int `json:"revoked_days" minimum:"0" maximum:"36500" doc:"Days after its revocation that a report's title and body are kept; 0 keeps them for ever. The version's other fields, its event and its log entry always stay."`
}

type retentionResponse struct {
	Body retentionBody
}

type retentionRequest struct {
	Body retentionBody
}

// getRetention returns the center's retention; every party may read it.
func (s *Server) getRetention(ctx context.Context, _ *struct{}) (*retentionResponse, error) {
	days, err := s.recorder.Retention(ctx)
	if err != nil {
		return nil, err
	}
	return &retentionResponse{Body: retentionBody{RevokedDays: days}}, nil
}

// setRetention sets the retention: a chair power.
func (s *Server) setRetention(ctx context.Context, in *retentionRequest) (*retentionResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.recorder.SetRetention(ctx, who, in.Body.RevokedDays); err != nil {
		return nil, err
	}
	return &retentionResponse{Body: in.Body}, nil
}
