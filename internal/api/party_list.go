package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/center"
)

// party is a participant of the center as the API shows it.
type party struct {
	Code  string            `json:"code" example:"IQ"`
	Kind  string            `json:"kind" enum:"member,associate" doc:"Members take part in the rotation and receive distribution \"all\"; associates share through committees and lists."`
	Names map[string]string `json:"names" doc:"The party's name by language code (ar, fa, ru, en)."`
}

// partyList answers with the roster's parties.
type partyList struct {
	Body parties
}

type parties struct {
	Items []party `json:"items"`
}

// listParties returns every party of the center, in roster order. The
// roster is known to every party.
func (s *Server) listParties(ctx context.Context, _ *struct{}) (*partyList, error) {
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	out := &partyList{Body: parties{Items: make([]party, 0, len(dir.Parties))}}
	for _, p := range dir.Parties {
		out.Body.Items = append(out.Body.Items, viewParty(p))
	}
	return out, nil
}

func viewParty(p center.Party) party {
	names := map[string]string(p.Names)
	if names == nil {
		names = map[string]string{}
	}
	return party{Code: string(p.Code), Kind: string(p.Kind), Names: names}
}

// partyCodes returns codes as strings, never nil.
func partyCodes(codes []center.PartyCode) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		out = append(out, string(c))
	}
	return out
}
