package web

import "github.com/tabadul/tabadul/internal/record/store"

// pageKeys are the message keys the entity, distribution and delivery
// pages build from a value, listed with every value.
func pageKeys() []string {
	keys := []string{"entity.reports", "feeds.never", "feeds.every_minutes"}
	for _, t := range store.EntityTypes {
		keys = append(keys, "entity.type."+string(t))
	}
	for _, s := range []store.EntityStatus{store.Proposed, store.Accepted, store.Rejected, store.Merged} {
		keys = append(keys, "entity.status."+string(s))
	}
	for _, s := range []store.DeliveryState{store.Pending, store.Delivered, store.Dead} {
		keys = append(keys, "delivery.state."+string(s))
	}
	return keys
}
