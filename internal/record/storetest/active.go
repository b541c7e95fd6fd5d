package storetest

import (
	"errors"
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

// testActiveSubscriptionsAcrossUpdates: a backend may keep the active
// subscriptions between updates, but each update sees every change
// committed before it — a new subscription, a deleted one, a deleted
// endpoint — and none that was rolled back, even one an update read
// before it failed.
func testActiveSubscriptionsAcrossUpdates(t *testing.T, f *fixture) {
	f.found()
	now := f.clock.Now()
	update := func(fn func(tx store.Tx) error) error { return f.s.Update(f.ctx, fn) }
	active := func(tx store.Tx) []string {
		t.Helper()
		subs, err := tx.ActiveSubscriptions(f.ctx, []center.PartyCode{"IQ"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range subs {
			ids = append(ids, s.ID)
		}
		return ids
	}
	want := func(step string, ids ...string) {
		t.Helper()
		if err := update(func(tx store.Tx) error {
			if got := active(tx); !slices.Equal(got, ids) {
				t.Errorf("%s: active subscriptions %v, want %v", step, got, ids)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe := func(tx store.Tx, id string) error {
		return tx.InsertSubscription(f.ctx, store.Subscription{ID: id, Party: "IQ", Endpoint: "endpoint--IQ", Created: now})
	}
	if err := update(func(tx store.Tx) error {
		e := store.Endpoint{ID: "endpoint--IQ", Party: "IQ", URL: "https://iq.example/hook", Secret: []byte("sealed"), Created: now}
		if err := tx.InsertEndpoint(f.ctx, e); err != nil {
			return err
		}
		return subscribe(tx, "subscription--1")
	}); err != nil {
		t.Fatal(err)
	}
	want("after the first", "subscription--1")

	failed := errors.New("rolled back")
	if err := update(func(tx store.Tx) error {
		if err := subscribe(tx, "subscription--rolled-back"); err != nil {
			return err
		}
		if got := active(tx); len(got) != 2 {
			t.Errorf("inside the failing update: %v", got)
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("the failing update: %v", err)
	}
	want("after a rolled-back one", "subscription--1")

	if err := update(func(tx store.Tx) error { return subscribe(tx, "subscription--2") }); err != nil {
		t.Fatal(err)
	}
	want("after a second", "subscription--1", "subscription--2")

	if err := update(func(tx store.Tx) error { return tx.DeleteSubscription(f.ctx, "subscription--1", now) }); err != nil {
		t.Fatal(err)
	}
	want("after a deletion", "subscription--2")

	if err := update(func(tx store.Tx) error {
		e, err := tx.EndpointByID(f.ctx, "endpoint--IQ")
		if err != nil {
			return err
		}
		e.Deleted = &now
		return tx.UpdateEndpoint(f.ctx, e)
	}); err != nil {
		t.Fatal(err)
	}
	want("after the endpoint's deletion")
}
