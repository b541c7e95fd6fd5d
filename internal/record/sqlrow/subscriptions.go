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
// their order: subs itself when all of them do (a report shared with
// every member, the common case), so that the write path does not copy
// them for every report. The caller must not modify the result.
func SubscriptionsOf(subs []store.Subscription, parties []center.PartyCode) []store.Subscription {
	if !slices.ContainsFunc(subs, func(s store.Subscription) bool { return !slices.Contains(parties, s.Party) }) {
		return subs
	}
	var out []store.Subscription
	for _, s := range subs {
		if slices.Contains(parties, s.Party) {
			out = append(out, s)
		}
	}
	return out
}
