package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeSeedsTheEntityRegistry: the demo comes up with the registry
// seeded and the seed article linked to the places and groups it names.
func TestServeSeedsTheEntityRegistry(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	defer s.stop(t)
	r := tabadul(t, "", "token", "create", "--data", data, "--user", "iq-analyst")
	if r.code != 0 {
		t.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	token := strings.TrimSpace(r.stdout)

	code, body := get(t, s.url+"/api/v1/entities/group--isis", token)
	if code != http.StatusOK {
		t.Fatalf("GET the seeded group = %d %v", code, body)
	}
	page := body.(map[string]any)
	if n, _ := page["reports"].(float64); n != 1 {
		t.Errorf("the seed article should name داعش once among the reports; page %v", page)
	}
	code, body = get(t, s.url+"/api/v1/entities?q=%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82", token) // العراق
	items, _ := body.(map[string]any)["items"].([]any)
	if code != http.StatusOK || len(items) == 0 || items[0].(map[string]any)["id"] != "location--IQ" {
		t.Errorf("lookup of العراق = %d %v", code, body)
	}
}
