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
	"time"
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
	// The demo's witnesses cosign the log in the background: the log's page
	// shows the published checkpoint and who cosigned it, and the seed
	// article's page says it is cosigned.
	var logPage string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		req, _ = http.NewRequest(http.MethodGet, s.url+"/transparency", nil)
		if _, logPage = fetch(req); strings.Count(logPage, "<td>да</td>") >= 3 {
			break
		}
	}
	if !strings.Contains(logPage, `class="checkpoint"`) || strings.Count(logPage, "<td>да</td>") < 3 {
		t.Fatalf("no published checkpoint cosigned by the quorum on the log's page:\n%s", logPage)
	}
	link := regexp.MustCompile(`href="(/reports/report--[0-9a-f-]+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no report link in the inbox")
	}
	req, _ = http.NewRequest(http.MethodGet, s.url+link[1], nil)
	if _, page := fetch(req); !strings.Contains(page, "подписан свидетелями") {
		t.Errorf("the seed article's page does not say it is cosigned:\n%s", page)
	}
	// The API is still the API.
	if code, _ := get(t, s.url+"/healthz", ""); code != http.StatusOK {
		t.Errorf("GET /healthz = %d", code)
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM; stderr:\n%s", code, s.stderr)
	}
}
