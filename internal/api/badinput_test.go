package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBadInput sends malformed, hostile and unauthorized requests and
// checks that each is refused with the right status and problem type, and
// that none of them changes what the store holds.
func TestBadInput(t *testing.T) {
	c := newTestCenter(t)
	ctx := context.Background()
	shared := c.submit("iq-analyst", sampleDraft()) // all members: SY sees it, JO does not
	narrow := c.submit("iq-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"RU"}}))

	expiring, _, err := c.Recorder.IssueToken(ctx, "sy-analyst", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	revokedTok, tok, err := c.Recorder.IssueToken(ctx, "sy-analyst", "revoked", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Recorder.RevokeToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	c.Clock.Advance(2 * time.Hour)

	iq, sy, ir, jo := c.token("iq-analyst"), c.token("sy-analyst"), c.token("ir-analyst"), c.token("jo-analyst")
	post := func(body []byte) request {
		return request{method: http.MethodPost, path: reportsPath, token: iq, body: body}
	}
	get := func(path string) request { return request{method: http.MethodGet, path: path, token: iq} }
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	mutate := func(key string, v any) []byte { return mustJSON(t, with(sampleDraft(), key, v)) }
	dist := func(d any) []byte { return mustJSON(t, with(sampleDraft(), "distribution", d)) }
	valid := mustJSON(t, sampleDraft())

	type errorAt struct{ location, value string }
	cases := []struct {
		name   string
		req    request
		status int
		typ    string
		errAt  *errorAt // an entry the problem's errors must hold
		header [2]string
	}{
		// Shape of the body.
		{name: "missing title", req: post(mutate("title", nil)), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body"}},
		{name: "title a number", req: post(mutate("title", 42)), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.title"}},
		{name: "missing body", req: post(mutate("body", nil)), status: 422, typ: problemInvalidInput},
		{name: "body an object", req: post(mutate("body", map[string]any{"text": "x"})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.body"}},
		{name: "missing tlp", req: post(mutate("tlp", nil)), status: 422, typ: problemInvalidInput},
		{name: "missing distribution", req: post(mutate("distribution", nil)), status: 422, typ: problemInvalidInput},
		{name: "distribution a string", req: post(mutate("distribution", "all")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution"}},
		{name: "distribution all a string", req: post(dist(map[string]any{"all": "yes"})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution.all"}},
		{name: "tags a string", req: post(mutate("tags", "border")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.tags"}},
		{name: "unknown field", req: post(mutate("classification", "secret")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.classification"}},
		{name: "unknown field in distribution", req: post(dist(map[string]any{"all": true, "everyone": true})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution.everyone"}},
		{name: "JSON null", req: post([]byte("null")), status: 422, typ: problemInvalidInput},
		{name: "JSON array", req: post([]byte(`[` + string(valid) + `]`)), status: 422, typ: problemInvalidInput},
		{name: "observed_at not a time", req: post(mutate("observed_at", "yesterday")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.observed_at"}},

		// Rules of package center.
		{name: "unknown party", req: post(dist(map[string]any{"parties": []string{"RU", "ZZ", "IQ"}})), status: 422, typ: problemInvalidInput,
			errAt: &errorAt{location: "body.distribution.parties[1]", value: "ZZ"}},
		{name: "unknown committee", req: post(dist(map[string]any{"committee": "nato"})), status: 422, typ: problemInvalidInput,
			errAt: &errorAt{location: "body.distribution.committee", value: "nato"}},
		{name: "two distribution kinds", req: post(dist(map[string]any{"all": true, "committee": "regional"})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution"}},
		{name: "empty distribution", req: post(dist(map[string]any{})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution"}},
		{name: "empty party list", req: post(dist(map[string]any{"parties": []string{}})), status: 422, typ: problemInvalidInput},
		{name: "TLP:RED to all", req: post(mustJSON(t, with(sampleDraft(), "tlp", "RED"))), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.distribution"}},
		{name: "invalid tlp", req: post(mutate("tlp", "PURPLE")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.tlp"}},
		{name: "tlp with prefix in body", req: post(mutate("tlp", "TLP:GREEN")), status: 422, typ: problemInvalidInput},
		{name: "invalid reliability", req: post(mutate("reliability", "G")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.reliability"}},
		{name: "invalid credibility", req: post(mutate("credibility", "7")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.credibility"}},
		{name: "credibility a number", req: post(mutate("credibility", 2)), status: 422, typ: problemInvalidInput},
		{name: "invalid language", req: post(mutate("language", "Arabic!")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.language"}},
		{name: "empty title", req: post(mutate("title", "")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.title"}},
		{name: "blank title", req: post(mutate("title", " \t ")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.title"}},
		{name: "title over 500 characters", req: post(mutate("title", strings.Repeat("ب", 501))), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.title"}},
		{name: "report body over the limit", req: post(mutate("body", strings.Repeat("x", 1<<20+1))), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.body"}},
		{name: "NUL in title", req: post(mutate("title", "a\x00b")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.title"}},
		{name: "NUL in body", req: post(mutate("body", "text\x00more")), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.body"}},
		{name: "control character in title", req: post(mutate("title", "bell\x07")), status: 422, typ: problemInvalidInput},
		{name: "too many tags", req: post(mutate("tags", manyTags(65))), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.tags"}},
		{name: "control character in tag", req: post(mutate("tags", []string{"ok", " ok ", "bad\x1b[31m"})), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "body.tags[2]"}},

		// Bytes that are not the JSON of a draft.
		{name: "request body over the limit", req: post(mutate("body", strings.Repeat("x", 7<<20))), status: 413, typ: problemTooLarge},
		{name: "invalid UTF-8", req: post([]byte("{\"title\":\"\xff\xfe\",\"body\":\"b\",\"tlp\":\"GREEN\",\"distribution\":{\"all\":true}}")), status: 400, typ: problemBadRequest},
		{name: "raw NUL byte in string", req: post([]byte("{\"title\":\"a\x00b\",\"body\":\"b\",\"tlp\":\"GREEN\",\"distribution\":{\"all\":true}}")), status: 400, typ: problemBadRequest},
		{name: "malformed JSON", req: post([]byte(`{"title": "x",`)), status: 400, typ: problemBadRequest},
		{name: "trailing garbage", req: post(append(append([]byte{}, valid...), " garbage"...)), status: 400, typ: problemBadRequest},
		{name: "two JSON values", req: post(append(append([]byte{}, valid...), valid...)), status: 400, typ: problemBadRequest},
		{name: "empty body", req: post([]byte{}), status: 400, typ: problemBadRequest},
		{name: "lone surrogate escape", req: post([]byte(`{"title":"\ud800","body":"b","tlp":"GREEN","distribution":{"all":true}}`)), status: 400, typ: problemBadRequest},
		{name: "key twice in two cases", req: post([]byte(`{"title":"t","body":"b","tlp":"RED","TLP":"GREEN","distribution":{"all":true}}`)), status: 400, typ: problemBadRequest},
		{name: "key twice", req: post([]byte(`{"title":"t","body":"b","tlp":"GREEN","distribution":{"parties":["RU"]},"distribution":{"all":true}}`)), status: 400, typ: problemBadRequest},
		{name: "byte order mark", req: post(append([]byte("\xef\xbb\xbf"), valid...)), status: 400, typ: problemBadRequest},
		{name: "text/plain", req: request{method: http.MethodPost, path: reportsPath, token: iq, contentType: "text/plain", body: valid}, status: 415, typ: problemUnsupportedMedia},
		{name: "form content type", req: request{method: http.MethodPost, path: reportsPath, token: iq, contentType: "application/x-www-form-urlencoded", body: []byte("title=x")}, status: 415, typ: problemUnsupportedMedia},

		// Credentials.
		{name: "missing Authorization", req: request{method: http.MethodPost, path: reportsPath, body: valid}, status: 401, typ: problemUnauthenticated, header: [2]string{"Www-Authenticate", `Bearer realm="tabadul"`}},
		{name: "unknown token", req: request{method: http.MethodPost, path: reportsPath, token: "tbd_unknown", body: valid}, status: 401, typ: problemUnauthenticated, header: [2]string{"Www-Authenticate", `Bearer realm="tabadul"`}},
		{name: "basic auth", req: request{method: http.MethodGet, path: reportsPath, authorization: "Basic aXEtYW5hbHlzdDpwdw=="}, status: 401, typ: problemUnauthenticated},
		{name: "bearer without token", req: request{method: http.MethodGet, path: reportsPath, authorization: "Bearer "}, status: 401, typ: problemUnauthenticated},
		{name: "huge token", req: request{method: http.MethodGet, path: reportsPath, token: strings.Repeat("t", 4096)}, status: 401, typ: problemUnauthenticated},
		{name: "expired token", req: request{method: http.MethodPost, path: reportsPath, token: expiring, body: valid}, status: 401, typ: problemUnauthenticated},
		{name: "revoked token", req: request{method: http.MethodPost, path: reportsPath, token: revokedTok, body: valid}, status: 401, typ: problemUnauthenticated},
		{name: "no token on me", req: request{method: http.MethodGet, path: "/api/v1/me"}, status: 401, typ: problemUnauthenticated},

		// Another party's reports.
		{name: "another party revises what it sees", req: request{method: http.MethodPut, path: reportsPath + "/" + shared.ID, token: sy, body: valid}, status: 403, typ: problemForbidden},
		{name: "another party revokes what it sees", req: request{method: http.MethodPost, path: reportsPath + "/" + shared.ID + "/revoke", token: sy}, status: 403, typ: problemForbidden},
		{name: "another party revises what it cannot see", req: request{method: http.MethodPut, path: reportsPath + "/" + narrow.ID, token: ir, body: valid}, status: 404, typ: problemNotFound},
		{name: "another party revokes what it cannot see", req: request{method: http.MethodPost, path: reportsPath + "/" + narrow.ID + "/revoke", token: ir}, status: 404, typ: problemNotFound},
		{name: "associate revokes a report to all members", req: request{method: http.MethodPost, path: reportsPath + "/" + shared.ID + "/revoke", token: jo}, status: 404, typ: problemNotFound},
		{name: "owner revises with a bad draft", req: request{method: http.MethodPut, path: reportsPath + "/" + shared.ID, token: iq, body: mutate("tlp", "PURPLE")}, status: 422, typ: problemInvalidInput},
		{name: "owner revises with an unknown party", req: request{method: http.MethodPut, path: reportsPath + "/" + shared.ID, token: iq, body: dist(map[string]any{"parties": []string{"XX"}})}, status: 422, typ: problemInvalidInput,
			errAt: &errorAt{location: "body.distribution.parties[0]", value: "XX"}},

		// Ids that cannot name a report.
		{name: "encoded path traversal", req: get(reportsPath + "/..%2F..%2Fetc%2Fpasswd"), status: 404, typ: problemNotFound},
		{name: "raw path traversal", req: get(reportsPath + "/../../etc/passwd"), status: 404, typ: problemNotFound},
		{name: "dot segment", req: get(reportsPath + "/./" + shared.ID), status: 404, typ: problemNotFound},
		{name: "SQL in id", req: get(reportsPath + "/report--x%27%20OR%20%271%27%3D%271"), status: 404, typ: problemNotFound},
		{name: "SQL in id of versions", req: get(reportsPath + "/1%3B%20DROP%20TABLE%20reports%3B--/versions"), status: 404, typ: problemNotFound},
		{name: "SQL in id of revise", req: request{method: http.MethodPut, path: reportsPath + "/%27%3B%20DELETE%20FROM%20versions%3B--", token: iq, body: valid}, status: 404, typ: problemNotFound},
		{name: "SQL in id of revoke", req: request{method: http.MethodPost, path: reportsPath + "/report--%25/revoke", token: iq}, status: 404, typ: problemNotFound},
		{name: "uppercase id", req: get(reportsPath + "/" + strings.ToUpper(shared.ID)), status: 404, typ: problemNotFound},
		{name: "well-formed unknown id", req: get(reportsPath + "/report--00000000-0000-4000-8000-000000000000"), status: 404, typ: problemNotFound},

		// Query parameters.
		{name: "huge limit", req: get(reportsPath + "?limit=100000"), status: 400, typ: problemBadRequest, errAt: &errorAt{location: "query.limit", value: "100000"}},
		{name: "limit just over the maximum", req: get(reportsPath + "?limit=501"), status: 400, typ: problemBadRequest},
		{name: "limit beyond int64", req: get(reportsPath + "?limit=99999999999999999999999"), status: 400, typ: problemBadRequest},
		{name: "zero limit", req: get(reportsPath + "?limit=0"), status: 400, typ: problemBadRequest},
		{name: "negative limit", req: get(reportsPath + "?limit=-1"), status: 400, typ: problemBadRequest},
		{name: "non-integer limit", req: get(reportsPath + "?limit=ten"), status: 400, typ: problemBadRequest},
		{name: "exponent limit", req: get(reportsPath + "?limit=1e2"), status: 400, typ: problemBadRequest},
		{name: "garbage cursor", req: get(reportsPath + "?cursor=%21%21not-base64%21%21"), status: 400, typ: problemBadRequest, errAt: &errorAt{location: "query.cursor"}},
		{name: "negative cursor", req: get(reportsPath + "?cursor=" + b64("-5")), status: 400, typ: problemBadRequest},
		{name: "zero cursor", req: get(reportsPath + "?cursor=" + b64("0")), status: 400, typ: problemBadRequest},
		{name: "leading-zero cursor", req: get(reportsPath + "?cursor=" + b64("007")), status: 400, typ: problemBadRequest},
		{name: "padded cursor", req: get(reportsPath + "?cursor=" + base64.URLEncoding.EncodeToString([]byte("12"))), status: 400, typ: problemBadRequest},
		{name: "standard-alphabet cursor", req: get(reportsPath + "?cursor=" + base64.RawStdEncoding.EncodeToString([]byte{0xfb, 0xff})), status: 400, typ: problemBadRequest},
		{name: "cursor of text", req: get(reportsPath + "?cursor=" + b64("12 OR 1=1")), status: 400, typ: problemBadRequest},
		{name: "bad since", req: get(reportsPath + "?since=yesterday"), status: 400, typ: problemBadRequest, errAt: &errorAt{location: "query.since", value: "yesterday"}},
		{name: "bad until", req: get(reportsPath + "?until=2026-13-01T00:00:00Z"), status: 400, typ: problemBadRequest},
		{name: "date without time", req: get(reportsPath + "?since=2026-11-28"), status: 400, typ: problemBadRequest},
		{name: "until before since", req: get(reportsPath + "?since=2026-11-28T00:00:00Z&until=2026-11-01T00:00:00Z"), status: 400, typ: problemBadRequest},
		{name: "unknown tlp filter", req: get(reportsPath + "?tlp=purple"), status: 400, typ: problemBadRequest, errAt: &errorAt{location: "query.tlp", value: "purple"}},
		{name: "revoked=maybe", req: get(reportsPath + "?revoked=maybe"), status: 400, typ: problemBadRequest, errAt: &errorAt{location: "query.revoked", value: "maybe"}},
		{name: "malformed source", req: get(reportsPath + "?source=Iraq%20%27--"), status: 400, typ: problemBadRequest},
		{name: "invalid UTF-8 tag", req: get(reportsPath + "?tag=%FF%FE"), status: 400, typ: problemBadRequest},
		{name: "unknown query parameter", req: get(reportsPath + "?limt=5"), status: 422, typ: problemInvalidInput, errAt: &errorAt{location: "query.limt"}},

		// Routes.
		{name: "unknown route", req: get("/api/v1/nothing-here"), status: 404, typ: problemNotFound},
		{name: "unknown route without token", req: request{method: http.MethodGet, path: "/api/v2/reports"}, status: 404, typ: problemNotFound},
		{name: "method not allowed", req: request{method: http.MethodDelete, path: reportsPath, token: iq}, status: 405, typ: problemMethodNotAllowed, header: [2]string{"Allow", "GET, HEAD, POST"}},
		{name: "PATCH a report", req: request{method: http.MethodPatch, path: reportsPath + "/" + shared.ID, token: iq, body: valid}, status: 405, typ: problemMethodNotAllowed},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := c.state(shared.ID, narrow.ID)
			res := c.doRequest(tc.req)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d; body: %.1000s", res.status, tc.status, res.body)
			}
			p := res.problem(t)
			if p.Type != tc.typ {
				t.Errorf("type %q, want %q", p.Type, tc.typ)
			}
			if tc.errAt != nil && !hasError(p, tc.errAt.location, tc.errAt.value) {
				t.Errorf("errors %+v lack location %q with value %q", p.Errors, tc.errAt.location, tc.errAt.value)
			}
			if tc.header[0] != "" {
				if got := res.header.Get(tc.header[0]); got != tc.header[1] {
					t.Errorf("%s %q, want %q", tc.header[0], got, tc.header[1])
				}
			}
			if len(res.body) > 8<<10 {
				t.Errorf("problem of %d bytes echoes too much", len(res.body))
			}
			if after := c.state(shared.ID, narrow.ID); !equalState(before, after) {
				t.Errorf("store changed: %+v → %+v", before, after)
			}
		})
	}

	// The server still serves.
	c.do(http.MethodGet, reportsPath, iq, nil).want(t, http.StatusOK)
	c.submit("iq-analyst", sampleDraft())
}

func hasError(p problemBody, location, value string) bool {
	for _, e := range p.Errors {
		if e.Location != location {
			continue
		}
		if value == "" {
			return true
		}
		if s, ok := e.Value.(string); ok && s == value {
			return true
		}
	}
	return false
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func manyTags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "tag-" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	return out
}
