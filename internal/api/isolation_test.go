package api

import (
	"encoding/json"
	"fmt"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// TestIsolation checks every read path against the visibility rule: a
// party sees a report only if it is the source or in the distribution, it
// gets the same 404 for a report it may not see as for one that does not
// exist, and no list filter lets a hidden report through.
func TestIsolation(t *testing.T) {
	c := newTestCenter(t)
	type fixture struct {
		id      string
		source  string
		tlp     string
		tag     string
		revoked bool
		seenBy  []string // parties, the source included
	}
	draft := func(tlp, tag string, dist map[string]any) map[string]any {
		d := with(sampleDraft(), "tlp", tlp)
		d["tags"] = []string{tag}
		d["distribution"] = dist
		return d
	}
	iqRU := c.submit("iq-analyst", draft("AMBER", "iq-ru", map[string]any{"parties": []string{"RU"}}))
	c.Clock.Advance(time.Minute)
	regional := c.submit("iq-analyst", draft("GREEN", "regional", map[string]any{"committee": "regional"}))
	c.Clock.Advance(time.Minute)
	all := c.submit("iq-analyst", draft("GREEN", "all", map[string]any{"all": true}))
	c.Clock.Advance(time.Minute)
	ruIQ := c.submit("ru-analyst", draft("AMBER+STRICT", "ru-iq", map[string]any{"parties": []string{"IQ"}}))
	c.Clock.Advance(time.Minute)
	// A second version of iqRU, shared as narrowly, and a revoked report.
	c.do(http.MethodPut, reportsPath+"/"+iqRU.ID, c.token("iq-analyst"), draft("AMBER", "iq-ru", map[string]any{"parties": []string{"RU"}})).want(t, http.StatusOK)
	c.do(http.MethodPost, reportsPath+"/"+ruIQ.ID+"/revoke", c.token("ru-analyst"), nil).want(t, http.StatusOK)

	fixtures := []fixture{
		{id: iqRU.ID, source: "IQ", tlp: "AMBER", tag: "iq-ru", seenBy: []string{"IQ", "RU"}},
		{id: regional.ID, source: "IQ", tlp: "GREEN", tag: "regional", seenBy: []string{"IQ", "SY", "JO"}},
		{id: all.ID, source: "IQ", tlp: "GREEN", tag: "all", seenBy: []string{"IQ", "SY", "IR", "RU"}},
		{id: ruIQ.ID, source: "RU", tlp: "AMBER+STRICT", tag: "ru-iq", revoked: true, seenBy: []string{"IQ", "RU"}},
	}
	viewers := map[string]string{"IQ": "iq-analyst", "SY": "sy-analyst", "IR": "ir-analyst", "RU": "ru-analyst", "JO": "jo-analyst"}

	// The 404 of a report that does not exist, to compare with hidden ones.
	absent := c.do(http.MethodGet, reportsPath+"/report--00000000-0000-4000-8000-000000000000", c.token("sy-analyst"), nil).want(t, http.StatusNotFound).problem(t)

	filters := []struct {
		query string
		match func(fixture) bool
	}{
		{"", func(fixture) bool { return true }},
		{"source=IQ", func(f fixture) bool { return f.source == "IQ" }},
		{"source=ru", func(f fixture) bool { return f.source == "RU" }},
		{"tlp=amber", func(f fixture) bool { return f.tlp == "AMBER" }},
		{"tlp=TLP:GREEN", func(f fixture) bool { return f.tlp == "GREEN" }},
		{"tlp=tlp:amber%2Bstrict", func(f fixture) bool { return f.tlp == "AMBER+STRICT" }},
		{"tag=iq-ru", func(f fixture) bool { return f.tag == "iq-ru" }},
		{"tag=regional", func(f fixture) bool { return f.tag == "regional" }},
		{"tag=all", func(f fixture) bool { return f.tag == "all" }},
		{"tag=ru-iq", func(f fixture) bool { return f.tag == "ru-iq" }},
		{"since=" + url.QueryEscape(testcenter.Start.Format(time.RFC3339)), func(fixture) bool { return true }},
		{"until=" + url.QueryEscape(testcenter.Start.Add(time.Hour).Format(time.RFC3339)), func(fixture) bool { return true }},
		{"until=" + url.QueryEscape(testcenter.Start.Format(time.RFC3339)), func(fixture) bool { return false }},
		{"revoked=true", func(f fixture) bool { return f.revoked }},
		{"revoked=false", func(f fixture) bool { return !f.revoked }},
		{"limit=1", func(fixture) bool { return true }},
		{"limit=1&source=IQ&tlp=green", func(f fixture) bool { return f.source == "IQ" && f.tlp == "GREEN" }},
	}

	for party, user := range viewers {
		tok := c.token(user)
		t.Run(party, func(t *testing.T) {
			for _, f := range fixtures {
				visible := slices.Contains(f.seenBy, party)
				get := c.do(http.MethodGet, reportsPath+"/"+f.id, tok, nil)
				versions := c.do(http.MethodGet, reportsPath+"/"+f.id+"/versions", tok, nil)
				if visible {
					if rep := get.want(t, http.StatusOK).report(t); rep.ID != f.id {
						t.Errorf("GET %s returned %s", f.id, rep.ID)
					}
					var vs reportVersions
					versions.want(t, http.StatusOK).decode(t, &vs)
					if len(vs.Items) == 0 {
						t.Errorf("versions of %s: none", f.id)
					}
					continue
				}
				for what, res := range map[string]*response{"get": get, "versions": versions} {
					res.want(t, http.StatusNotFound)
					p := res.problem(t)
					if p.Type != absent.Type || p.Title != absent.Title || p.Detail != absent.Detail || len(p.Errors) != 0 {
						t.Errorf("%s of hidden %s: %+v, differs from a missing report's %+v", what, f.id, p, absent)
					}
				}
			}
			for _, flt := range filters {
				got := listAll(t, c, tok, flt.query)
				for _, f := range fixtures {
					want := slices.Contains(f.seenBy, party) && flt.match(f)
					if n := count(got, f.id); n != b2i(want) {
						t.Errorf("?%s lists %s %d times, want %d", flt.query, f.id, n, b2i(want))
					}
				}
				if len(got) > len(fixtures) {
					t.Errorf("?%s lists %d reports, more than exist", flt.query, len(got))
				}
			}
		})
	}
}

// TestPagination pages through 120 reports 50 at a time: every report
// comes exactly once, newest first, and the last page has no next_cursor.
func TestPagination(t *testing.T) {
	c := newTestCenter(t)
	who := c.principal("iq-analyst")
	var ids []string
	for i := range 120 {
		d := draftOf(t, with(sampleDraft(), "title", fmt.Sprintf("تقرير %d", i)))
		rep, err := c.Recorder.SubmitReport(t.Context(), who, d.centerDraft())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rep.ID)
		c.Clock.Advance(time.Second)
	}
	slices.Reverse(ids) // newest first

	var got []string
	cursor := ""
	for page := 0; ; page++ {
		if page > 3 {
			t.Fatal("more pages than 120 reports need")
		}
		path := reportsPath + "?limit=50"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		res := c.do(http.MethodGet, path, c.token("iq-analyst"), nil).want(t, http.StatusOK)
		if page < 2 && !jsonHas(t, res.body, "next_cursor") || page == 2 && jsonHas(t, res.body, "next_cursor") {
			t.Fatalf("page %d: next_cursor present = %v", page, jsonHas(t, res.body, "next_cursor"))
		}
		p := res.page(t)
		if want := []int{50, 50, 20}[page]; len(p.Items) != want {
			t.Fatalf("page %d has %d items, want %d", page, len(p.Items), want)
		}
		for _, r := range p.Items {
			got = append(got, r.ID)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paging returned %d ids, not every report once newest first", len(got))
	}
}

// listAll follows next_cursor to the end of a list.
func listAll(t *testing.T, c *testCenter, token, query string) []report {
	t.Helper()
	var out []report
	cursor := ""
	for range 100 {
		q := query
		if cursor != "" {
			if q != "" {
				q += "&"
			}
			q += "cursor=" + cursor
		}
		p := c.do(http.MethodGet, reportsPath+"?"+q, token, nil).want(t, http.StatusOK).page(t)
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out
		}
		cursor = p.NextCursor
	}
	t.Fatalf("?%s: no end of list", query)
	return nil
}

func count(rs []report, id string) int {
	n := 0
	for _, r := range rs {
		if r.ID == id {
			n++
		}
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// draftOf decodes a sample draft map as the server would.
func draftOf(t testing.TB, m map[string]any) draft {
	t.Helper()
	var d draft
	if err := json.Unmarshal(mustJSON(t, m), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// jsonHas reports whether a JSON object has a top-level key.
func jsonHas(t testing.TB, body []byte, key string) bool {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %.200s: %v", body, err)
	}
	_, ok := m[key]
	return ok
}
