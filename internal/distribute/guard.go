package distribute

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/tabadul/tabadul/internal/center"
)

// A Guard keeps the center's deliveries away from its own network: an
// endpoint that resolves to a loopback, private, link-local (cloud
// metadata), shared, multicast or otherwise non-public address is refused
// unless the operator's allow-list names it. It is checked when an
// endpoint is registered and again on every connection, at the address
// actually dialed, so that a DNS answer changed after registration
// (rebinding) does not get through.
type Guard struct {
	// Allow lists the prefixes the operator permits despite the rule
	// (tests and an internal receiver: 127.0.0.1/32).
	Allow []netip.Prefix
	// Resolver resolves host names at registration; nil means
	// net.DefaultResolver.
	Resolver *net.Resolver
}

// ParseAllowList parses comma-separated addresses and prefixes
// ("127.0.0.1,10.1.0.0/16").
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("distribute: allow-list entry %q: %w", f, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("distribute: allow-list entry %q: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// nonPublic are the ranges no delivery goes to by default, beyond what
// netip's predicates name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // shared address space (carrier NAT)
	netip.MustParsePrefix("192.0.0.0/24"),  // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),  // documentation
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),  // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: may embed a private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"), // 6to4: embeds any IPv4
}

// Allowed reports whether a delivery may connect to a.
func (g Guard) Allowed(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return true
		}
	}
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || !a.IsGlobalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// CheckURL refuses an endpoint URL whose host is, or resolves to, an
// address the guard does not allow: every address it resolves to must be
// allowed.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return center.Invalid("url", "is not a URL")
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !g.Allowed(a) {
			return center.Invalid("url", "%s is not a public address; the operator's allow-list does not name it", a)
		}
		return nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return center.Invalid("url", "host %q does not resolve", host)
	}
	for _, a := range addrs {
		if !g.Allowed(a) {
			return center.Invalid("url", "host %q resolves to %s, which is not a public address; the operator's allow-list does not name it", host, a.Unmap())
		}
	}
	return nil
}

// ErrRefusedAddress is a connection the guard stopped.
var ErrRefusedAddress = fmt.Errorf("distribute: address refused by the SSRF guard")

// Dialer returns a dialer whose every connection is checked against the
// guard at the address dialed.
func (g Guard) Dialer() *net.Dialer {
	return &net.Dialer{
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
			}
			if !g.Allowed(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrRefusedAddress, ap.Addr())
			}
			return nil
		},
	}
}
