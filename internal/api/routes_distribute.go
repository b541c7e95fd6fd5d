package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// distributionRoutes registers endpoints, subscriptions and deliveries.
// Reads answer any user of the party; changes only its officers.
func (s *Server) distributionRoutes() {
	tags := []string{"distribution"}
	small := func(op huma.Operation) huma.Operation {
		op.MaxBodyBytes = 64 << 10
		return op
	}
	register(s, small(huma.Operation{
		OperationID: "create-endpoint", Method: http.MethodPost, Path: endpointsPath,
		Summary: "Register an endpoint", Description: "Registers a receiving system of the caller's party. The answer holds the signing secret, shown only this once. Only the party's officers may.",
		Tags: tags, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}), s.createEndpoint)
	register(s, huma.Operation{
		OperationID: "list-endpoints", Method: http.MethodGet, Path: endpointsPath,
		Summary: "List endpoints", Description: "Lists the caller's party's endpoints.",
		Tags: tags, Security: bearerAuth(), Errors: []int{http.StatusUnauthorized},
	}, s.listEndpoints)
	register(s, huma.Operation{
		OperationID: "delete-endpoint", Method: http.MethodDelete, Path: endpointsPath + "/{id}",
		Summary: "Delete an endpoint", Description: "Deletes an endpoint of the caller's party; its pending deliveries are dead-lettered.",
		Tags: tags, Security: bearerAuth(), DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, s.deleteEndpoint)
	register(s, small(huma.Operation{
		OperationID: "rotate-endpoint-secret", Method: http.MethodPost, Path: endpointsPath + "/{id}/rotate",
		Summary: "Rotate an endpoint's secret", Description: "Gives the endpoint a new signing secret, shown only in this answer; the old one keeps signing beside it for the overlap.",
		Tags: tags, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusUnprocessableEntity},
	}), s.rotateEndpointSecret)
	register(s, huma.Operation{
		OperationID: "get-endpoint-health", Method: http.MethodGet, Path: endpointsPath + "/{id}/health",
		Summary: "Get an endpoint's health", Description: "Counts the endpoint's deliveries by state and lists its latest attempts.",
		Tags: tags, Security: bearerAuth(), Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.endpointHealth)
	register(s, small(huma.Operation{
		OperationID: "create-subscription", Method: http.MethodPost, Path: subscriptionsPath,
		Summary: "Subscribe an endpoint", Description: "Subscribes one of the party's endpoints to the changes a filter selects among those the party may see; an empty filter selects them all.",
		Tags: tags, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}), s.createSubscription)
	register(s, huma.Operation{
		OperationID: "list-subscriptions", Method: http.MethodGet, Path: subscriptionsPath,
		Summary: "List subscriptions", Description: "Lists the caller's party's subscriptions.",
		Tags: tags, Security: bearerAuth(), Errors: []int{http.StatusUnauthorized},
	}, s.listSubscriptions)
	register(s, huma.Operation{
		OperationID: "delete-subscription", Method: http.MethodDelete, Path: subscriptionsPath + "/{id}",
		Summary: "Delete a subscription", Description: "Ends a subscription of the caller's party; deliveries already owed still go.",
		Tags: tags, Security: bearerAuth(), DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, s.deleteSubscription)
	register(s, huma.Operation{
		OperationID: "list-deliveries", Method: http.MethodGet, Path: deliveriesPath,
		Summary: "List deliveries", Description: "Lists the caller's party's deliveries, newest first, with their state and last attempt.",
		Tags: tags, Security: bearerAuth(), Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.listDeliveries)
	register(s, huma.Operation{
		OperationID: "redrive-delivery", Method: http.MethodPost, Path: deliveriesPath + "/{id}/redrive",
		Summary: "Redrive a delivery", Description: "Makes a dead-lettered delivery of the party pending again, due now.",
		Tags: tags, Security: bearerAuth(), DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, s.redriveDelivery)
}
