package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// testCenter is a founded center (testcenter.Found) served over loopback
// by a real Server, with one token per test user.
type testCenter struct {
	*testcenter.Center // its store, recorder and clock
	t                  testing.TB
	server             *Server
	http               *httptest.Server
	client             *http.Client
	tokens             map[string]string // username → bearer token
	logs               *testcenter.Log
}

// newTestCenter founds the standard test center with testcenter.Users,
// issues each user a token, and serves the API on a loopback port. The
// server's log goes to a buffer, shown if the test fails.
func newTestCenter(t testing.TB) *testCenter {
	t.Helper()
	return serveAPI(t, testcenter.Found(t, testcenter.Users()), Config{})
}

// serveAPI issues a token to each of testcenter.Users, which tc must
// have, and serves tc's API on a loopback port with cfg, to which it adds
// tc's store, recorder and clock and a debug log.
func serveAPI(t testing.TB, tc *testcenter.Center, cfg Config) *testCenter {
	t.Helper()
	c := &testCenter{t: t, Center: tc, logs: testcenter.NewLog(t)}
	c.tokens = testcenter.IssueTokens(t, tc.Recorder, "test", testcenter.Users())
	cfg.Store, cfg.Recorder, cfg.Clock, cfg.Version = tc.Store, tc.Recorder, tc.Clock, "test"
	cfg.Logger = slog.New(slog.NewTextHandler(c.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	if c.server, err = New(cfg); err != nil {
		t.Fatalf("new server: %v", err)
	}
	c.http = httptest.NewServer(c.server.Handler())
	t.Cleanup(c.http.Close)
	c.client = c.http.Client()
	// An API answers; it does not bounce. Tests see redirects as they are.
	c.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// token returns the bearer token of a test user.
func (c *testCenter) token(user string) string {
	c.t.Helper()
	tok, ok := c.tokens[user]
	if !ok {
		c.t.Fatalf("no test user %q", user)
	}
	return tok
}

// principal returns the principal of a test user, for calls of the
// recorder that skip HTTP.
func (c *testCenter) principal(user string) center.Principal { return c.Principal(c.t, user) }

// response is what the server answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request is a request to send; do and doRequest fill in the rest.
type request struct {
	method, path, token string
	// contentType defaults to application/json when there is a body.
	contentType string
	// authorization, if set, is sent as the Authorization header instead of
	// "Bearer " + token.
	authorization string
	body          []byte
}

// do sends method path with token (none if empty) and body: nil for none,
// []byte or string as is, anything else as JSON.
func (c *testCenter) do(method, path, token string, body any) *response {
	c.t.Helper()
	req := request{method: method, path: path, token: token}
	switch b := body.(type) {
	case nil:
	case []byte:
		req.body = b
	case string:
		req.body = []byte(b)
	default:
		var err error
		if req.body, err = json.Marshal(b); err != nil {
			c.t.Fatalf("marshal body: %v", err)
		}
	}
	return c.doRequest(req)
}

// doRequest sends req over loopback and reads the whole answer.
func (c *testCenter) doRequest(req request) *response {
	c.t.Helper()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := http.NewRequest(req.method, c.http.URL+req.path, body)
	if err != nil {
		c.t.Fatalf("new request %s %s: %v", req.method, req.path, err)
	}
	if req.body != nil {
		ct := req.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	switch {
	case req.authorization != "":
		hr.Header.Set("Authorization", req.authorization)
	case req.token != "":
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	res, err := c.client.Do(hr)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading body: %v", req.method, req.path, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: b}
}

// want fails the test unless the answer has the status.
func (r *response) want(t testing.TB, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %.2000s", r.status, status, r.body)
	}
	return r
}

// decode decodes the JSON body into v.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %.500s: %v", r.body, err)
	}
}

// report decodes a report body.
func (r *response) report(t testing.TB) report {
	t.Helper()
	var rep report
	r.decode(t, &rep)
	return rep
}

// page decodes a report list.
func (r *response) page(t testing.TB) reportPage {
	t.Helper()
	var p reportPage
	r.decode(t, &p)
	return p
}

// problemBody is an RFC 9457 problem as a client reads it.
type problemBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Errors   []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

// problem checks that the answer is a well-formed problem and decodes it.
func (r *response) problem(t testing.TB) problemBody {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body: %.500s", ct, r.body)
	}
	var p problemBody
	r.decode(t, &p)
	if p.Status != r.status {
		t.Errorf("problem status %d, HTTP status %d", p.Status, r.status)
	}
	if !strings.HasPrefix(p.Type, "urn:tabadul:problem:") || p.Title == "" || p.Detail == "" {
		t.Errorf("incomplete problem: %+v", p)
	}
	if !strings.HasPrefix(p.Instance, "urn:uuid:") || strings.TrimPrefix(p.Instance, "urn:uuid:") != r.header.Get("X-Request-Id") {
		t.Errorf("problem instance %q does not name request %q", p.Instance, r.header.Get("X-Request-Id"))
	}
	return p
}

// sampleDraft is a valid submission, as a map so that tests can break it
// field by field.
func sampleDraft() map[string]any {
	return map[string]any{
		"title":        "تحركات قرب الحدود",
		"body":         "سعت الحكومة العراقية إلى النأي بنفسها عن أي تحالف عسكري جديد لمواجهة داعش.",
		"language":     "ar",
		"tlp":          "GREEN",
		"distribution": map[string]any{"all": true},
		"reliability":  "B",
		"credibility":  "2",
		"tags":         []string{"border", "داعش"},
		"observed_at":  "2026-11-28T10:00:00Z",
	}
}

// with returns a copy of m with key set to v, or removed if v is nil.
func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		out[k] = x
	}
	if v == nil {
		delete(out, key)
	} else {
		out[key] = v
	}
	return out
}

// submit posts a draft as user and returns the stored report.
func (c *testCenter) submit(user string, d map[string]any) report {
	c.t.Helper()
	return c.do(http.MethodPost, reportsPath, c.token(user), d).want(c.t, http.StatusCreated).report(c.t)
}

// storeState is what the database holds, as far as the tests count it.
type storeState struct {
	reports  int64
	events   int
	versions map[string]int
	revoked  map[string]bool
}

// state counts reports and events, and the versions and revocation of
// the given reports as their source party IQ sees them.
func (c *testCenter) state(ids ...string) storeState {
	c.t.Helper()
	ctx := context.Background()
	s := storeState{versions: map[string]int{}, revoked: map[string]bool{}}
	var err error
	if s.reports, err = c.Store.CountReports(ctx); err != nil {
		c.t.Fatalf("count reports: %v", err)
	}
	evs, err := c.Store.Events(ctx, 0, 1<<30)
	if err != nil {
		c.t.Fatalf("events: %v", err)
	}
	s.events = len(evs)
	for _, id := range ids {
		vs, err := c.Store.Versions(ctx, "IQ", id)
		if err != nil {
			c.t.Fatalf("versions of %s: %v", id, err)
		}
		s.versions[id] = len(vs)
		s.revoked[id] = vs[len(vs)-1].Revoked != nil
	}
	return s
}
