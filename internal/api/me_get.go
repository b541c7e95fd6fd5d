package api

import (
	"context"
)

// identity is who the caller is.
type identity struct {
	Username   string            `json:"username" example:"iq-analyst"`
	Party      string            `json:"party" doc:"The party the caller acts for and sees as." example:"IQ"`
	Role       string            `json:"role" enum:"analyst,officer"`
	PartyNames map[string]string `json:"party_names" doc:"The party's name by language code (ar, fa, ru, en)."`
}

// meResponse answers with the caller's identity.
type meResponse struct {
	Body identity
}

// getMe returns the authenticated caller: user, party, role, and the
// party's names for display.
func (s *Server) getMe(ctx context.Context, _ *struct{}) (*meResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if p, ok := dir.Party(who.Party()); ok && p.Names != nil {
		names = p.Names
	}
	return &meResponse{Body: identity{
		Username:   who.User.Username,
		Party:      string(who.Party()),
		Role:       string(who.User.Role),
		PartyNames: names,
	}}, nil
}
