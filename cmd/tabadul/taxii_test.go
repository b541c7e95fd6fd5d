package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTAXIISubscribeAndPull(t *testing.T) {
	data := newCenterDir(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "peer" || p != "tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		w.Header().Set("X-TAXII-Date-Added-Last", "2026-11-01T00:00:00.000Z")
		if r.URL.Query().Get("added_after") != "" {
			fmt.Fprint(w, `{"more":false,"objects":[]}`)
			return
		}
		fmt.Fprint(w, `{"more":false,"objects":[{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"},
			{"type":"domain-name","spec_version":"2.1","id":"domain-name--dd686e37-6889-53bd-8ae1-b1a503452613","value":"c2.example"}]}`)
	}))
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("tok\n"), 0o600)
	r := tabadul(t, "", "taxii", "add", "--party", "IQ", "--api-root", srv.URL+"/api1/", "--collection", "c1", "--user", "peer", "--secret-file", secret, "--data", data)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "taxii-remote--") {
		t.Fatalf("add: %+v", r)
	}
	if fi, err := os.Stat(filepath.Join(data, "collect.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	r = tabadul(t, "", "taxii", "pull", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "imported: 2") {
		t.Fatalf("pull: %+v", r)
	}
	r = tabadul(t, "", "taxii", "pull", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "imported: 0") {
		t.Fatalf("second pull: %+v", r)
	}
	r = tabadul(t, "", "taxii", "list", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, `added_after="2026-11-01T00:00:00.000Z"`) || strings.Contains(r.stdout, "tok") {
		t.Fatalf("list: %+v", r)
	}
}
