package testkit

import (
	"crypto/ed25519"
	"crypto/rand"

	"filippo.io/torchwood"
)

// WitnessVKey returns the c2sp.org/tlog-cosignature verifier key of a new
// witness key named name, for tests that register witnesses without
// running them.
func WitnessVKey(name string) string {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	s, err := torchwood.NewCosignatureSigner(name, priv)
	if err != nil {
		panic(err)
	}
	return s.Verifier().String()
}
