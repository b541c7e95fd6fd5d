package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/api"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// testCenter is a founded center (testkit's roster and charter) on a real
// SQLite store, served over loopback by the interface and the API
// together, as tabadul serve serves them.
type testCenter struct {
	*testcenter.Center // its store, recorder and clock
	t                  testing.TB
	ui                 *Server
	http               *httptest.Server
	logs               *testcenter.Log
}

// testUsers are the users of every web test center: testcenter.Users and
// the officers of SY and RU. Each one's password is
// testcenter.Password(username).
func testUsers() []testcenter.User {
	return append(testcenter.Users(),
		testcenter.User{Name: "sy-officer", Party: "SY", Role: center.Officer},
		testcenter.User{Name: "ru-officer", Party: "RU", Role: center.Officer})
}

// newTestCenter founds the standard test center with testUsers and serves
// it over loopback.
func newTestCenter(t testing.TB) *testCenter {
	t.Helper()
	return serveWeb(t, testcenter.Found(t, testUsers()), Config{})
}

// serveWeb serves tc's interface, configured with cfg, and its API
// together on a loopback port; it adds tc's store, recorder and clock and
// a log to cfg. The log is shown if the test fails.
func serveWeb(t testing.TB, tc *testcenter.Center, cfg Config) *testCenter {
	t.Helper()
	c := &testCenter{t: t, Center: tc, logs: testcenter.NewLog(t)}
	logger := slog.New(slog.NewTextHandler(c.logs, nil))
	apiSrv, err := api.New(api.Config{Store: tc.Store, Recorder: tc.Recorder, Clock: tc.Clock, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatalf("api: %v", err)
	}
	cfg.Store, cfg.Recorder, cfg.Clock, cfg.Logger = tc.Store, tc.Recorder, tc.Clock, logger
	if c.ui, err = New(cfg); err != nil {
		t.Fatalf("web: %v", err)
	}
	c.http = httptest.NewServer(Combine(c.ui.Handler(), apiSrv.Handler()))
	t.Cleanup(c.http.Close)
	return c
}

// principal returns a test user's principal, for writes that set the
// scene through the recorder.
func (c *testCenter) principal(user string) center.Principal { return c.Principal(c.t, user) }

// submit records a report through the write path, to set a scene.
func (c *testCenter) submit(user string, d center.Draft) center.Report {
	c.t.Helper()
	r, err := c.Recorder.SubmitReport(context.Background(), c.principal(user), d)
	if err != nil {
		c.t.Fatalf("submit: %v", err)
	}
	return r
}

// browser is an HTTP client with its own cookies: one user's browser.
type browser struct {
	t      testing.TB
	c      *testCenter
	client *http.Client
	lang   string
}

// page is a response as the browser got it.
type response struct {
	status int
	header http.Header
	body   string
	url    string
}

func (c *testCenter) browser(lang string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: c.t, c: c, client: &http.Client{Jar: jar}, lang: lang}
}

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.c.http.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser sends with a form of the same site.
		req.Header.Set("Origin", b.c.http.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(data), url: res.Request.URL.Path}
}

func (b *browser) get(path string) response { b.t.Helper(); return b.do(http.MethodGet, path, nil) }

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the CSRF token of the forms of a page.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(path).body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// post submits a form from the page at from, with that page's token.
func (b *browser) post(from, path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf(from))
	return b.do(http.MethodPost, path, form)
}

// login signs in and fails the test if that does not work.
func (b *browser) login(user string) {
	b.t.Helper()
	res := b.post("/login", "/login", url.Values{"username": {user}, "password": {testcenter.Password(user)}})
	if res.status != http.StatusOK || res.url != "/" {
		b.t.Fatalf("login %s: %d at %s:\n%s", user, res.status, res.url, res.body)
	}
}
