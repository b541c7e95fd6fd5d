package api

import (
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

// Paths of the distribution's resources. Every party's users read its own
// endpoints, subscriptions and deliveries; only its officers change them.
// Another party's are 404, as if they did not exist.
const (
	endpointsPath     = "/api/v1/endpoints"
	subscriptionsPath = "/api/v1/subscriptions"
	deliveriesPath    = "/api/v1/deliveries"
	streamPath        = "/api/v1/stream"
)

// endpointView is an endpoint on the wire: never its secret.
type endpointView struct {
	ID                  string     `json:"id"`
	URL                 string     `json:"url"`
	Description         string     `json:"description"`
	Ordered             bool       `json:"ordered" doc:"Deliveries go one at a time, in the order recorded."`
	Created             time.Time  `json:"created"`
	PrevSecretUntil     *time.Time `json:"prev_secret_until,omitempty" doc:"Until when the secret a rotation replaced still signs."`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	BreakerOpenUntil    *time.Time `json:"breaker_open_until,omitempty" doc:"While in the future, the circuit breaker holds deliveries back."`
}

func viewEndpoint(e store.Endpoint) endpointView {
	return endpointView{ID: e.ID, URL: e.URL, Description: e.Description, Ordered: e.Ordered, Created: e.Created,
		PrevSecretUntil: e.PrevUntil, ConsecutiveFailures: e.Failures, BreakerOpenUntil: e.OpenUntil}
}

type endpointIDParam struct {
	ID string `path:"id" maxLength:"100" doc:"The endpoint's id."`
}
