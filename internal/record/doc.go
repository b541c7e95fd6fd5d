// Package record is the center's one write path.
//
// Every change of state — founding the center, a user, a token, a report
// version, a revocation, a governance act, a log witness's registration —
// is made by a method of [Recorder], which checks the change against the
// domain rules in package center, writes it and its event in one
// transaction of the [store.Store], and returns once that transaction is
// durable. Nothing else writes state.
package record
