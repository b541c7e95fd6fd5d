package sqlrow

import (
	"slices"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// ActiveSubscriptionsQuery reads every active subscription (not deleted,
// its endpoint not deleted), oldest first: what a backend keeps while
// MetaSubscriptions holds.
const ActiveSubscriptionsQuery = `
	SELECT s.id, s.party, s.endpoint, s.filter, s.created FROM subscriptions s
	JOIN endpoints e ON e.id = s.endpoint AND e.deleted IS NULL
	WHERE s.deleted IS NULL
	ORDER BY s.created, s.id`

// SubscriptionsOf returns those of subs that belong to one of parties, in
// their order.
func SubscriptionsOf(subs []store.Subscription, parties []center.PartyCode) []store.Subscription {
	var out []store.Subscription
	for _, s := range subs {
		if slices.Contains(parties, s.Party) {
			out = append(out, s)
		}
	}
	return out
}
