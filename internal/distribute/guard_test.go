package distribute

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
)

func TestGuardAllowed(t *testing.T) {
	allow, err := ParseAllowList("127.0.0.1, 10.9.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr      string
		plain, op bool // allowed without, and with, the allow-list
	}{
		{"8.8.8.8", true, true},
		{"2606:4700:4700::1111", true, true},
		{"127.0.0.1", false, true},
		{"127.0.0.2", false, false},
		{"::1", false, false},
		{"::ffff:127.0.0.1", false, true},
		{"10.0.0.1", false, false},
		{"10.9.3.4", false, true},
		{"172.16.0.1", false, false},
		{"192.168.1.1", false, false},
		{"169.254.169.254", false, false}, // cloud metadata
		{"fd00:ec2::254", false, false},   // AWS metadata over IPv6
		{"fe80::1", false, false},
		{"100.64.0.1", false, false},
		{"0.0.0.0", false, false},
		{"224.0.0.1", false, false},
		{"255.255.255.255", false, false},
		{"64:ff9b::a00:1", false, false}, // NAT64 of 10.0.0.1
	}
	for _, tc := range tests {
		a := netip.MustParseAddr(tc.addr)
		if got := (Guard{}).Allowed(a); got != tc.plain {
			t.Errorf("Allowed(%s) = %v, want %v", tc.addr, got, tc.plain)
		}
		if got := (Guard{Allow: allow}).Allowed(a); got != tc.op {
			t.Errorf("with the allow-list, Allowed(%s) = %v, want %v", tc.addr, got, tc.op)
		}
	}
	if _, err := ParseAllowList("not-an-ip"); err == nil {
		t.Error("a bad allow-list entry parsed")
	}
}

func TestGuardCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/"} {
		if err := (Guard{}).CheckURL(ctx, u); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("CheckURL(%s) = %v, want ErrInvalid", u, err)
		}
	}
	if err := (Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}).CheckURL(ctx, "http://127.0.0.1:8080/x"); err != nil {
		t.Errorf("allow-listed: %v", err)
	}
}

// TestGuardDialer: the check at connection time stops a request the
// registration check would not see (a name that resolves differently
// later).
func TestGuardDialer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	cfg := Config{Store: nil}
	cfg.Guard = Guard{}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = cfg.Guard.Dialer().DialContext
	_, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if !errors.Is(err, ErrRefusedAddress) {
		t.Fatalf("dial to loopback: err = %v, want ErrRefusedAddress", err)
	}
	tr2 := tr.Clone()
	tr2.DialContext = Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}.Dialer().DialContext
	resp, err := (&http.Client{Transport: tr2}).Get(srv.URL)
	if err != nil {
		t.Fatalf("allow-listed dial: %v", err)
	}
	resp.Body.Close()
}
