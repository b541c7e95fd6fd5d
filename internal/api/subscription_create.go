package api

import (
	"context"
	"errors"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// filterView is a subscription filter on the wire; each non-empty list
// matches any of its values, and an empty filter everything the party may
// see.
type filterView struct {
	Sources   []string `json:"sources,omitempty" maxItems:"100" doc:"Source parties."`
	TLP       []string `json:"tlp,omitempty" maxItems:"5"`
	Tags      []string `json:"tags,omitempty" maxItems:"100"`
	Languages []string `json:"languages,omitempty" maxItems:"100"`
	Query     string   `json:"query,omitempty" maxLength:"2000" doc:"A search query in Tabadul's query language; a report matches as a search would find it."`
}

type subscriptionView struct {
	ID         string     `json:"id"`
	EndpointID string     `json:"endpoint_id"`
	Filter     filterView `json:"filter"`
	Created    time.Time  `json:"created"`
}

func viewSubscription(s store.Subscription) subscriptionView {
	f := filterView{Tags: s.Filter.Tags, Languages: s.Filter.Languages, Query: s.Filter.Query}
	for _, p := range s.Filter.Sources {
		f.Sources = append(f.Sources, string(p))
	}
	for _, t := range s.Filter.TLP {
		f.TLP = append(f.TLP, string(t))
	}
	return subscriptionView{ID: s.ID, EndpointID: s.Endpoint, Filter: f, Created: s.Created}
}

// ParseFilter turns a wire filter into a store filter with its query
// compiled; a malformed query is center.ErrInvalid.
func parseFilter(v filterView) (store.Filter, error) {
	f := store.Filter{Tags: v.Tags, Languages: v.Languages, Query: v.Query}
	for _, p := range v.Sources {
		f.Sources = append(f.Sources, center.PartyCode(p))
	}
	for _, t := range v.TLP {
		f.TLP = append(f.TLP, center.TLP(t))
	}
	if v.Query != "" {
		var err error
		f.Text, f.Where, err = analyze.CompileFilter(v.Query)
		var qe *analyze.QueryError
		if errors.As(err, &qe) {
			return f, center.Invalid("filter.query", "%s (at byte %d)", qe.Msg, qe.Pos)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

type createSubscriptionInput struct {
	Body struct {
		EndpointID string     `json:"endpoint_id" maxLength:"100"`
		Filter     filterView `json:"filter"`
	}
}

type subscriptionOutput struct {
	Body subscriptionView
}

// createSubscription subscribes one of the party's endpoints.
func (s *Server) createSubscription(ctx context.Context, in *createSubscriptionInput) (*subscriptionOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	f, err := parseFilter(in.Body.Filter)
	if err != nil {
		return nil, err
	}
	sub, err := s.recorder.CreateSubscription(ctx, who, in.Body.EndpointID, f)
	if err != nil {
		return nil, err
	}
	return &subscriptionOutput{Body: viewSubscription(sub)}, nil
}
