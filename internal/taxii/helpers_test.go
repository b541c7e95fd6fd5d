package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// testCenter is a founded center (testcenter.Found), its TAXII server
// served over loopback, with one API token per test user.
type testCenter struct {
	*testcenter.Center // its store, recorder and clock
	t                  testing.TB
	server             *Server
	http               *httptest.Server
	tokens             map[string]string
	logs               *testcenter.Log
}

// newTestCenter founds the standard test center with testcenter.Users,
// issues each user a token, and serves TAXII on a loopback port, its
// configuration changed by tune if not nil. The server's log is shown if
// the test fails.
func newTestCenter(t testing.TB, tune func(*Config)) *testCenter {
	t.Helper()
	tc := testcenter.Found(t, testcenter.Users())
	c := &testCenter{t: t, Center: tc, logs: testcenter.NewLog(t)}
	c.tokens = testcenter.IssueTokens(t, tc.Recorder, "taxii", testcenter.Users())
	cfg := Config{Store: tc.Store, Recorder: tc.Recorder, Clock: tc.Clock, Logger: slog.New(slog.NewTextHandler(c.logs, nil))}
	if tune != nil {
		tune(&cfg)
	}
	var err error
	if c.server, err = New(context.Background(), cfg); err != nil {
		t.Fatalf("new server: %v", err)
	}
	t.Cleanup(c.server.Close)
	c.http = httptest.NewServer(c.server.Handler())
	t.Cleanup(c.http.Close)
	return c
}

// principal returns a test user's principal.
func (c *testCenter) principal(user string) center.Principal { return c.Principal(c.t, user) }

// seed records objects as user's party with the distribution, through the
// importer, and returns them in order.
func (c *testCenter) seed(user string, dist center.Distribution, objs ...string) {
	c.t.Helper()
	bundle := `{"type":"bundle","id":"bundle--` + uuid.NewString() + `","objects":[` + strings.Join(objs, ",") + `]}`
	im := stix.Importer{Recorder: c.Recorder, Store: c.Store}
	sum, err := im.Import(context.Background(), c.principal(user),
		func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(bundle)), nil },
		stix.Options{Distribution: dist, DefaultTLP: center.TLPGreen})
	if err != nil {
		c.t.Fatalf("seed: %v", err)
	}
	if len(sum.Rejected) > 0 {
		c.t.Fatalf("seed rejected: %+v", sum.Rejected)
	}
}

// indicator returns an indicator object with the given id and modified
// time, name telling it apart.
func indicator(id, modified, name string) string {
	return fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":"2026-01-01T00:00:00.000Z","modified":%q,`+
		`"name":%q,"pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`, id, modified, name)
}

func newID(typ string) string { return typ + "--" + uuid.NewString() }

// A req is one request of a test.
type req struct {
	method, path, user string
	// bearer sends the token as Bearer instead of Basic.
	bearer bool
	// auth, if set, is the whole Authorization header.
	auth        string
	accept      string
	contentType string
	body        []byte
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r *resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request over loopback and checks what every TAXII response
// must be: its Content-Type, compared token by token as clients do, and
// for an error a TAXII error resource with the status.
func (c *testCenter) do(q req) *resp {
	c.t.Helper()
	url := q.path
	if !strings.HasPrefix(url, "http") {
		url = c.http.URL + q.path
	}
	var body io.Reader
	if q.body != nil {
		body = bytes.NewReader(q.body)
	}
	hr, err := http.NewRequest(q.method, url, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if q.body != nil {
		ct := q.contentType
		if ct == "" {
			ct = taxiiMediaType
		}
		hr.Header.Set("Content-Type", ct)
	}
	hr.Header.Set("Accept", "application/taxii+json;version=2.1")
	if q.accept != "" {
		hr.Header.Set("Accept", q.accept)
	}
	switch {
	case q.auth != "":
		hr.Header.Set("Authorization", q.auth)
	case q.user != "" && q.bearer:
		hr.Header.Set("Authorization", "Bearer "+c.tokens[q.user])
	case q.user != "":
		hr.SetBasicAuth(q.user, c.tokens[q.user])
	}
	res, err := c.http.Client().Do(hr)
	if err != nil {
		c.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, body: b}
	checkMediaType(c.t, q, out)
	if out.status >= 400 {
		var e struct {
			Title      string `json:"title"`
			HTTPStatus string `json:"http_status"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Title == "" || e.HTTPStatus != fmt.Sprint(out.status) {
			c.t.Errorf("%s %s: %d is not a TAXII error resource: %s", q.method, q.path, out.status, b)
		}
	}
	return out
}

// checkMediaType compares Content-Type token by token:
// application/taxii+json and version=2.1.
func checkMediaType(t testing.TB, q req, r *resp) {
	t.Helper()
	ct := r.header.Get("Content-Type")
	parts := strings.Split(ct, ";")
	if len(parts) != 2 || strings.TrimSpace(parts[0]) != "application/taxii+json" || strings.TrimSpace(parts[1]) != "version=2.1" {
		t.Errorf("%s %s (%d): Content-Type %q, want application/taxii+json;version=2.1", q.method, q.path, r.status, ct)
	}
	if mt, params, err := mime.ParseMediaType(ct); err != nil || mt != "application/taxii+json" || params["version"] != "2.1" {
		t.Errorf("%s %s: Content-Type %q does not parse as TAXII 2.1", q.method, q.path, ct)
	}
}

func (c *testCenter) get(user, path string) *resp {
	c.t.Helper()
	return c.do(req{method: http.MethodGet, path: path, user: user})
}

// wantStatus fails unless r has the status.
func wantStatus(t testing.TB, r *resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}

const root = "/taxii2/center/"

func colPath(col string) string { return root + "collections/" + col + "/" }

// envelope is what the objects endpoints answer.
type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

// ids returns the ids and versions of an envelope's objects, as "id@modified".
func (e envelope) ids(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, raw := range e.Objects {
		var o struct{ ID, Modified string }
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o.ID+"@"+o.Modified)
	}
	return out
}
