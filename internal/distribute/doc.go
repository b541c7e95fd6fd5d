// Package distribute delivers what each party may see to its own
// systems: signed webhooks from a durable outbox, and the guard that keeps
// them off the center's network.
//
// The outbox is written by the one write path (package record), in the
// transaction that records a report version or a revocation: one inbox
// entry per party in the version's stored audience and one delivery per
// matching subscription. So an accepted report cannot miss a delivery,
// and a delivery cannot reach a party outside the audience.
//
// The [Worker] sends due deliveries at least once: each attempt signs the
// payload under the Standard Webhooks scheme (package webhook), with the
// same webhook-id on every attempt so receivers deduplicate. A 2xx is a
// receipt, recorded through the write path and logged by its batch's
// delivery.receipts event, which the delivery names; anything else
// is retried with exponential backoff and jitter until the horizon, then
// dead-lettered. A per-endpoint concurrency limit and circuit breaker keep
// one slow or failing party from delaying another. Time comes from an
// injected center.Clock, so retries are tested over simulated days.
package distribute
