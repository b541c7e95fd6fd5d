package lang

import "strconv"

// Kind is what a token is: a word, a number or an observable.
type Kind uint8

// The kinds of token. Observables (IP to CVE) are kept whole, refanged and
// never stemmed.
const (
	Word   Kind = iota // a word in some script
	Number             // digits, possibly with inner '.' or ',' (1.2.3, 3,000)
	IP                 // IPv4 or IPv6, in canonical form
	Domain             // a host name under a known top-level domain
	URL                // http, https or ftp URL (hxxp refanged)
	Email              // local@domain
	Hash               // MD5, SHA-1 or SHA-256 in hex
	CVE                // cve-YYYY-NNNN…
)

var kindNames = [...]string{Word: "word", Number: "number", IP: "ip", Domain: "domain", URL: "url", Email: "email", Hash: "hash", CVE: "cve"}

// String returns the kind's lower-case name, as the CLI and the API show it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// IsObservable reports whether the kind is an observable: an IP, domain,
// URL, email, hash or CVE id.
func (k Kind) IsObservable() bool { return k >= IP && k <= CVE }
