package api

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tabadul/tabadul/internal/collect/stix"
)

type exportInput struct {
	Format string `query:"format" enum:"stix" default:"stix" doc:"The format of the export."`
}

// exportBundle streams, as one STIX 2.1 bundle, everything the caller's
// party may see.
func (s *Server) exportBundle(ctx context.Context, _ *exportInput) (*huma.StreamResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	// Fail before the first byte if the store does not answer.
	if _, err := s.store.Directory(ctx); err != nil {
		return nil, err
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", "application/stix+json;version=2.1")
		hc.SetStatus(200)
		if _, err := stix.Export(ctx, s.store, who.Party(), hc.BodyWriter()); err != nil {
			// The status is out; the truncated body is not a bundle, and
			// the log says why.
			s.log.ErrorContext(ctx, "api: export failed", "request_id", requestID(ctx), "err", err)
		}
	}}, nil
}
