package taxii

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// taxiiClient behaves as TAXII 2.1 clients in the field do: it follows
// the URLs the server gives, ends every URL with a slash, compares the
// Content-Type of every response token by token (testCenter.do), and
// lowers its limit when the server answers a shorter page than asked.
type taxiiClient struct {
	c     *testCenter
	t     *testing.T
	user  string
	limit int
	// lowered counts the times it lowered its limit.
	lowered int
}

func slash(u string) string {
	if !strings.HasSuffix(u, "/") {
		return u + "/"
	}
	return u
}

func (cl *taxiiClient) get(u string, v any) *resp {
	cl.t.Helper()
	r := cl.c.do(req{method: http.MethodGet, path: u, user: cl.user})
	wantStatus(cl.t, r, http.StatusOK)
	if v != nil {
		r.json(cl.t, v)
	}
	return r
}

// objects pages through a collection's objects with limit and next,
// returning the objects' ids in order.
func (cl *taxiiClient) objects(colURL, filter string) []string {
	cl.t.Helper()
	var ids []string
	next := ""
	for pages := 0; ; pages++ {
		if pages > 10000 {
			cl.t.Fatal("paging does not end")
		}
		q := url.Values{}
		q.Set("limit", fmt.Sprint(cl.limit))
		if next != "" {
			q.Set("next", next)
		}
		u := slash(colURL+"objects") + "?" + q.Encode()
		if filter != "" {
			u += "&" + filter
		}
		var env envelope
		r := cl.get(u, &env)
		for _, raw := range env.Objects {
			var o struct{ ID string }
			json.Unmarshal(raw, &o)
			ids = append(ids, o.ID)
		}
		if len(env.Objects) > 0 && (r.header.Get("X-TAXII-Date-Added-First") == "" || r.header.Get("X-TAXII-Date-Added-Last") == "") {
			cl.t.Errorf("page without date_added headers")
		}
		if !env.More {
			return ids
		}
		if env.Next == "" {
			cl.t.Fatal("more without next")
		}
		if n := len(env.Objects); n < cl.limit {
			cl.limit = n
			cl.lowered++
		}
		next = env.Next
	}
}

func TestClientEndToEnd(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.MaxPageSize = 700 })
	const n = 5000
	objs := make([]string, n)
	want := make([]string, n)
	for i := range n {
		want[i] = newID("indicator")
		objs[i] = indicator(want[i], "2026-01-01T00:00:00.000Z", fmt.Sprint("object ", i))
	}
	for i := 0; i < n; i += 1000 {
		c.seed("iq-analyst", all, objs[i:i+1000]...)
	}
	cl := &taxiiClient{c: c, t: t, user: "sy-analyst", limit: 1000}

	// Discover, then follow the URLs the server gives.
	var disc discoveryResource
	cl.get(c.http.URL+"/taxii2/", &disc)
	if len(disc.APIRoots) == 0 {
		t.Fatal("no api roots")
	}
	apiRoot := slash(disc.APIRoots[0])
	var ar apiRootResource
	cl.get(apiRoot, &ar)
	if !slices.Contains(ar.Versions, taxiiMediaType) {
		t.Fatalf("api root versions %v", ar.Versions)
	}
	var cols struct{ Collections []collectionResource }
	cl.get(slash(apiRoot+"collections"), &cols)
	byID := map[string]collectionResource{}
	for _, col := range cols.Collections {
		byID[col.ID] = col
		var one collectionResource
		cl.get(slash(apiRoot+"collections/"+col.ID), &one)
		if one.ID != col.ID {
			t.Errorf("collection %s answers as %s", col.ID, one.ID)
		}
	}
	fromIQ, mine := byID["from-IQ"], byID["from-SY"]
	if !fromIQ.CanRead || fromIQ.CanWrite || !mine.CanWrite {
		t.Fatalf("collections %+v", cols.Collections)
	}

	// Page through the 5,000 objects: the server caps the page at 700,
	// the client lowers its limit from 1,000 and carries on with next.
	start := time.Now()
	got := cl.objects(slash(apiRoot+"collections/"+fromIQ.ID), "")
	t.Logf("paged %d objects in %v", len(got), time.Since(start))
	if !slices.Equal(got, want) {
		t.Fatalf("paged %d objects, want the %d in date_added order", len(got), n)
	}
	if cl.lowered != 1 || cl.limit != 700 {
		t.Errorf("the client lowered its limit %d times, to %d", cl.lowered, cl.limit)
	}
	// A filtered walk over the same pages.
	if got := cl.objects(slash(apiRoot+"collections/"+fromIQ.ID), "match[type]=identity"); len(got) != 0 {
		t.Errorf("identities: %v", got)
	}

	// Add objects to its own collection: more than are recorded at once,
	// so the status is pending first; poll it until complete.
	var added []string
	var env []string
	for i := range 250 {
		id := newID("indicator")
		added = append(added, id)
		env = append(env, indicator(id, "2026-01-01T00:00:00.000Z", fmt.Sprint("from SY ", i)))
	}
	id0 := added[0]
	env = append(env, indicator(id0, "2026-06-01T00:00:00.000Z", "from SY 0, revised"))
	r := c.do(req{method: http.MethodPost, path: slash(apiRoot + "collections/" + mine.ID + "/objects"), user: "sy-analyst",
		body: []byte(`{"objects":[` + strings.Join(env, ",") + `]}`)})
	wantStatus(t, r, http.StatusAccepted)
	var st statusResource
	r.json(t, &st)
	if st.TotalCount != 251 || st.Status != "pending" || st.PendingCount != 251 {
		t.Fatalf("first status %s: %d pending of %d", st.Status, st.PendingCount, st.TotalCount)
	}
	deadline := time.Now().Add(60 * time.Second)
	for st.Status != "complete" {
		if time.Now().After(deadline) {
			t.Fatalf("status still pending: %d", st.PendingCount)
		}
		time.Sleep(10 * time.Millisecond)
		id := st.ID
		st = statusResource{}
		cl.get(slash(apiRoot+"status/"+id), &st)
		if st.ID != id || r.header.Get("Location") != apiRoot+"status/"+id+"/" {
			t.Fatalf("status %s answers as %s; Location %s", id, st.ID, r.header.Get("Location"))
		}
	}
	if st.SuccessCount != 251 || st.FailureCount != 0 {
		t.Fatalf("status %+v", st)
	}

	// Manifest and versions of what it added.
	var m struct {
		More    bool
		Objects []manifestRecord
	}
	cl.get(slash(apiRoot+"collections/"+mine.ID+"/manifest")+"?match[id]="+id0+"&match[version]=all", &m)
	if len(m.Objects) != 2 || m.Objects[1].Version != "2026-06-01T00:00:00.000000Z" {
		t.Errorf("manifest %+v", m.Objects)
	}
	var v struct{ Versions []string }
	cl.get(slash(apiRoot+"collections/"+mine.ID+"/objects/"+id0+"/versions"), &v)
	if !slices.Equal(v.Versions, []string{"2026-01-01T00:00:00.000000Z", "2026-06-01T00:00:00.000000Z"}) {
		t.Errorf("versions %v", v.Versions)
	}
	// Others see SY's objects in from-SY, the latest version by default.
	other := &taxiiClient{c: c, t: t, user: "ir-analyst", limit: 100}
	if got := other.objects(slash(apiRoot+"collections/from-SY"), ""); !slices.Equal(got, append(added[1:], id0)) {
		t.Errorf("IR sees %d of SY's objects", len(got))
	}
}
