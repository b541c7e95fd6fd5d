package api

import (
	"context"
)

// committee is a named group of parties that a report can be distributed
// to.
type committee struct {
	Code    string            `json:"code" example:"regional"`
	Names   map[string]string `json:"names" doc:"The committee's name by language code (ar, fa, ru, en)."`
	Members []string          `json:"members" doc:"Codes of the member parties." example:"[\"IQ\",\"SY\",\"JO\"]"`
}

// committeeList answers with the roster's committees.
type committeeList struct {
	Body committees
}

type committees struct {
	Items []committee `json:"items"`
}

// listCommittees returns every committee of the center, in roster order.
func (s *Server) listCommittees(ctx context.Context, _ *struct{}) (*committeeList, error) {
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	out := &committeeList{Body: committees{Items: make([]committee, 0, len(dir.Committees))}}
	for _, c := range dir.Committees {
		names := map[string]string(c.Names)
		if names == nil {
			names = map[string]string{}
		}
		out.Body.Items = append(out.Body.Items, committee{Code: c.Code, Names: names, Members: partyCodes(c.Members)})
	}
	return out, nil
}
