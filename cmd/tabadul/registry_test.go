package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
)

// TestRegistryCurationReachesEveryNode: two nodes on one PostgreSQL
// database; an entity accepted through one node is, within a bounded
// time, expanded by the other node's search and matched by its
// extraction, although that node's registry was loaded before.
func TestRegistryCurationReachesEveryNode(t *testing.T) {
	db := pgtest.NewDatabase(t)
	nodes := startNodes(t, db, 2)
	a, b := nodes[0], nodes[1]
	tokens := map[string]string{}
	for _, u := range []string{"iq-analyst", "iq-officer", "ir-analyst"} {
		r := tabadul(t, "", "token", "create", "--db", db, "--user", u)
		if r.code != 0 {
			t.Fatalf("token create %s: %+v", u, r)
		}
		tokens[u] = strings.TrimSpace(r.stdout)
	}
	ctx := t.Context()
	// A report in Arabic naming a group no registry knows yet.
	before, err := submitTo(ctx, a.url, tokens["iq-analyst"], "تحركات كتيبة الشمال قرب الحدود")
	if err != nil {
		t.Fatal(err)
	}
	search := func(n *server, q string) map[string]string {
		t.Helper()
		code, body := get(t, n.url+"/api/v1/search?q="+url.QueryEscape(q), tokens["ir-analyst"])
		if code != http.StatusOK {
			t.Fatalf("search %q: %d %v", q, code, body)
		}
		return reportTitles(body)
	}
	const russian = `"Северная бригада"`
	if hits := search(b, russian); len(hits) != 0 {
		t.Fatalf("node B finds %v for a name no entity has", hits)
	}

	code, body, err := post(t, a.url+"/api/v1/entities", tokens["iq-analyst"], map[string]any{
		"type": "group", "name": "Northern Brigade", "aliases": []map[string]string{
			{"lang": "en", "name": "Northern Brigade"}, {"lang": "ar", "name": "كتيبة الشمال"}, {"lang": "ru", "name": "Северная бригада"}}})
	if err != nil || code != http.StatusCreated {
		t.Fatalf("propose: %d %s %v", code, body, err)
	}
	var e struct{ ID string }
	if err := json.Unmarshal(body, &e); err != nil || e.ID == "" {
		t.Fatalf("proposal: %s", body)
	}
	code, body, err = post(t, a.url+"/api/v1/entities/"+e.ID+"/curation", tokens["iq-officer"], map[string]any{"action": "accept"})
	if err != nil || code != http.StatusOK {
		t.Fatalf("accept on node A: %d %s %v", code, body, err)
	}
	accepted := time.Now()
	// Node A made the change: its search expands the name at once.
	if hits := search(a, russian); hits[before] == "" {
		t.Fatalf("node A's search for the Russian name right after acceptance: %v", hits)
	}
	// Node B follows within about registryFollow.
	bound := 5 * registryFollow
	for {
		if hits := search(b, russian); hits[before] != "" {
			break
		}
		if time.Since(accepted) > bound {
			t.Fatalf("node B's search does not expand the accepted entity's names %v after its acceptance", bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("node B searched with the curation %v after it", time.Since(accepted).Round(time.Millisecond))
	// Node B's extraction matches the entity in a report recorded there.
	after, err := submitTo(ctx, b.url, tokens["iq-analyst"], "كتيبة الشمال تنسحب")
	if err != nil {
		t.Fatal(err)
	}
	code, page := get(t, b.url+"/api/v1/entities/"+e.ID, tokens["ir-analyst"])
	if code != http.StatusOK {
		t.Fatalf("entity page on node B: %d %v", code, page)
	}
	if recent := reportTitles(page); len(recent) != 1 || recent[after] == "" {
		t.Errorf("the entity's reports on node B: %v, want the one recorded there after acceptance (%s)", recent, after)
	}
	for i, n := range nodes {
		if code := n.stop(t); code != 0 {
			t.Errorf("node %d exited %d; stderr:\n%s", i, code, n.stderr)
		}
	}
}
