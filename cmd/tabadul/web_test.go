package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeServesTheWebInterface: tabadul serve answers the web interface
// at /, beside the API, and a demo user signs in with the password the
// demo printed.
func TestServeServesTheWebInterface(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)

	credentials, err := os.ReadFile(filepath.Join(data, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var password string
	for _, line := range strings.Split(string(credentials), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "ru-analyst" {
			password = f[3]
		}
	}
	if password == "" {
		t.Fatalf("no password for ru-analyst in:\n%s", credentials)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	fetch := func(req *http.Request) (*http.Response, string) {
		t.Helper()
		req.Header.Set("Accept-Language", "ru")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	req, _ := http.NewRequest(http.MethodGet, s.url+"/", nil)
	res, body := fetch(req)
	if res.Request.URL.Path != "/login" || !strings.Contains(body, `<html lang="ru" dir="ltr">`) {
		t.Fatalf("GET / ended at %s:\n%s", res.Request.URL.Path, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", body)
	}
	form := url.Values{"_csrf": {m[1]}, "username": {"ru-analyst"}, "password": {password}}
	req, _ = http.NewRequest(http.MethodPost, s.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	res, body = fetch(req)
	if res.Request.URL.Path != "/" || !strings.Contains(body, "Председатель: Ирак до") {
		t.Fatalf("after signing in at %s:\n%s", res.Request.URL.Path, body)
	}
	// The seed article is shared with every member, Russia among them.
	if !strings.Contains(body, "داعش") {
		t.Errorf("the inbox lacks the seed article:\n%s", body)
	}
	// The API is still the API.
	if code, _ := get(t, s.url+"/healthz", ""); code != http.StatusOK {
		t.Errorf("GET /healthz = %d", code)
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM; stderr:\n%s", code, s.stderr)
	}
}
