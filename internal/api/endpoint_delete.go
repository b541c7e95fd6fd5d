package api

import "context"

// deleteEndpoint deletes an endpoint of the officer's party; its pending
// deliveries are dead-lettered.
func (s *Server) deleteEndpoint(ctx context.Context, in *endpointIDParam) (*struct{}, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.recorder.DeleteEndpoint(ctx, who, in.ID); err != nil {
		return nil, err
	}
	return nil, nil
}
