package center

import "strings"

// TLP is a Traffic Light Protocol 2.0 marking.
type TLP string

// The TLP 2.0 markings, from least to most restricted.
const (
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// TLPs lists the markings from least to most restricted.
var TLPs = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// ParseTLP accepts a marking in any case, with or without the "TLP:" prefix.
func ParseTLP(s string) (TLP, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "TLP:")
	for _, t := range TLPs {
		if string(t) == u {
			return t, true
		}
	}
	return "", false
}

// Reliability is the Admiralty code's source reliability, A (completely
// reliable) to F (cannot be judged).
type Reliability string

// Valid reports whether r is one of A–F.
func (r Reliability) Valid() bool { return len(r) == 1 && r[0] >= 'A' && r[0] <= 'F' }

// Credibility is the Admiralty code's information credibility, 1 (confirmed)
// to 6 (cannot be judged).
type Credibility string

// Valid reports whether c is one of 1–6.
func (c Credibility) Valid() bool { return len(c) == 1 && c[0] >= '1' && c[0] <= '6' }
