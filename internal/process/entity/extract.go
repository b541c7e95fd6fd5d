package entity

import (
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Extract returns what a report version's analyzed text links to: its
// entity mentions (by m; none if m is nil), its observables, and its
// near-duplicate signature.
func Extract(m *Matcher, text string, toks []lang.Token) store.Extraction {
	sig, bands := Signature(toks)
	return store.Extraction{Mentions: m.Match(text, toks), Observables: Observables(toks), Signature: sig, Bands: bands}
}
