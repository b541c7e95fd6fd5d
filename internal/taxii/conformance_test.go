package taxii

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

var all = center.Distribution{All: true}

func TestDiscoveryAndAPIRoot(t *testing.T) {
	c := newTestCenter(t, nil)
	r := c.get("iq-analyst", "/taxii2/")
	wantStatus(t, r, http.StatusOK)
	var d discoveryResource
	r.json(t, &d)
	if want := c.http.URL + root; d.Default != want || !slices.Equal(d.APIRoots, []string{want}) || d.Title == "" {
		t.Errorf("discovery %+v, want api root %s", d, want)
	}
	r = c.get("iq-analyst", root)
	wantStatus(t, r, http.StatusOK)
	var ar apiRootResource
	r.json(t, &ar)
	if !slices.Equal(ar.Versions, []string{"application/taxii+json;version=2.1"}) || ar.MaxContentLength != DefaultMaxContentLength || ar.Title == "" {
		t.Errorf("api root %+v", ar)
	}
	wantStatus(t, c.get("iq-analyst", "/taxii2/other/"), http.StatusNotFound)
	wantStatus(t, c.get("iq-analyst", "/taxii2/other/collections/"), http.StatusNotFound)
}

func TestAuthentication(t *testing.T) {
	c := newTestCenter(t, nil)
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	tests := []struct {
		desc string
		q    req
		want int
	}{
		{"basic with username and token", req{user: "iq-analyst"}, http.StatusOK},
		{"bearer token", req{user: "iq-analyst", bearer: true}, http.StatusOK},
		{"no credentials", req{}, http.StatusUnauthorized},
		{"another user's token", req{auth: basic("sy-analyst", c.tokens["iq-analyst"])}, http.StatusUnauthorized},
		{"password instead of token", req{auth: basic("iq-analyst", testcenter.Password("iq-analyst"))}, http.StatusUnauthorized},
		{"unknown token", req{auth: "Bearer tbd_nonsense"}, http.StatusUnauthorized},
		{"empty basic", req{auth: "Basic "}, http.StatusUnauthorized},
		{"other scheme", req{auth: "Digest x"}, http.StatusUnauthorized},
		{"huge token", req{auth: "Bearer " + strings.Repeat("a", 1000)}, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			tt.q.method, tt.q.path = http.MethodGet, root+"collections/"
			r := c.do(tt.q)
			wantStatus(t, r, tt.want)
			if tt.want == http.StatusUnauthorized && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("401 without a Basic challenge: %v", r.header)
			}
		})
	}
	// A revoked token is refused at once.
	ctx := context.Background()
	toks, err := c.Store.Tokens(ctx, "sy-analyst")
	if err != nil || len(toks) != 1 {
		t.Fatal(toks, err)
	}
	if err := c.Recorder.RevokeToken(ctx, toks[0]); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.get("sy-analyst", root), http.StatusUnauthorized)
}

func TestMediaTypes(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.MaxContentLength = 4096 })
	objects := colPath("from-IQ") + "objects/"
	env := []byte(`{"objects":[` + indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", "x") + `]}`)
	tests := []struct {
		desc string
		q    req
		want int
	}{
		{"taxii 2.1", req{accept: "application/taxii+json;version=2.1"}, http.StatusOK},
		{"taxii without version", req{accept: "application/taxii+json"}, http.StatusOK},
		{"spaces and quality", req{accept: "text/html;q=0.9, application/taxii+json; version=2.1"}, http.StatusOK},
		{"wildcard", req{accept: "*/*"}, http.StatusOK},
		{"taxii 2.0", req{accept: "application/taxii+json;version=2.0"}, http.StatusNotAcceptable},
		{"plain json", req{accept: "application/json"}, http.StatusNotAcceptable},
		{"refused with q=0", req{accept: "application/taxii+json;version=2.1;q=0"}, http.StatusNotAcceptable},
		{"post taxii", req{method: http.MethodPost, path: objects, body: env}, http.StatusAccepted},
		{"post json", req{method: http.MethodPost, path: objects, body: env, contentType: "application/json"}, http.StatusUnsupportedMediaType},
		{"post stix", req{method: http.MethodPost, path: objects, body: env, contentType: "application/stix+json;version=2.1"}, http.StatusUnsupportedMediaType},
		{"post taxii 2.0", req{method: http.MethodPost, path: objects, body: env, contentType: "application/taxii+json;version=2.0"}, http.StatusUnsupportedMediaType},
		{"post over max_content_length", req{method: http.MethodPost, path: objects, body: []byte(`{"objects":[],"x":"` + strings.Repeat("a", 5000) + `"}`)}, http.StatusRequestEntityTooLarge},
		{"method not allowed", req{method: http.MethodPut, path: objects}, http.StatusMethodNotAllowed},
		{"unknown path", req{path: "/taxii2/center/nothing/here/"}, http.StatusNotFound},
		{"no trailing slash", req{path: strings.TrimSuffix(colPath("from-IQ"), "/")}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if tt.q.method == "" {
				tt.q.method = http.MethodGet
			}
			if tt.q.path == "" {
				tt.q.path = objects
			}
			tt.q.user = "iq-analyst"
			wantStatus(t, c.do(tt.q), tt.want)
		})
	}
	// A body without Content-Length is cut at the limit too.
	hr, _ := http.NewRequest(http.MethodPost, c.http.URL+objects, &slowReader{n: 10000})
	hr.SetBasicAuth("iq-analyst", c.tokens["iq-analyst"])
	hr.Header.Set("Content-Type", taxiiMediaType)
	res, err := c.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: %d", res.StatusCode)
	}
}

// slowReader yields n bytes of a never-ending JSON string, without a
// length known in advance.
type slowReader struct{ n, done int }

func (s *slowReader) Read(p []byte) (int, error) {
	if s.done >= s.n {
		return 0, io.EOF
	}
	k := min(len(p), s.n-s.done)
	for i := range k {
		p[i] = 'a'
	}
	if s.done == 0 {
		p[0] = '{'
	}
	s.done += k
	return k, nil
}

func TestCollections(t *testing.T) {
	c := newTestCenter(t, nil)
	r := c.get("sy-analyst", root+"collections/")
	wantStatus(t, r, http.StatusOK)
	var list struct {
		Collections []collectionResource `json:"collections"`
	}
	r.json(t, &list)
	var ids []string
	for _, col := range list.Collections {
		ids = append(ids, col.ID)
		if !col.CanRead || col.CanWrite != (col.ID == "from-SY") || !slices.Equal(col.MediaTypes, []string{"application/stix+json;version=2.1"}) {
			t.Errorf("collection %+v for SY", col)
		}
		// Each collection's id is in its URL.
		var one collectionResource
		got := c.get("sy-analyst", colPath(col.ID))
		wantStatus(t, got, http.StatusOK)
		got.json(t, &one)
		if one.ID != col.ID || one.CanWrite != col.CanWrite {
			t.Errorf("GET %s: %+v", col.ID, one)
		}
	}
	if want := []string{"shared-with-me", "from-IQ", "from-SY", "from-IR", "from-RU", "from-JO"}; !slices.Equal(ids, want) {
		t.Errorf("collections %v, want %v", ids, want)
	}
	for _, id := range []string{"from-XX", "from-", "iq", "shared-with-me2", "from-iq"} {
		wantStatus(t, c.get("sy-analyst", colPath(id)), http.StatusNotFound)
		wantStatus(t, c.get("sy-analyst", colPath(id)+"objects/"), http.StatusNotFound)
	}
}

// versioned seeds, as IQ for all members: an object a in three versions,
// an object b in one and an identity, in that order of date_added.
func versioned(c *testCenter) (a, b, ident string) {
	a, b, ident = newID("indicator"), newID("indicator"), newID("identity")
	c.seed("iq-analyst", all, indicator(a, "2026-01-01T00:00:00.000Z", "a1"))
	c.seed("iq-analyst", all, indicator(b, "2026-01-01T00:00:00.000Z", "b1"))
	c.seed("iq-analyst", all, indicator(a, "2026-02-01T00:00:00.000Z", "a2"))
	c.seed("iq-analyst", all, `{"type":"identity","spec_version":"2.1","id":"`+ident+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"x"}`)
	c.seed("iq-analyst", all, indicator(a, "2026-03-01T00:00:00.000Z", "a3"))
	return a, b, ident
}

func TestObjectFilters(t *testing.T) {
	c := newTestCenter(t, nil)
	a, b, ident := versioned(c)
	const (
		v1 = "2026-01-01T00:00:00.000Z"
		v2 = "2026-02-01T00:00:00.000Z"
		v3 = "2026-03-01T00:00:00.000Z"
	)
	tests := []struct {
		desc  string
		query string
		want  []string
	}{
		{"latest by default, by date_added", "", []string{b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
		{"last", "match[version]=last", []string{b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
		{"first", "match[version]=first", []string{a + "@" + v1, b + "@" + v1, ident + "@" + v1}},
		{"all", "match[version]=all", []string{a + "@" + v1, b + "@" + v1, a + "@" + v2, ident + "@" + v1, a + "@" + v3}},
		{"exact", "match[version]=2026-02-01T00:00:00Z", []string{a + "@" + v2}},
		{"exact and last", "match[version]=2026-02-01T00:00:00.000Z,last", []string{b + "@" + v1, a + "@" + v2, ident + "@" + v1, a + "@" + v3}},
		{"first and last", "match[version]=first,last", []string{a + "@" + v1, b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
		{"one id", "match[id]=" + b, []string{b + "@" + v1}},
		{"ids are OR", "match[id]=" + b + "," + ident, []string{b + "@" + v1, ident + "@" + v1}},
		{"repeated parameter is OR", "match[id]=" + b + "&match[id]=" + ident, []string{b + "@" + v1, ident + "@" + v1}},
		{"type", "match[type]=identity", []string{ident + "@" + v1}},
		{"types are OR", "match[type]=identity,indicator", []string{b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
		{"fields are AND", "match[type]=identity&match[id]=" + b, nil},
		{"id and all versions", "match[id]=" + a + "&match[version]=all", []string{a + "@" + v1, a + "@" + v2, a + "@" + v3}},
		{"spec_version 2.1", "match[spec_version]=2.1", []string{b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
		{"spec_version 2.0", "match[spec_version]=2.0", nil},
		{"unknown parameters are ignored", "match[foo]=bar&x=1", []string{b + "@" + v1, ident + "@" + v1, a + "@" + v3}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			for _, col := range []string{"shared-with-me", "from-IQ"} {
				r := c.get("sy-analyst", colPath(col)+"objects/?"+tt.query)
				wantStatus(t, r, http.StatusOK)
				var env envelope
				r.json(t, &env)
				if got := env.ids(t); !slices.Equal(got, tt.want) {
					t.Errorf("%s ?%s:\n got %v\nwant %v", col, tt.query, got, tt.want)
				}
				// The manifest lists the same versions.
				r = c.get("sy-analyst", colPath(col)+"manifest/?"+tt.query)
				wantStatus(t, r, http.StatusOK)
				var m struct{ Objects []manifestRecord }
				r.json(t, &m)
				var got []string
				for _, rec := range m.Objects {
					got = append(got, rec.ID+"@"+strings.Replace(rec.Version, ".000000Z", ".000Z", 1))
					if rec.MediaType != stixMediaType {
						t.Errorf("manifest media_type %q", rec.MediaType)
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("manifest %s ?%s:\n got %v\nwant %v", col, tt.query, got, tt.want)
				}
			}
			// SY's own collection holds none of IQ's objects.
			r := c.get("sy-analyst", colPath("from-SY")+"objects/?"+tt.query)
			var env envelope
			r.json(t, &env)
			if len(env.Objects) != 0 {
				t.Errorf("from-SY holds %v", env.ids(t))
			}
		})
	}
	for _, bad := range []string{"added_after=yesterday", "added_after=2026-01-01T00:00:00", "match[version]=newest",
		"match[version]=", "match[id]=", "limit=0", "limit=-1", "limit=ten", "limit=1.5", "limit=1&limit=2", "next=abc"} {
		wantStatus(t, c.get("sy-analyst", colPath("shared-with-me")+"objects/?"+bad), http.StatusBadRequest)
	}
}

func TestAddedAfter(t *testing.T) {
	c := newTestCenter(t, nil)
	for i := range 5 {
		c.seed("iq-analyst", all, indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", fmt.Sprint(i)))
	}
	r := c.get("ru-analyst", colPath("shared-with-me")+"manifest/")
	var m struct{ Objects []manifestRecord }
	r.json(t, &m)
	if len(m.Objects) != 5 {
		t.Fatalf("manifest has %d records", len(m.Objects))
	}
	for i, rec := range m.Objects {
		if i > 0 && rec.DateAdded <= m.Objects[i-1].DateAdded {
			t.Errorf("date_added not strictly increasing: %s after %s", rec.DateAdded, m.Objects[i-1].DateAdded)
		}
	}
	if r.header.Get("X-TAXII-Date-Added-First") != m.Objects[0].DateAdded || r.header.Get("X-TAXII-Date-Added-Last") != m.Objects[4].DateAdded {
		t.Errorf("headers %v", r.header)
	}
	// Strictly greater: after the second record's date_added come the
	// last three, exactly.
	r = c.get("ru-analyst", colPath("shared-with-me")+"manifest/?added_after="+m.Objects[1].DateAdded)
	var later struct{ Objects []manifestRecord }
	r.json(t, &later)
	if len(later.Objects) != 3 || later.Objects[0].ID != m.Objects[2].ID {
		t.Errorf("added_after %s: %+v", m.Objects[1].DateAdded, later.Objects)
	}
	// An empty page has no date headers and is the empty envelope.
	r = c.get("ru-analyst", colPath("shared-with-me")+"objects/?added_after="+m.Objects[4].DateAdded)
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "{}" || r.header.Get("X-TAXII-Date-Added-First") != "" || r.header.Get("X-TAXII-Date-Added-Last") != "" {
		t.Errorf("empty page: %s %v", r.body, r.header)
	}
}

func TestPaging(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.MaxPageSize = 7; cfg.DefaultPageSize = 5 })
	var objs []string
	for i := range 20 {
		objs = append(objs, indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", fmt.Sprint(i)))
	}
	c.seed("iq-analyst", all, objs...)
	objects := colPath("shared-with-me") + "objects/"
	page := func(user, query string) (envelope, *resp) {
		t.Helper()
		r := c.get(user, objects+"?"+query)
		wantStatus(t, r, http.StatusOK)
		var env envelope
		r.json(t, &env)
		return env, r
	}
	// The default page, then the cap: limit=100 gets MaxPageSize.
	if env, _ := page("sy-analyst", ""); len(env.Objects) != 5 || !env.More || env.Next == "" {
		t.Fatalf("default page: %d objects, more %v", len(env.Objects), env.More)
	}
	var seen []string
	next := ""
	for {
		q := "limit=100"
		if next != "" {
			q += "&next=" + url.QueryEscape(next)
		}
		env, r := page("sy-analyst", q)
		if len(env.Objects) > 7 {
			t.Fatalf("page of %d over the cap", len(env.Objects))
		}
		seen = append(seen, env.ids(t)...)
		if r.header.Get("X-TAXII-Date-Added-Last") == "" {
			t.Error("no X-TAXII-Date-Added-Last")
		}
		if !env.More {
			if env.Next != "" {
				t.Error("next on the last page")
			}
			break
		}
		next = env.Next
	}
	if len(seen) != 20 || len(slices.Compact(slices.Clone(seen))) != 20 {
		t.Fatalf("paged %d objects: %v", len(seen), seen)
	}
	first, _ := page("sy-analyst", "limit=3")
	tok := url.QueryEscape(first.Next)
	// A lower limit with the same token continues where it was.
	if env, _ := page("sy-analyst", "limit=2&next="+tok); !slices.Equal(env.ids(t), seen[3:5]) {
		t.Errorf("continued %v, want %v", env.ids(t), seen[3:5])
	}
	// Another query, endpoint, collection or party with the token: 400.
	for _, bad := range []struct{ user, path string }{
		{"sy-analyst", objects + "?match[type]=indicator&next=" + tok},
		{"sy-analyst", objects + "?match[version]=all&next=" + tok},
		{"sy-analyst", objects + "?added_after=2026-01-01T00:00:00Z&next=" + tok},
		{"sy-analyst", colPath("shared-with-me") + "manifest/?next=" + tok},
		{"sy-analyst", colPath("from-IQ") + "objects/?next=" + tok},
		{"ru-analyst", objects + "?next=" + tok},
		{"sy-analyst", objects + "?next=" + tampered(tok)},
	} {
		wantStatus(t, c.get(bad.user, bad.path), http.StatusBadRequest)
	}
	// The token survives a restart (a new server over the same database)
	// and days passing.
	c.Clock.Advance(72 * time.Hour)
	again, err := New(context.Background(), Config{Store: c.Store, Recorder: c.Recorder, Clock: c.Clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if string(again.pages.key) != string(c.server.pages.key) {
		t.Fatal("a new server made another page key")
	}
	c.server = again
	c.http.Config.Handler = again.Handler()
	if env, _ := page("sy-analyst", "limit=3&next="+tok); !slices.Equal(env.ids(t), seen[3:6]) {
		t.Errorf("after restart %v, want %v", env.ids(t), seen[3:6])
	}
}

func TestObjectAndVersions(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.DefaultPageSize = 2 })
	a, b, _ := versioned(c)
	obj := colPath("from-IQ") + "objects/" + a + "/"
	r := c.get("ru-analyst", obj)
	wantStatus(t, r, http.StatusOK)
	var env envelope
	r.json(t, &env)
	if got := env.ids(t); !slices.Equal(got, []string{a + "@2026-03-01T00:00:00.000Z"}) || r.header.Get("X-TAXII-Date-Added-First") == "" {
		t.Errorf("object: %v %v", got, r.header)
	}
	r = c.get("ru-analyst", obj+"?match[version]=all&limit=5")
	r.json(t, &env)
	if len(env.Objects) != 3 {
		t.Errorf("all versions: %v", env.ids(t))
	}
	// Filtered to nothing is an empty envelope; an absent object is 404.
	r = c.get("ru-analyst", obj+"?match[spec_version]=2.0")
	wantStatus(t, r, http.StatusOK)
	wantStatus(t, c.get("ru-analyst", colPath("from-IQ")+"objects/"+newID("indicator")+"/"), http.StatusNotFound)
	wantStatus(t, c.get("ru-analyst", colPath("from-SY")+"objects/"+a+"/"), http.StatusNotFound)
	wantStatus(t, c.get("ru-analyst", colPath("from-IQ")+"objects/not-an-id/versions/"), http.StatusNotFound)

	// Versions, paged at the default of 2.
	var versions []string
	next := ""
	for {
		p := obj + "versions/"
		if next != "" {
			p += "?next=" + url.QueryEscape(next)
		}
		r := c.get("ru-analyst", p)
		wantStatus(t, r, http.StatusOK)
		var v struct {
			More     bool
			Next     string
			Versions []string
		}
		r.json(t, &v)
		versions = append(versions, v.Versions...)
		if r.header.Get("X-TAXII-Date-Added-First") == "" {
			t.Error("versions without X-TAXII-Date-Added-First")
		}
		if !v.More {
			break
		}
		next = v.Next
	}
	if want := []string{"2026-01-01T00:00:00.000000Z", "2026-02-01T00:00:00.000000Z", "2026-03-01T00:00:00.000000Z"}; !slices.Equal(versions, want) {
		t.Errorf("versions %v, want %v", versions, want)
	}
	r = c.get("ru-analyst", colPath("from-IQ")+"objects/"+b+"/versions/")
	var v struct{ Versions []string }
	r.json(t, &v)
	if len(v.Versions) != 1 {
		t.Errorf("versions of b: %v", v.Versions)
	}
}

// add posts an envelope to a collection and returns the status resource.
func (c *testCenter) add(user, col string, objs ...string) (statusResource, *resp) {
	c.t.Helper()
	r := c.do(req{method: http.MethodPost, path: colPath(col) + "objects/", user: user,
		body: []byte(`{"objects":[` + strings.Join(objs, ",") + `]}`)})
	var st statusResource
	if r.status == http.StatusAccepted {
		r.json(c.t, &st)
	}
	return st, r
}

func TestAddObjects(t *testing.T) {
	c := newTestCenter(t, nil)
	id1, id2 := newID("indicator"), newID("indicator")
	reportID := "report--" + strings.TrimPrefix(newID("x"), "x--")
	report := fmt.Sprintf(`{"type":"report","spec_version":"2.1","id":%q,"created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",`+
		`"name":"TAXII report","description":"Added over TAXII.","published":"2026-01-01T00:00:00Z","object_refs":[%q],`+
		`"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`, reportID, id1)
	st, r := c.add("iq-analyst", "from-IQ",
		indicator(id1, "2026-01-01T00:00:00.000Z", "one"),
		indicator(id2, "2026-01-01T00:00:00.000Z", "two"),
		indicator(id1, "2026-01-01T00:00:00.000Z", "one"), // a duplicate
		`{"type":"indicator","id":"indicator--bad"}`,
		report,
		`{"type":"indicator","spec_version":"2.1","id":"`+newID("indicator")+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[x]","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--`+strings.TrimPrefix(newID("x"), "x--")+`"]}`,
		`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z","name":"TLP:GREEN","extensions":{}}`,
	)
	wantStatus(t, r, http.StatusAccepted)
	if st.Status != "complete" || st.TotalCount != 7 || st.SuccessCount != 5 || st.FailureCount != 2 || st.PendingCount != 0 ||
		st.TotalCount != st.SuccessCount+st.FailureCount+st.PendingCount {
		t.Fatalf("status %+v", st)
	}
	if d := st.Successes[2]; d.ID != id1 || !strings.Contains(d.Message, "already") {
		t.Errorf("duplicate: %+v", d)
	}
	if !strings.Contains(st.Failures[0].Message, "identifier") || !strings.Contains(st.Failures[1].Message, "unknown marking") {
		t.Errorf("failures: %+v", st.Failures)
	}
	if !strings.HasSuffix(r.header.Get("Location"), root+"status/"+st.ID+"/") {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	// The status can be read again, by the party that made it only.
	r = c.get("iq-officer", root+"status/"+st.ID+"/")
	wantStatus(t, r, http.StatusOK)
	var again statusResource
	r.json(t, &again)
	if again.ID != st.ID || again.SuccessCount != 5 || again.Status != "complete" {
		t.Errorf("status again: %+v", again)
	}
	wantStatus(t, c.get("sy-analyst", root+"status/"+st.ID+"/"), http.StatusNotFound)
	wantStatus(t, c.get("iq-analyst", root+"status/"+strings.TrimPrefix(newID("x"), "x--")+"/"), http.StatusNotFound)

	// The objects are IQ's, shared with all members at their TLP; the
	// report is a Tabadul report too.
	r = c.get("sy-analyst", colPath("from-IQ")+"objects/?match[id]="+id1+","+id2+","+reportID)
	var env envelope
	r.json(t, &env)
	if len(env.Objects) != 3 {
		t.Errorf("SY sees %v", env.ids(t))
	}
	rep, err := c.Store.Report(context.Background(), "SY", reportID)
	if err != nil || rep.Source != "IQ" || rep.TLP != center.TLPGreen {
		t.Errorf("report %+v: %v", rep, err)
	}

	// Only the caller's own collection is writable.
	for _, col := range []string{"shared-with-me", "from-SY"} {
		_, r := c.add("iq-analyst", col, indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", "x"))
		wantStatus(t, r, http.StatusForbidden)
	}
	// A body that is no envelope changes nothing.
	for _, body := range []string{`[]`, `{"objects":{}}`, `{"objects":[1]}`, `{}`, `{"objects":[]} x`, `nope`} {
		r := c.do(req{method: http.MethodPost, path: colPath("from-IQ") + "objects/", user: "iq-analyst", body: []byte(body)})
		wantStatus(t, r, http.StatusBadRequest)
	}
}

func TestAddLargeEnvelopeAsynchronously(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.SyncObjects = 10; cfg.BatchSize = 50 })
	var objs []string
	for i := range 300 {
		objs = append(objs, indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", fmt.Sprint(i)))
	}
	st, r := c.add("iq-analyst", "from-IQ", objs...)
	wantStatus(t, r, http.StatusAccepted)
	if st.Status != "pending" || st.TotalCount != 300 || st.PendingCount != 300 || len(st.Pendings) != 300 {
		t.Fatalf("first status: %s %d/%d pending", st.Status, st.PendingCount, st.TotalCount)
	}
	deadline := time.Now().Add(30 * time.Second)
	for st.Status != "complete" {
		if time.Now().After(deadline) {
			t.Fatalf("still pending: %+v", st.PendingCount)
		}
		time.Sleep(20 * time.Millisecond)
		r := c.get("iq-analyst", root+"status/"+st.ID+"/")
		wantStatus(t, r, http.StatusOK)
		st = statusResource{}
		r.json(t, &st)
		if st.TotalCount != st.SuccessCount+st.FailureCount+st.PendingCount {
			t.Fatalf("counts do not add up: %+v", st)
		}
	}
	if st.SuccessCount != 300 {
		t.Errorf("complete with %d successes, %+v", st.SuccessCount, st.Failures)
	}
}

func TestDistributionOfAdditions(t *testing.T) {
	c := newTestCenter(t, nil)
	ctx := context.Background()
	d := center.Distribution{Parties: []center.PartyCode{"IR"}}
	if err := c.Recorder.SetTAXIIDistribution(ctx, c.principal("iq-analyst"), d); err == nil {
		t.Fatal("an analyst set the distribution")
	}
	if err := c.Recorder.SetTAXIIDistribution(ctx, c.principal("iq-officer"), center.Distribution{Parties: []center.PartyCode{"XX"}}); err == nil {
		t.Fatal("a distribution to an unknown party was accepted")
	}
	if err := c.Recorder.SetTAXIIDistribution(ctx, c.principal("iq-officer"), d); err != nil {
		t.Fatal(err)
	}
	id := newID("indicator")
	st, _ := c.add("iq-analyst", "from-IQ", indicator(id, "2026-01-01T00:00:00.000Z", "for IR"))
	if st.SuccessCount != 1 {
		t.Fatalf("%+v", st)
	}
	wantStatus(t, c.get("ir-analyst", colPath("from-IQ")+"objects/"+id+"/"), http.StatusOK)
	wantStatus(t, c.get("sy-analyst", colPath("from-IQ")+"objects/"+id+"/"), http.StatusNotFound)
	wantStatus(t, c.get("iq-analyst", colPath("from-IQ")+"objects/"+id+"/"), http.StatusOK)
}

func TestDelete(t *testing.T) {
	c := newTestCenter(t, nil)
	a, b, _ := versioned(c)
	del := func(user, col, id, query string) *resp {
		return c.do(req{method: http.MethodDelete, path: colPath(col) + "objects/" + id + "/" + query, user: user})
	}
	// Another party may not delete; shared-with-me is read-only.
	wantStatus(t, del("sy-analyst", "from-IQ", a, ""), http.StatusForbidden)
	wantStatus(t, del("iq-analyst", "shared-with-me", a, ""), http.StatusForbidden)
	wantStatus(t, del("iq-analyst", "from-IQ", newID("indicator"), ""), http.StatusNotFound)
	// The last version of a goes; the one before becomes the last.
	wantStatus(t, del("iq-analyst", "from-IQ", a, "?match[version]=last"), http.StatusOK)
	r := c.get("sy-analyst", colPath("from-IQ")+"objects/"+a+"/")
	var env envelope
	r.json(t, &env)
	if got := env.ids(t); !slices.Equal(got, []string{a + "@2026-02-01T00:00:00.000Z"}) {
		t.Errorf("after deleting the last: %v", got)
	}
	// All of b's versions go; it is 404 and left out of every list.
	wantStatus(t, del("iq-analyst", "from-IQ", b, ""), http.StatusOK)
	wantStatus(t, c.get("sy-analyst", colPath("from-IQ")+"objects/"+b+"/"), http.StatusNotFound)
	r = c.get("sy-analyst", colPath("shared-with-me")+"manifest/?match[version]=all")
	if strings.Contains(string(r.body), b) {
		t.Errorf("deleted object listed: %s", r.body)
	}
	wantStatus(t, del("iq-analyst", "from-IQ", b, ""), http.StatusNotFound)
	// Kept, revoked, with its event on the log.
	vs, err := c.Store.STIXObjectVersions(context.Background(), "IQ", b)
	if err != nil || len(vs) != 1 || vs[0].Revoked == nil {
		t.Errorf("stored versions of b: %+v %v", vs, err)
	}
	events, err := c.Store.Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(events, func(e center.Event) bool { return e.Type == record.STIXRevoked && e.Subject == b }) {
		t.Error("no revocation event")
	}
}

// The store answers TAXII's queries as the handlers use them: checked
// here against the store directly for what HTTP does not show.
func TestStoreQueryLimits(t *testing.T) {
	c := newTestCenter(t, nil)
	_, err := c.Store.TAXIIObjects(context.Background(), "IQ", store.TAXIIQuery{Limit: 0})
	if err == nil {
		t.Error("limit 0 accepted")
	}
	b, _ := json.Marshal(make([]string, 2000))
	_ = b
	_, err = c.Store.TAXIIObjects(context.Background(), "IQ", store.TAXIIQuery{Limit: 1, IDs: make([]string, 2000)})
	if err == nil {
		t.Error("2000 ids accepted")
	}
}

// Closing the server while an envelope is being recorded leaves its
// status complete: what was not recorded is a failure to send again.
func TestCloseLeavesNoPendingStatus(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.SyncObjects = 1; cfg.BatchSize = 10 })
	var objs []string
	for i := range 2000 {
		objs = append(objs, indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", fmt.Sprint(i)))
	}
	st, r := c.add("iq-analyst", "from-IQ", objs...)
	wantStatus(t, r, http.StatusAccepted)
	c.server.Close()
	got, err := c.Store.TAXIIStatus(context.Background(), "IQ", st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete() || got.Total != 2000 || len(got.Successes)+len(got.Failures) != 2000 {
		t.Fatalf("after Close: %d pending, %d successes, %d failures", len(got.Pendings), len(got.Successes), len(got.Failures))
	}
	for _, f := range got.Failures {
		if !strings.Contains(f.Message, "add it again") {
			t.Errorf("failure %+v", f)
		}
	}
	t.Logf("%d recorded before Close, %d to send again", len(got.Successes), len(got.Failures))
}

// A status left pending by a node that stopped is complete, its pending
// objects failures, once it has not changed for staleAfter.
func TestStalePendingStatus(t *testing.T) {
	c := newTestCenter(t, nil)
	ctx := context.Background()
	id := newID("indicator")
	st := store.TAXIIStatus{ID: "1f8a8f62-34a2-4d0e-9c1b-6c2b7d7f0a11", Party: "IQ", Username: "iq-analyst", Total: 2,
		Successes: []store.TAXIIStatusDetail{{ID: newID("indicator"), Version: "2026-01-01T00:00:00.000Z"}},
		Pendings:  []store.TAXIIStatusDetail{{ID: id, Version: "2026-01-01T00:00:00.000Z"}}}
	if err := c.Recorder.PutTAXIIStatus(ctx, st); err != nil {
		t.Fatal(err)
	}
	get := func() statusResource {
		r := c.get("iq-analyst", root+"status/"+st.ID+"/")
		wantStatus(t, r, http.StatusOK)
		var out statusResource
		r.json(t, &out)
		return out
	}
	c.Clock.Advance(staleAfter - time.Minute)
	if got := get(); got.Status != "pending" || got.PendingCount != 1 {
		t.Fatalf("fresh: %+v", got)
	}
	c.Clock.Advance(2 * time.Minute)
	got := get()
	if got.Status != "complete" || got.FailureCount != 1 || got.SuccessCount != 1 || got.Failures[0].ID != id ||
		!strings.Contains(got.Failures[0].Message, "add it again") {
		t.Fatalf("stale: %+v", got)
	}
	// Stored so: every node answers the same.
	if again := get(); again.FailureCount != 1 || again.Status != "complete" {
		t.Fatalf("again: %+v", again)
	}
}

// Objects with an "objects" property of their own (observed-data may
// have one) and custom objects are added like any other.
func TestAddObjectsOfEveryShape(t *testing.T) {
	c := newTestCenter(t, nil)
	od := newID("observed-data")
	custom := newID("x-acme-widget")
	st, r := c.add("iq-analyst", "from-IQ",
		`{"type":"observed-data","spec_version":"2.1","id":"`+od+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",`+
			`"first_observed":"2026-01-01T00:00:00Z","last_observed":"2026-01-01T00:00:00Z","number_observed":1,`+
			`"objects":{"0":{"type":"ipv4-addr","value":"198.51.100.1"}}}`,
		`{"type":"x-acme-widget","spec_version":"2.1","id":"`+custom+`","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","x_size":3}`,
		`{"type":"bundle","id":"bundle--6f0c0a8e-3f4c-4b6a-9a55-2f1de4f1c2a1","objects":[]}`,
	)
	wantStatus(t, r, http.StatusAccepted)
	if st.SuccessCount != 2 || st.FailureCount != 1 {
		t.Fatalf("status %+v", st)
	}
	r = c.get("sy-analyst", colPath("from-IQ")+"objects/"+od+"/")
	if !strings.Contains(string(r.body), `"objects":{"0":{"type":"ipv4-addr","value":"198.51.100.1"}}`) {
		t.Errorf("observed-data: %s", r.body)
	}
	r = c.get("sy-analyst", colPath("from-IQ")+"objects/"+custom+"/")
	if !strings.Contains(string(r.body), `"x_size":3`) {
		t.Errorf("custom object: %s", r.body)
	}
}

// tampered returns tok with one character of its MAC changed. It is not
// the last character, whose low bits base64 ignores, so the change is
// always one the server must see.
func tampered(tok string) string {
	i := len(tok) - 3
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
