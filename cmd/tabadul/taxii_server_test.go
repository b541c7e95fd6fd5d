package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tabadul test"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTAXIIOverTLS: with --tls-cert and --tls-key, serve answers
// HTTPS only, and a TAXII client with HTTP Basic credentials (a username
// and an API token) discovers the API root at an https URL.
func TestServeTAXIIOverTLS(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	certFile, keyFile, pool := selfSigned(t)
	s := startServer(t, data, "--tls-cert", certFile, "--tls-key", keyFile)
	defer s.stop(t)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("serving at %s", s.url)
	}
	r := tabadul(t, "", "token", "create", "--data", data, "--user", "sy-analyst", "--label", "taxii")
	if r.code != 0 {
		t.Fatalf("token create: %s", r.stderr)
	}
	token := strings.TrimSpace(r.stdout)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	get := func(url, user, pass string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "application/taxii+json;version=2.1")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Content-Type"), b
	}
	code, ct, body := get(s.url+"/taxii2/", "sy-analyst", token)
	if code != http.StatusOK || ct != "application/taxii+json;version=2.1" {
		t.Fatalf("discovery: %d %s %s", code, ct, body)
	}
	var disc struct {
		APIRoots []string `json:"api_roots"`
	}
	if err := json.Unmarshal(body, &disc); err != nil || len(disc.APIRoots) != 1 || !strings.HasPrefix(disc.APIRoots[0], "https://") {
		t.Fatalf("discovery %s", body)
	}
	code, _, body = get(disc.APIRoots[0]+"collections/", "sy-analyst", token)
	if code != http.StatusOK || !strings.Contains(string(body), `"from-SY"`) {
		t.Fatalf("collections: %d %s", code, body)
	}
	// The wrong password is 401; plain HTTP is not served.
	if code, _, _ := get(s.url+"/taxii2/", "sy-analyst", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", code)
	}
	// A TLS server answers plain HTTP with a 400, never the resource.
	if res, err := http.Get(strings.Replace(s.url, "https://", "http://", 1) + "/taxii2/"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain HTTP served")
		}
	}
	// One TLS flag without the other is a usage error.
	if r := tabadul(t, "", "serve", "--data", data, "--tls-cert", certFile); r.code != 2 || !strings.Contains(r.stderr, "--tls-key") {
		t.Errorf("--tls-cert alone: exit %d %s", r.code, r.stderr)
	}
}

func TestTAXIIDistributionCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	tests := []struct {
		desc string
		args []string
		code int
		out  string
	}{
		{"an officer sets parties", []string{"--user", "iq-officer", "--parties", "ir,RU"}, 0, "shared with parties"},
		{"an officer sets a committee", []string{"--user", "sy-officer", "--committee", "quad"}, 0, "committee quad"},
		{"an analyst may not", []string{"--user", "iq-analyst", "--all"}, 1, "officer"},
		{"an unknown party", []string{"--user", "iq-officer", "--parties", "XX"}, 1, "XX"},
		{"two choices", []string{"--user", "iq-officer", "--all", "--committee", "quad"}, 2, "exactly one"},
		{"no choice", []string{"--user", "iq-officer"}, 2, "exactly one"},
	}
	for _, tt := range tests {
		r := tabadul(t, "", append([]string{"taxii", "distribution", "--data", data}, tt.args...)...)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.out) {
			t.Errorf("%s: exit %d, %q %q", tt.desc, r.code, r.stdout, r.stderr)
		}
	}
}
