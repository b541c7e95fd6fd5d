package stix

import "github.com/tabadul/tabadul/internal/record"

// RecordInput turns a checked object into what the write path records,
// as Import does: its TLP from its markings, a STIX report mapped to its
// Tabadul draft. The error is a *Rejection when the object cannot be
// recorded. For callers that receive objects one by one (the TAXII
// server's envelopes) instead of as a bundle.
func RecordInput(o Object) (record.STIXInput, error) {
	in, rej := input(o)
	if rej != nil {
		return in, rej
	}
	return in, nil
}
