package storetest

import (
	"slices"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// testActiveSubscriptionsSeeTheUpdate: within one update, ActiveSubscriptions
// answers with the update's own changes to endpoints and subscriptions, and
// for the parties asked about alone — a backend may keep what it read for
// the rest of the update, but never past a change.
func testActiveSubscriptionsSeeTheUpdate(t *testing.T, f *fixture) {
	f.found()
	now := f.clock.Now()
	ids := func(subs []store.Subscription) []string {
		var out []string
		for _, s := range subs {
			out = append(out, s.ID)
		}
		return out
	}
	err := f.s.Update(f.ctx, func(tx store.Tx) error {
		active := func(want ...string) {
			t.Helper()
			subs, err := tx.ActiveSubscriptions(f.ctx, []center.PartyCode{"IQ", "RU"})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(subs); !slices.Equal(got, want) {
				t.Errorf("active subscriptions %v, want %v", got, want)
			}
		}
		for _, p := range []center.PartyCode{"IQ", "RU", "SY"} {
			e := store.Endpoint{ID: "endpoint--" + string(p), Party: p, URL: "https://" + string(p) + ".example/hook", Secret: []byte("sealed"), Created: now}
			if err := tx.InsertEndpoint(f.ctx, e); err != nil {
				return err
			}
		}
		active()
		for _, p := range []center.PartyCode{"IQ", "RU", "SY"} {
			if err := tx.InsertSubscription(f.ctx, store.Subscription{ID: "subscription--" + string(p), Party: p, Endpoint: "endpoint--" + string(p), Created: now}); err != nil {
				return err
			}
		}
		active("subscription--IQ", "subscription--RU")
		if err := tx.DeleteSubscription(f.ctx, "subscription--IQ", now); err != nil {
			return err
		}
		active("subscription--RU")
		e, err := tx.EndpointByID(f.ctx, "endpoint--RU")
		if err != nil {
			return err
		}
		e.Deleted = &now
		if err := tx.UpdateEndpoint(f.ctx, e); err != nil {
			return err
		}
		active()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
