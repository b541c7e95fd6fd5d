package api

import "context"

type listSubscriptionsOutput struct {
	Body struct {
		Items []subscriptionView `json:"items"`
	}
}

// listSubscriptions lists the caller's party's subscriptions.
func (s *Server) listSubscriptions(ctx context.Context, _ *struct{}) (*listSubscriptionsOutput, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	subs, err := s.store.Subscriptions(ctx, who.Party())
	if err != nil {
		return nil, err
	}
	out := &listSubscriptionsOutput{}
	out.Body.Items = make([]subscriptionView, len(subs))
	for i, sub := range subs {
		out.Body.Items[i] = viewSubscription(sub)
	}
	return out, nil
}

type subscriptionIDParam struct {
	ID string `path:"id" maxLength:"100"`
}

// deleteSubscription ends one of the party's subscriptions.
func (s *Server) deleteSubscription(ctx context.Context, in *subscriptionIDParam) (*struct{}, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return nil, s.recorder.DeleteSubscription(ctx, who, in.ID)
}
