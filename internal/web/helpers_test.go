package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/api"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/secret"
	"github.com/tabadul/tabadul/internal/testkit"
)

// testCenter is a founded center (testkit's roster and charter) on a real
// SQLite store, served over loopback by the interface and the API
// together, as tabadul serve serves them.
type testCenter struct {
	t     testing.TB
	store *sqlite.Store
	rec   *record.Recorder
	clock *testkit.Clock
	ui    *Server
	http  *httptest.Server
	logs  *syncBuffer
}

// testStart is when the test centers' clock starts: the day the charter's
// first term, Iraq's, begins; it ends on 1 March 2027.
var testStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// cheapParams make password hashing cost nothing in tests.
var cheapParams = secret.Params{Time: 1, MemKiB: 64, Threads: 1}

// testUsers are the users of every test center; each one's password is
// password(username).
var testUsers = []struct {
	name  string
	party center.PartyCode
	role  center.Role
}{
	{"iq-analyst", "IQ", center.Analyst},
	{"iq-officer", "IQ", center.Officer},
	{"sy-analyst", "SY", center.Analyst},
	{"sy-officer", "SY", center.Officer},
	{"ir-analyst", "IR", center.Analyst},
	{"ru-analyst", "RU", center.Analyst},
	{"ru-officer", "RU", center.Officer},
	{"jo-analyst", "JO", center.Analyst},
}

func password(user string) string { return "password of " + user }

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestCenter(t testing.TB) *testCenter {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	clock := testkit.NewClock(testStart)
	rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatalf("found: %v", err)
	}
	for _, u := range testUsers {
		if _, err := rec.CreateUser(ctx, center.User{Username: u.name, Party: u.party, Role: u.role}, password(u.name), cheapParams); err != nil {
			t.Fatalf("create user %s: %v", u.name, err)
		}
	}
	c := &testCenter{t: t, store: st, rec: rec, clock: clock, logs: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(c.logs, nil))
	apiSrv, err := api.New(api.Config{Store: st, Recorder: rec, Clock: clock, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatalf("api: %v", err)
	}
	if c.ui, err = New(Config{Store: st, Recorder: rec, Clock: clock, Logger: logger}); err != nil {
		t.Fatalf("web: %v", err)
	}
	c.http = httptest.NewServer(Combine(c.ui.Handler(), apiSrv.Handler()))
	t.Cleanup(c.http.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", c.logs.String())
		}
	})
	return c
}

// principal returns a test user's principal, for writes that set the
// scene through the recorder.
func (c *testCenter) principal(user string) center.Principal {
	c.t.Helper()
	u, err := c.store.User(context.Background(), user)
	if err != nil {
		c.t.Fatalf("user %s: %v", user, err)
	}
	return center.Principal{User: u}
}

// submit records a report through the write path, to set a scene.
func (c *testCenter) submit(user string, d center.Draft) center.Report {
	c.t.Helper()
	r, err := c.rec.SubmitReport(context.Background(), c.principal(user), d)
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
	res := b.post("/login", "/login", url.Values{"username": {user}, "password": {password(user)}})
	if res.status != http.StatusOK || res.url != "/" {
		b.t.Fatalf("login %s: %d at %s:\n%s", user, res.status, res.url, res.body)
	}
}
