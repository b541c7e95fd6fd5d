package taxii

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
)

// TestIsolation: SY's credentials never see IQ's objects shared with RU
// only — through any endpoint, filter, page or header — while RU does.
func TestIsolation(t *testing.T) {
	c := newTestCenter(t, func(cfg *Config) { cfg.DefaultPageSize = 2 })
	toRU := center.Distribution{Parties: []center.PartyCode{"RU"}}
	secret := newID("indicator")
	const secretName = "IQ to RU only"
	shared := []string{newID("indicator"), newID("indicator"), newID("indicator")}
	c.seed("iq-analyst", all, indicator(shared[0], "2026-01-01T00:00:00.000Z", "for all 0"))
	c.seed("iq-analyst", toRU, indicator(secret, "2026-01-01T00:00:00.000Z", secretName))
	c.seed("iq-analyst", all, indicator(shared[1], "2026-01-01T00:00:00.000Z", "for all 1"))
	c.seed("iq-analyst", toRU, indicator(secret, "2026-02-01T00:00:00.000Z", secretName))
	c.seed("iq-analyst", all, indicator(shared[2], "2026-01-01T00:00:00.000Z", "for all 2"))

	// RU sees the secret: the checks below can fail.
	r := c.get("ru-analyst", colPath("from-IQ")+"objects/"+secret+"/")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), secretName) {
		t.Fatalf("RU does not see the secret: %s", r.body)
	}
	ruManifest := c.get("ru-analyst", colPath("from-IQ")+"manifest/?match[id]="+secret+"&match[version]=all")
	var m struct{ Objects []manifestRecord }
	ruManifest.json(t, &m)
	if len(m.Objects) != 2 {
		t.Fatalf("RU manifest %s", ruManifest.body)
	}
	secretAdded := []string{m.Objects[0].DateAdded, m.Objects[1].DateAdded}

	// leaks checks a response for the secret; echoed says the request
	// named the secret's id, which the answer may then repeat.
	leaks := func(r *resp, what string, echoed ...bool) {
		t.Helper()
		words := []string{secret, secretName}
		if len(echoed) > 0 {
			words = words[1:]
		}
		for _, s := range words {
			if strings.Contains(string(r.body), s) {
				t.Errorf("%s: body leaks %q: %s", what, s, r.body)
			}
		}
		for _, h := range []string{"X-TAXII-Date-Added-First", "X-TAXII-Date-Added-Last"} {
			for _, added := range secretAdded {
				if r.header.Get(h) == added {
					t.Errorf("%s: %s is the secret's date_added", what, h)
				}
			}
		}
	}
	// Every page of every list endpoint, with every filter.
	filters := []string{"", "match[id]=" + secret, "match[id]=" + secret + "," + shared[1], "match[type]=indicator",
		"match[version]=all", "match[version]=first", "match[version]=2026-02-01T00:00:00Z",
		"match[spec_version]=2.1", "added_after=2026-01-01T00:00:00Z", "limit=1"}
	for _, col := range []string{"shared-with-me", "from-IQ", "from-RU", "from-SY"} {
		for _, list := range []string{"objects/", "manifest/"} {
			for _, f := range filters {
				path := colPath(col) + list + "?" + f
				n := 0
				for next := ""; ; n++ {
					p := path
					if next != "" {
						p += "&next=" + url.QueryEscape(next)
					}
					r := c.get("sy-analyst", p)
					wantStatus(t, r, http.StatusOK)
					leaks(r, p)
					var env envelope
					r.json(t, &env)
					if !env.More || n > 10 {
						break
					}
					next = env.Next
				}
			}
		}
		// The object's own endpoints answer as for an object that does
		// not exist.
		for _, p := range []string{"objects/" + secret + "/", "objects/" + secret + "/?match[version]=all",
			"objects/" + secret + "/versions/"} {
			r := c.get("sy-analyst", colPath(col)+p)
			wantStatus(t, r, http.StatusNotFound)
			leaks(r, p, true)
			absent := c.get("sy-analyst", colPath(col)+strings.ReplaceAll(p, secret, shared[0][:len(shared[0])-4]+"ffff"))
			if string(absent.body) != strings.ReplaceAll(string(r.body), secret, shared[0][:len(shared[0])-4]+"ffff") {
				t.Errorf("%s: the secret's 404 differs from an absent object's: %s / %s", p, r.body, absent.body)
			}
		}
		r := c.do(req{method: http.MethodDelete, path: colPath(col) + "objects/" + secret + "/", user: "sy-analyst"})
		leaks(r, "delete", true)
		if r.status == http.StatusOK {
			t.Errorf("SY deleted in %s", col)
		}
	}
	// SY adding an object with the secret's id learns nothing: it is SY's
	// own, new object.
	st, r := c.add("sy-analyst", "from-SY", indicator(secret, "2026-02-01T00:00:00.000Z", "SY's own"))
	wantStatus(t, r, http.StatusAccepted)
	leaks(r, "add", true)
	if st.SuccessCount != 1 || st.Successes[0].Message != "" {
		t.Errorf("SY's add of the same id: %+v", st)
	}
	// RU's view of the secret is unchanged by SY's object.
	r = c.get("ru-analyst", colPath("from-IQ")+"objects/"+secret+"/")
	if !strings.Contains(string(r.body), secretName) || strings.Contains(string(r.body), "SY's own") {
		t.Errorf("RU's view changed: %s", r.body)
	}
	// An object whose newer version went to RU only: SY's last version
	// is the one it may see, and nothing tells it a newer one exists.
	x := newID("indicator")
	c.seed("iq-analyst", all, indicator(x, "2026-01-01T00:00:00.000Z", "x for all"))
	c.seed("iq-analyst", toRU, indicator(x, "2026-05-01T00:00:00.000Z", secretName))
	for _, p := range []string{"objects/" + x + "/", "objects/?match[id]=" + x, "objects/?match[id]=" + x + "&match[version]=last",
		"manifest/?match[id]=" + x, "objects/" + x + "/versions/"} {
		r := c.get("sy-analyst", colPath("from-IQ")+p)
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(string(r.body), "2026-05-01") || strings.Contains(string(r.body), secretName) ||
			!strings.Contains(string(r.body), "2026-01-01T00:00:00.000") {
			t.Errorf("SY's %s: %s", p, r.body)
		}
	}
	r = c.get("ru-analyst", colPath("from-IQ")+"objects/"+x+"/")
	if !strings.Contains(string(r.body), "2026-05-01") {
		t.Errorf("RU's last version of x: %s", r.body)
	}
	// IQ's status resources stay IQ's.
	st, _ = c.add("iq-analyst", "from-IQ", indicator(newID("indicator"), "2026-01-01T00:00:00.000Z", "x"))
	wantStatus(t, c.get("sy-analyst", root+"status/"+st.ID+"/"), http.StatusNotFound)
}
