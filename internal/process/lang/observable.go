package lang

import (
	"net/netip"
	"strconv"
	"strings"
)

// Observables are read by hand-written scanners over the normalized runes
// (no regular expressions): a candidate is the longest run of characters an
// observable can hold, with defanged separators ([.] (.) {.} [dot] (dot)
// [@] (@) [at]) read as what they stand for; the candidate is then
// classified, and if it is no observable the text is read again as words
// and numbers.

// maxURL bounds a URL's length in bytes, maxCandidate any other
// observable's (a domain is at most 253 bytes, an email 254). They bound
// the work of an attempt that fails, too.
const (
	maxURL       = 2048
	maxCandidate = 320
)

// scanObservable tries to read an observable starting at nr[i]. It returns
// the index just past it.
func (a *analyzer) scanObservable(i int) (int, bool) {
	if k, scheme, ok := a.matchScheme(i); ok {
		return a.scanURL(i, k, scheme)
	}
	nr := a.norm.nr
	a.cand, a.cend = a.cand[:0], a.cend[:0]
	for j := i; j < len(nr) && len(a.cand) < maxCandidate; {
		r := nr[j].r
		if isCandidateChar(r) || r == ':' {
			j++
			a.cand = append(a.cand, byte(r))
			a.cend = append(a.cend, j)
			continue
		}
		if c, n := matchDefang(nr, j); n > 0 {
			j += n
			a.cand = append(a.cand, c)
			a.cend = append(a.cend, j)
			continue
		}
		break
	}
	if !mayBeObservable(a.cand) {
		return 0, false // a plain word or number: no need to copy it
	}
	c := trimCandidate(a.cand)
	if c == "" {
		return 0, false
	}
	if strings.IndexByte(c, ':') >= 0 {
		if addr, err := netip.ParseAddr(c); err == nil && addr.Is6() && addr.Zone() == "" {
			return a.emitObservable(i, len(c), addr.String(), IP), true
		}
		c = trimCandidate([]byte(c[:strings.IndexByte(c, ':')]))
		if c == "" {
			return 0, false
		}
	}
	if at := strings.IndexByte(c, '@'); at >= 0 {
		if isEmail(c, at) {
			return a.emitObservable(i, len(c), c, Email), true
		}
		return 0, false
	}
	if n := cveLen(c); n > 0 {
		return a.emitObservable(i, n, c[:n], CVE), true
	}
	if isHash(c) {
		return a.emitObservable(i, len(c), c, Hash), true
	}
	if ip, ok := ipv4(c); ok {
		return a.emitObservable(i, len(c), ip, IP), true
	}
	if isDomain(c) {
		return a.emitObservable(i, len(c), c, Domain), true
	}
	return 0, false
}

// emitObservable adds the observable whose candidate is a.cand[:n], with
// the surface given, and returns the index past it.
func (a *analyzer) emitObservable(i, n int, surface string, kind Kind) int {
	nr := a.norm.nr
	j := a.cend[n-1]
	if surface == string(a.cand[:n]) {
		// Not refanged nor rewritten: share the normalized text's bytes.
		if s := a.ns[nr[i].nb : nr[j-1].nb+1]; s == surface {
			surface = s
		}
	}
	a.push(rawToken{surface: surface, start: int(nr[i].start), end: int(nr[j-1].end), kind: kind})
	return j
}

// mayBeObservable rules out, without allocating, the candidates that are
// plain words or numbers: every observable but a hash has a '.', '@', ':'
// or is a CVE id.
func mayBeObservable(c []byte) bool {
	n := len(c)
	for n > 0 && strings.IndexByte(".-_:@+", c[n-1]) >= 0 {
		n--
	}
	c = c[:n]
	if n == 32 || n == 40 || n == 64 || n >= 13 && string(c[:4]) == "cve-" {
		return true
	}
	for _, b := range c {
		if b == '.' || b == '@' || b == ':' {
			return true
		}
	}
	return false
}

// trimCandidate drops the characters an observable cannot end with: the
// full stop after a domain at the end of a sentence, and the like.
func trimCandidate(c []byte) string {
	n := len(c)
	for n > 0 && strings.IndexByte(".-_:@+", c[n-1]) >= 0 {
		n--
	}
	return string(c[:n])
}

// matchDefang reads a defanged separator at nr[j]: it returns the character
// it stands for and how many runes it spans, or 0.
func matchDefang(nr []nrune, j int) (byte, int) {
	if j >= len(nr) {
		return 0, 0
	}
	var closer rune
	switch nr[j].r {
	case '[':
		closer = ']'
	case '(':
		closer = ')'
	case '{':
		closer = '}'
	default:
		return 0, 0
	}
	var inner [4]byte
	k := 0
	for m := j + 1; m < len(nr) && m <= j+4; m++ {
		r := nr[m].r
		if r == closer {
			switch string(inner[:k]) {
			case ".", "dot":
				return '.', m - j + 1
			case "@", "at":
				if closer == ')' && k == 2 {
					return 0, 0 // "(at)" is too common in prose
				}
				return '@', m - j + 1
			}
			return 0, 0
		}
		if r >= 0x80 || k == len(inner) {
			return 0, 0
		}
		inner[k] = byte(r)
		k++
	}
	return 0, 0
}

// matchScheme reads a URL scheme and its "://" (or defanged "[:]//",
// "[://]") at nr[i]: it returns the index after it and the canonical scheme.
func (a *analyzer) matchScheme(i int) (int, string, bool) {
	nr := a.norm.nr
	var buf [6]byte
	k := 0
	j := i
	for ; j < len(nr) && k < len(buf); j++ {
		r := nr[j].r
		if r < 'a' || r > 'z' {
			break
		}
		buf[k] = byte(r)
		k++
	}
	var scheme string
	switch string(buf[:k]) {
	case "http", "hxxp", "hxtp", "htxp":
		scheme = "http"
	case "https", "hxxps", "hxtps", "htxps":
		scheme = "https"
	case "ftp", "fxp":
		scheme = "ftp"
	case "sftp":
		scheme = "sftp"
	default:
		return 0, "", false
	}
	for _, sep := range []string{"://", "[:]//", "[://]", "[:]/ /"} {
		if hasRunes(nr, j, sep) {
			return j + len(sep), scheme, true
		}
	}
	return 0, "", false
}

func hasRunes(nr []nrune, j int, s string) bool {
	if j+len(s) > len(nr) {
		return false
	}
	for k := 0; k < len(s); k++ {
		if nr[j+k].r != rune(s[k]) {
			return false
		}
	}
	return true
}

// scanURL reads a URL whose scheme ended at nr[k]. It stops at white
// space, at a character a URL cannot hold, or at a non-ASCII rune, and
// drops trailing punctuation (a closing bracket only when unbalanced).
func (a *analyzer) scanURL(i, k int, scheme string) (int, bool) {
	nr := a.norm.nr
	a.cand, a.cend = a.cand[:0], a.cend[:0]
	for j := k; j < len(nr) && len(a.cand) < maxURL; {
		r := nr[j].r
		if c, n := matchDefang(nr, j); n > 0 {
			j += n
			a.cand = append(a.cand, c)
			a.cend = append(a.cend, j)
			continue
		}
		if r <= ' ' || r >= 0x7F || strings.ContainsRune("\"<>\\^`{|}", r) {
			break
		}
		j++
		a.cand = append(a.cand, byte(r))
		a.cend = append(a.cend, j)
	}
	// Brackets still open minus closed, kept as the end is trimmed.
	var paren, square int
	for _, c := range a.cand {
		switch c {
		case '(':
			paren++
		case ')':
			paren--
		case '[':
			square++
		case ']':
			square--
		}
	}
	n := len(a.cand)
	for n > 0 {
		c := a.cand[n-1]
		switch {
		case strings.IndexByte(".,;:!?'*", c) >= 0:
		case c == ')' && paren < 0:
			paren++
		case c == ']' && square < 0:
			square++
		default:
			goto trimmed
		}
		n--
	}
trimmed:
	rest := string(a.cand[:n])
	if !validURLHost(rest) {
		return 0, false
	}
	j := a.cend[n-1]
	a.push(rawToken{surface: scheme + "://" + rest, start: int(nr[i].start), end: int(nr[j-1].end), kind: URL})
	return j, true
}

// validURLHost checks the authority of a URL after its "://": a host name,
// an IPv4 address or a bracketed IPv6 address, with an optional user and
// port.
func validURLHost(rest string) bool {
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return false
		}
		addr, err := netip.ParseAddr(host[1:end])
		return err == nil && addr.Is6()
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		if _, err := strconv.ParseUint(host[i+1:], 10, 16); err != nil && host[i+1:] != "" {
			return false
		}
		host = host[:i]
	}
	if host == "" || host[0] == '.' || host[len(host)-1] == '.' {
		return false
	}
	letter := false
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case 'a' <= c && c <= 'z':
			letter = true
		case '0' <= c && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	if !letter {
		_, ok := ipv4(host)
		return ok
	}
	return true
}

// ipv4 returns the canonical form of a dotted-quad IPv4 address (leading
// zeros dropped), if s is one.
func ipv4(s string) (string, bool) {
	var parts [4]string
	n := 0
	for p := range strings.SplitSeq(s, ".") {
		if n == 4 || p == "" || len(p) > 3 {
			return "", false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return "", false
			}
		}
		v, _ := strconv.Atoi(p)
		if v > 255 {
			return "", false
		}
		parts[n] = strconv.Itoa(v)
		n++
	}
	if n != 4 {
		return "", false
	}
	return parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3], true
}

// isHash: 32, 40 or 64 hex digits (MD5, SHA-1, SHA-256).
func isHash(s string) bool {
	if len(s) != 32 && len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// cveLen returns the length of the CVE id that s starts with
// (cve-YYYY-NNNN…), or 0. The id must not run into more letters or digits.
func cveLen(s string) int {
	if len(s) < 13 || !strings.HasPrefix(s, "cve-") {
		return 0
	}
	for i := 4; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
	}
	if s[8] != '-' {
		return 0
	}
	n := 9
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	if n-9 < 4 || n < len(s) && isASCIIAlnum(rune(s[n])) {
		return 0
	}
	return n
}

// isEmail: local@domain, the local part of letters, digits and . _ + -
// (not starting or ending with '.'), the domain a domain.
func isEmail(s string, at int) bool {
	local, domain := s[:at], s[at+1:]
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.IndexByte(domain, '@') >= 0 {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !isASCIIAlnum(rune(c)) && strings.IndexByte("._+-", c) < 0 {
			return false
		}
	}
	return isDomain(domain)
}

// isDomain: two or more labels of letters, digits and inner hyphens, the
// last a known top-level domain. A two-label name whose TLD is also a
// common file extension (readme.md, setup.sh, video.mov) is a file name.
func isDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := 0
	last := ""
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isASCIIAlnum(rune(l[i])) && l[i] != '-' {
				return false
			}
		}
		labels++
		last = l
	}
	if labels < 2 || !isTLD(last) {
		return false
	}
	if labels == 2 && fileExtensionTLDs[last] {
		return false
	}
	return true
}
