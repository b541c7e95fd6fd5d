package center

import (
	"net/url"
	"strings"
)

// A Witness is a party's witness of the center's transparency log
// (c2sp.org/tlog-witness): it cosigns a checkpoint only if it extends the
// last one it cosigned. Each party has at most one. The charter may name
// it; otherwise the operator registers it once; after that only an
// amendment (set_witness) gives it another key.
type Witness struct {
	Party PartyCode
	// VKey is the witness's c2sp.org/tlog-cosignature verifier key; its
	// name is the witness's name.
	VKey string
	// URL is the witness's submission prefix; add-checkpoint is POSTed to
	// URL + "/add-checkpoint".
	URL string
}

// ValidWitnessURL reports whether u can be a witness's URL: http or https,
// with a host, and no query or fragment (add-checkpoint is appended to it).
func ValidWitnessURL(u string) bool {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && p.Host != "" && p.RawQuery == "" && p.Fragment == "" && p.User == nil
}
