package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

func TestNewValidatesConfig(t *testing.T) {
	c := newTestCenter(t)
	logger := slog.New(slog.DiscardHandler)
	good := Config{Store: c.Store, Recorder: c.Recorder, Clock: c.Clock, Logger: logger}
	cases := []struct {
		desc string
		edit func(*Config)
		want string
	}{
		{"no store", func(c *Config) { c.Store = nil }, "Store is required"},
		{"no recorder", func(c *Config) { c.Recorder = nil }, "Recorder is required"},
		{"no clock", func(c *Config) { c.Clock = nil }, "Clock is required"},
		{"no logger", func(c *Config) { c.Logger = nil }, "Logger is required"},
		{"no body allowed", func(c *Config) {
			c.Recorder = record.NewRecorder(c.Store, c.Clock, center.Limits{})
		}, "limits"},
	}
	for _, tc := range cases {
		cfg := good
		tc.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error mentioning %q", tc.desc, err, tc.want)
		}
	}

	// A registry that already holds the API's metrics is refused, not a
	// panic; a fresh one is used as given.
	reg := prometheus.NewRegistry()
	cfg := good
	cfg.Registry = reg
	if _, err := New(cfg); err != nil {
		t.Fatalf("New with a registry: %v", err)
	}
	if _, err := New(cfg); err == nil {
		t.Error("New registered its metrics twice in one registry")
	}
}

func TestOpenAPIDocument(t *testing.T) {
	c := newTestCenter(t)
	res := c.do(http.MethodGet, openAPIPath, "", nil).want(t, http.StatusOK)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Title, Version string }
		Paths   map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Security    []map[string]any `json:"security"`
		}
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		}
	}
	res.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Info.Title != "Tabadul" || doc.Info.Version != "test" {
		t.Errorf("openapi %q, info %+v", doc.OpenAPI, doc.Info)
	}
	if doc.Components.SecuritySchemes[bearerScheme] == nil {
		t.Error("no bearer security scheme")
	}
	want := map[string]bool{ // method path → needs a token
		"post " + reportsPath:                   true,
		"get " + reportsPath:                    true,
		"get " + reportsPath + "/{id}":          true,
		"put " + reportsPath + "/{id}":          true,
		"get " + reportsPath + "/{id}/versions": true,
		"post " + reportsPath + "/{id}/revoke":  true,
		"get /api/v1/parties":                   true,
		"get /api/v1/committees":                true,
		"get /api/v1/me":                        true,
		"get /healthz":                          false,
		"get /readyz":                           false,
	}
	seen := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			auth, ok := want[method+" "+path]
			if !ok {
				// Another surface's operation: under /api/v1 it needs a
				// token like every other.
				auth = strings.HasPrefix(path, "/api/v1/")
			} else {
				seen++
			}
			if (len(op.Security) > 0) != auth {
				t.Errorf("%s %s: security %v, want token required = %v", method, path, op.Security, auth)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d expected operations documented", seen, len(want))
	}
}

func TestDocsPage(t *testing.T) {
	c := newTestCenter(t)
	res := c.do(http.MethodGet, docsPath, "", nil).want(t, http.StatusOK)
	if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	page := string(res.body)
	for _, forbidden := range []string{"<script", "http://", "https://", "<link", "<img", "<iframe", "style=", "<style", "on" + "load="} {
		if strings.Contains(page, forbidden) {
			t.Errorf("docs page contains %q", forbidden)
		}
	}
	for _, op := range []string{
		"<code>POST</code></td><td><code>/api/v1/reports</code></td><td>Submit a report",
		"<code>GET</code></td><td><code>/api/v1/reports/{id}/versions</code>",
		"<code>PUT</code></td><td><code>/api/v1/reports/{id}</code>",
		"<code>POST</code></td><td><code>/api/v1/reports/{id}/revoke</code>",
		"<code>GET</code></td><td><code>/api/v1/me</code>",
		"<code>GET</code></td><td><code>/readyz</code>",
	} {
		if !strings.Contains(page, op) {
			t.Errorf("docs page lacks %q", op)
		}
	}
	var doc struct {
		Paths map[string]map[string]any
	}
	c.do(http.MethodGet, openAPIPath, "", nil).want(t, http.StatusOK).decode(t, &doc)
	ops := 0
	for _, methods := range doc.Paths {
		ops += len(methods)
	}
	if got := len(regexp.MustCompile(`<tr><td><code>`).FindAllString(page, -1)); got != ops {
		t.Errorf("docs page lists %d operations, the OpenAPI document %d", got, ops)
	}
}

func TestHealth(t *testing.T) {
	c := newTestCenter(t)
	var h health
	c.do(http.MethodGet, "/healthz", "", nil).want(t, http.StatusOK).decode(t, &h)
	if h.Status != "ok" || h.Version != "test" {
		t.Errorf("healthz = %+v", h)
	}
	c.do(http.MethodGet, "/readyz", "", nil).want(t, http.StatusOK).decode(t, &h)
	if h.Status != "ready" || h.Founded == nil || !*h.Founded {
		t.Errorf("readyz = %+v", h)
	}
	// A database that does not answer: not ready, and not a 500.
	if err := c.Store.Close(); err != nil {
		t.Fatal(err)
	}
	if p := c.do(http.MethodGet, "/readyz", "", nil).want(t, http.StatusServiceUnavailable).problem(t); p.Type != problemUnavailable {
		t.Errorf("readyz on a closed store: %+v", p)
	}
	c.do(http.MethodGet, "/healthz", "", nil).want(t, http.StatusOK)
}

func TestMetrics(t *testing.T) {
	c := newTestCenter(t)
	c.submit("iq-analyst", sampleDraft())
	c.submit("sy-analyst", sampleDraft())
	c.do(http.MethodGet, reportsPath, c.token("iq-analyst"), nil).want(t, http.StatusOK)
	c.do(http.MethodGet, reportsPath+"/report--00000000-0000-4000-8000-000000000000", c.token("iq-analyst"), nil).want(t, http.StatusNotFound)
	c.do(http.MethodGet, "/no/such/thing", "", nil).want(t, http.StatusNotFound)
	c.do(http.MethodGet, "/metrics", "", nil).want(t, http.StatusUnauthorized)
	res := c.do(http.MethodGet, "/metrics", c.token("jo-analyst"), nil).want(t, http.StatusOK)
	text := string(res.body)
	for _, want := range []string{
		`tabadul_http_requests_total{route="POST /api/v1/reports",status="201"} 2`,
		`tabadul_http_requests_total{route="GET /api/v1/reports",status="200"} 1`,
		`tabadul_http_requests_total{route="GET /api/v1/reports/{id}",status="404"} 1`,
		`tabadul_http_requests_total{route="unmatched",status="404"} 1`,
		`tabadul_http_requests_total{route="GET /metrics",status="401"} 1`,
		`tabadul_http_request_duration_seconds_count{route="POST /api/v1/reports",status="201"} 2`,
		"tabadul_reports 2",
		"go_goroutines",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestRoster(t *testing.T) {
	c := newTestCenter(t)
	var me identity
	c.do(http.MethodGet, "/api/v1/me", c.token("iq-officer"), nil).want(t, http.StatusOK).decode(t, &me)
	if me.Username != "iq-officer" || me.Party != "IQ" || me.Role != "officer" || me.PartyNames["ar"] != "العراق" || me.PartyNames["ru"] != "Ирак" {
		t.Errorf("me = %+v", me)
	}
	var ps parties
	c.do(http.MethodGet, "/api/v1/parties", c.token("jo-analyst"), nil).want(t, http.StatusOK).decode(t, &ps)
	roster := testkit.Roster()
	if len(ps.Items) != len(roster.Parties) || ps.Items[4].Code != "JO" || ps.Items[4].Kind != "associate" || ps.Items[2].Names["fa"] != "ایران" {
		t.Errorf("parties = %+v", ps.Items)
	}
	var cs committees
	c.do(http.MethodGet, "/api/v1/committees", c.token("jo-analyst"), nil).want(t, http.StatusOK).decode(t, &cs)
	if len(cs.Items) != 2 || cs.Items[0].Code != "regional" || strings.Join(cs.Items[0].Members, ",") != "IQ,SY,JO" {
		t.Errorf("committees = %+v", cs.Items)
	}
}

// TestTokens checks what authentication does besides refusing: it records
// a token's use at most once a minute, and it never logs a token.
func TestTokens(t *testing.T) {
	c := newTestCenter(t)
	tok := c.token("ru-analyst")
	lastUsed := func() *time.Time {
		ts, err := c.Store.Tokens(t.Context(), "ru-analyst")
		if err != nil || len(ts) != 1 {
			t.Fatalf("tokens: %v, %v", ts, err)
		}
		return ts[0].LastUsed
	}
	if lastUsed() != nil {
		t.Fatal("new token already used")
	}
	c.do(http.MethodGet, "/api/v1/me", tok, nil).want(t, http.StatusOK)
	first := lastUsed()
	if first == nil || !first.Equal(testcenter.Start) {
		t.Fatalf("last used %v, want %v", first, testcenter.Start)
	}
	c.Clock.Advance(30 * time.Second)
	c.do(http.MethodGet, "/api/v1/me", tok, nil).want(t, http.StatusOK)
	if got := lastUsed(); !got.Equal(*first) {
		t.Errorf("last used moved to %v within a minute", got)
	}
	c.Clock.Advance(time.Minute)
	c.do(http.MethodGet, "/api/v1/me", tok, nil).want(t, http.StatusOK)
	if got := lastUsed(); !got.Equal(testcenter.Start.Add(90 * time.Second)) {
		t.Errorf("last used %v after a minute", got)
	}

	c.do(http.MethodGet, "/api/v1/me", tok+"x", nil).want(t, http.StatusUnauthorized)
	logs := c.logs.String()
	for user, tok := range c.tokens {
		if strings.Contains(logs, tok) || strings.Contains(logs, tok[len(tok)-12:]) {
			t.Errorf("log holds the token of %s", user)
		}
	}
}

// TestErrorsAreProblems checks the routes that huma does not serve:
// unknown routes and methods everywhere answer in problem+json.
func TestErrorsAreProblems(t *testing.T) {
	c := newTestCenter(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/api/", http.StatusNotFound},
		{http.MethodGet, "/api/v1/reports/", http.StatusNotFound},
		{http.MethodGet, "/api/v1//reports", http.StatusNotFound},
		{http.MethodPost, "/metrics", http.StatusMethodNotAllowed},
		{http.MethodPost, openAPIPath, http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/me", http.StatusMethodNotAllowed},
		{"BREW", "/api/v1/reports", http.StatusMethodNotAllowed},
	} {
		res := c.do(tc.method, tc.path, c.token("iq-analyst"), nil)
		if res.status != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, res.status, tc.status)
			continue
		}
		res.problem(t)
	}
	// HEAD gets the status and headers without a body.
	if res := c.do(http.MethodHead, reportsPath, c.token("iq-analyst"), nil); res.status != http.StatusOK || len(res.body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", res.status, len(res.body))
	}
}

// TestInternalErrorsHideTheirCause makes the store fail under a request
// and checks that the client gets a generic 500 while the log gets the
// cause with the request id.
func TestInternalErrorsHideTheirCause(t *testing.T) {
	c := newTestCenter(t)
	// A closed store fails the first read, the token lookup.
	if err := c.Store.Close(); err != nil {
		t.Fatal(err)
	}
	res := c.do(http.MethodGet, reportsPath, c.token("iq-analyst"), nil).want(t, http.StatusInternalServerError)
	p := res.problem(t)
	if p.Type != problemInternal || p.Detail != internalDetail || len(p.Errors) != 0 {
		t.Errorf("problem = %+v", p)
	}
	if bytes.Contains(res.body, []byte("sqlite")) || bytes.Contains(res.body, []byte("closed")) {
		t.Errorf("problem leaks its cause: %s", res.body)
	}
	logs := c.logs.String()
	if !strings.Contains(logs, "request_id="+res.header.Get("X-Request-Id")) || !strings.Contains(logs, "closed") {
		t.Errorf("log lacks the cause and request id:\n%s", logs)
	}
	var raw map[string]json.RawMessage
	res.decode(t, &raw)
	if _, ok := raw["errors"]; ok {
		t.Error("500 problem lists errors")
	}
}

// TestDisabledUserIsRefused removes the associate JO from the roster by an
// amendment every member approves; its users are then disabled, and their
// tokens stop working.
func TestDisabledUserIsRefused(t *testing.T) {
	c := newTestCenter(t)
	ctx := t.Context()
	jo := c.token("jo-analyst")
	c.do(http.MethodGet, "/api/v1/me", jo, nil).want(t, http.StatusOK)

	for _, p := range []center.PartyCode{"SY", "IR", "RU"} {
		name := strings.ToLower(string(p)) + "-officer"
		if _, err := c.Recorder.CreateUser(ctx, center.User{Username: name, Party: p, Role: center.Officer}, "", testcenter.CheapHashing); err != nil {
			t.Fatal(err)
		}
	}
	a, err := c.Recorder.ProposeAmendment(ctx, c.principal("iq-officer"), govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "JO"})
	if err != nil {
		t.Fatal(err)
	}
	for _, officer := range []string{"iq-officer", "sy-officer", "ir-officer", "ru-officer"} {
		if a, err = c.Recorder.VoteOnAmendment(ctx, c.principal(officer), a.ID, true); err != nil {
			t.Fatalf("vote of %s: %v", officer, err)
		}
	}
	if u, err := c.Store.User(ctx, "jo-analyst"); err != nil || !u.Disabled {
		t.Fatalf("jo-analyst after removal: %+v, %v", u, err)
	}
	p := c.do(http.MethodGet, "/api/v1/me", jo, nil).want(t, http.StatusUnauthorized).problem(t)
	if p.Type != problemUnauthenticated {
		t.Errorf("problem %+v", p)
	}
}
