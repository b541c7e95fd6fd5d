package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// addOfficers gives the test center an officer, with a token, for each of
// the given parties besides IQ's.
func (c *testCenter) addOfficers(parties ...center.PartyCode) {
	c.t.Helper()
	ctx := context.Background()
	for _, p := range parties {
		name := strings.ToLower(string(p)) + "-officer"
		if _, err := c.Recorder.CreateUser(ctx, center.User{Username: name, Party: p, Role: center.Officer}, "", testcenter.CheapHashing); err != nil {
			c.t.Fatalf("create %s: %v", name, err)
		}
		tok, _, err := c.Recorder.IssueToken(ctx, name, "test", 0)
		if err != nil {
			c.t.Fatalf("token for %s: %v", name, err)
		}
		c.tokens[name] = tok
	}
}

func (c *testCenter) governance(t *testing.T) governanceView {
	t.Helper()
	var g governanceView
	c.do(http.MethodGet, "/api/v1/governance", c.token("sy-analyst"), nil).want(t, http.StatusOK).decode(t, &g)
	return g
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestGovernanceView(t *testing.T) {
	c := newTestCenter(t)
	g := c.governance(t)
	if g.Chair == nil || g.Chair.Party != "IQ" || !g.Chair.TermStart.Equal(date("2026-12-01")) || !g.Chair.TermEnd.Equal(date("2027-03-01")) {
		t.Fatalf("chair = %+v, want IQ 2026-12-01..2027-03-01", g.Chair)
	}
	want := []string{"SY", "IR", "RU", "IQ", "SY", "IR", "RU", "IQ"}
	if len(g.Schedule) != len(want) {
		t.Fatalf("schedule has %d terms, want %d", len(g.Schedule), len(want))
	}
	start := date("2027-03-01")
	for i, p := range want {
		term := g.Schedule[i]
		if term.Party != p || !term.TermStart.Equal(start) || !term.TermEnd.Equal(start.AddDate(0, 3, 0)) {
			t.Errorf("term %d = %+v, want %s from %s", i, term, p, start.Format(time.DateOnly))
		}
		start = start.AddDate(0, 3, 0)
	}
	// The wire form is RFC 3339.
	raw := string(c.do(http.MethodGet, "/api/v1/governance", c.token("sy-analyst"), nil).body)
	if !strings.Contains(raw, `"chair":{"party":"IQ","term_start":"2026-12-01T00:00:00Z","term_end":"2027-03-01T00:00:00Z"}`) {
		t.Errorf("governance body does not carry the chair in the contract's form: %.400s", raw)
	}
	c.do(http.MethodGet, "/api/v1/governance", "", nil).want(t, http.StatusUnauthorized)
}

func TestHandover(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY")
	before := c.state()
	for _, user := range []string{"sy-officer", "iq-analyst", "jo-analyst"} {
		p := c.do(http.MethodPost, "/api/v1/governance/handover", c.token(user), nil).want(t, http.StatusForbidden).problem(t)
		if !strings.Contains(p.Detail, "IQ chairs until 2027-03-01") || p.Type != "urn:tabadul:problem:forbidden" {
			t.Errorf("%s: problem %+v does not name the chair and its term's end", user, p)
		}
	}
	if after := c.state(); after.events != before.events {
		t.Fatalf("refused handovers recorded %d events", after.events-before.events)
	}
	c.Clock.Set(time.Date(2027, 1, 15, 14, 0, 0, 0, time.UTC))
	var out struct {
		Next termView `json:"next"`
	}
	c.do(http.MethodPost, "/api/v1/governance/handover", c.token("iq-officer"), nil).want(t, http.StatusOK).decode(t, &out)
	if out.Next.Party != "SY" || !out.Next.TermStart.Equal(date("2027-01-16")) {
		t.Fatalf("next = %+v, want SY from 2027-01-16", out.Next)
	}
	p := c.do(http.MethodPost, "/api/v1/governance/handover", c.token("iq-officer"), nil).want(t, http.StatusConflict).problem(t)
	if !strings.Contains(p.Detail, "handover refused") {
		t.Errorf("second handover problem = %+v", p)
	}
	c.Clock.Set(date("2027-01-16"))
	if g := c.governance(t); g.Chair.Party != "SY" || !g.Chair.TermEnd.Equal(date("2027-04-16")) {
		t.Errorf("after handover chair = %+v", g.Chair)
	}
}

func TestAmendmentsOverHTTP(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY", "IR", "RU", "JO")
	var a amendmentView
	c.do(http.MethodPost, amendmentsPath, c.token("sy-officer"), map[string]any{"kind": "set_term", "months": 2}).
		want(t, http.StatusCreated).decode(t, &a)
	if a.Status != "open" || a.Proposer != "SY" || len(a.Awaiting) != 4 || !a.ExpiresAt.Equal(a.ProposedAt.Add(30*24*time.Hour)) {
		t.Fatalf("proposed = %+v", a)
	}
	for _, user := range []string{"iq-officer", "sy-officer", "ir-officer"} {
		c.do(http.MethodPost, amendmentsPath+"/"+a.ID+"/approve", c.token(user), nil).want(t, http.StatusOK)
	}
	id := a.ID
	a = amendmentView{}
	c.do(http.MethodPost, amendmentsPath+"/"+id+"/approve", c.token("ru-officer"), nil).want(t, http.StatusOK).decode(t, &a)
	if a.Status != "approved" || len(a.Awaiting) != 0 {
		t.Fatalf("after four approvals = %+v", a)
	}
	g := c.governance(t)
	if g.Rotation.TermMonths != 2 || !g.Schedule[0].TermEnd.Equal(date("2027-05-01")) {
		t.Errorf("term change not applied from the next term: %+v, %+v", g.Rotation, g.Schedule[0])
	}
	var got amendmentView
	c.do(http.MethodGet, amendmentsPath+"/"+a.ID, c.token("jo-analyst"), nil).want(t, http.StatusOK).decode(t, &got)
	if got.ID != a.ID || got.Status != "approved" {
		t.Errorf("GET amendment = %+v", got)
	}
}

// TestWitnessPolicyByAmendment: a party's witness key and the witness
// quorum change by amendment over HTTP, approved by every member.
func TestWitnessPolicyByAmendment(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY", "IR", "RU", "JO")
	ctx := context.Background()
	old := store.Witness{Party: "JO", VKey: testkit.WitnessVKey("witness/JO"), URL: "http://jo.example"}
	if err := c.Recorder.RegisterWitness(ctx, old); err != nil {
		t.Fatal(err)
	}
	// set_witness: JO's witness gets a new key.
	vkey := testkit.WitnessVKey("witness/JO")
	var a amendmentView
	c.do(http.MethodPost, amendmentsPath, c.token("sy-officer"),
		map[string]any{"kind": "set_witness", "party": "JO", "vkey": vkey, "url": "https://jo.example/witness"}).
		want(t, http.StatusCreated).decode(t, &a)
	if a.Kind != "set_witness" || a.Party != "JO" || a.VKey != vkey || a.URL != "https://jo.example/witness" || a.Quorum != nil || a.Status != "open" {
		t.Fatalf("proposed = %+v", a)
	}
	id := a.ID
	for _, user := range []string{"iq-officer", "sy-officer", "ir-officer", "ru-officer"} {
		a = amendmentView{}
		c.do(http.MethodPost, amendmentsPath+"/"+id+"/approve", c.token(user), nil).want(t, http.StatusOK).decode(t, &a)
	}
	if a.Status != "approved" {
		t.Fatalf("after four approvals = %+v", a)
	}
	ws, err := c.Store.Witnesses(ctx)
	if err != nil || len(ws) != 1 || ws[0].VKey != vkey || ws[0].URL != "https://jo.example/witness" {
		t.Fatalf("witnesses after set_witness = %+v, %v", ws, err)
	}

	// set_witness_quorum: 4, then back to the default, 0, which the view
	// shows.
	for _, q := range []int{4, 0} {
		c.do(http.MethodPost, amendmentsPath, c.token("ir-officer"), map[string]any{"kind": "set_witness_quorum", "quorum": q}).
			want(t, http.StatusCreated).decode(t, &a)
		if a.Kind != "set_witness_quorum" || a.Quorum == nil || *a.Quorum != q {
			t.Fatalf("proposed = %+v", a)
		}
		if raw := string(c.do(http.MethodGet, amendmentsPath+"/"+a.ID, c.token("jo-analyst"), nil).want(t, http.StatusOK).body); !strings.Contains(raw, fmt.Sprintf(`"quorum":%d`, q)) {
			t.Errorf("the amendment's view does not show the quorum: %s", raw)
		}
		id := a.ID
		for _, user := range []string{"iq-officer", "sy-officer", "ir-officer", "ru-officer"} {
			c.do(http.MethodPost, amendmentsPath+"/"+id+"/approve", c.token(user), nil).want(t, http.StatusOK)
		}
		if v, _ := c.Store.Meta(ctx, record.MetaWitnessQuorum); v != strconv.Itoa(q) {
			t.Errorf("witness quorum after the amendment = %q, want %d", v, q)
		}
	}

	// What the rules refuse, with nothing recorded.
	for _, tt := range []struct {
		desc string
		body map[string]any
	}{
		{"set_witness of an unknown party", map[string]any{"kind": "set_witness", "party": "XX", "vkey": testkit.WitnessVKey("witness/XX"), "url": "http://xx.example"}},
		{"set_witness with a malformed key", map[string]any{"kind": "set_witness", "party": "IQ", "vkey": "witness/IQ", "url": "http://iq.example"}},
		{"set_witness with a bad URL", map[string]any{"kind": "set_witness", "party": "IQ", "vkey": testkit.WitnessVKey("witness/IQ"), "url": "file:///etc/passwd"}},
		{"set_witness with the key it has", map[string]any{"kind": "set_witness", "party": "JO", "vkey": vkey, "url": "http://jo2.example"}},
		{"a quorum over the members", map[string]any{"kind": "set_witness_quorum", "quorum": 5}},
		{"the quorum it is", map[string]any{"kind": "set_witness_quorum", "quorum": 0}},
	} {
		before := c.state()
		p := c.do(http.MethodPost, amendmentsPath, c.token("sy-officer"), tt.body).want(t, http.StatusUnprocessableEntity).problem(t)
		if p.Type != "urn:tabadul:problem:invalid-input" {
			t.Errorf("%s: problem %+v", tt.desc, p)
		}
		if after := c.state(); after.events != before.events {
			t.Errorf("%s: recorded %d events", tt.desc, after.events-before.events)
		}
	}
	c.do(http.MethodPost, amendmentsPath, c.token("sy-officer"), map[string]any{"kind": "set_witness_quorum", "quorum": -1}).
		want(t, http.StatusUnprocessableEntity)
}

func TestGovernanceBadInput(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY", "IR", "RU", "JO")
	propose := func(user string, body map[string]any) amendmentView {
		var a amendmentView
		c.do(http.MethodPost, amendmentsPath, c.token(user), body).want(t, http.StatusCreated).decode(t, &a)
		return a
	}
	open := propose("iq-officer", map[string]any{"kind": "set_term", "months": 1})
	rejected := propose("iq-officer", map[string]any{"kind": "set_term", "months": 2})
	c.do(http.MethodPost, amendmentsPath+"/"+rejected.ID+"/reject", c.token("ru-officer"), nil).want(t, http.StatusOK)
	c.do(http.MethodPost, amendmentsPath+"/"+open.ID+"/approve", c.token("iq-officer"), nil).want(t, http.StatusOK)

	tests := []struct {
		name, method, path, user string
		body                     any
		status                   int
		problem                  string
	}{
		{"analyst proposes", "POST", amendmentsPath, "iq-analyst", map[string]any{"kind": "set_term", "months": 1}, 403, "forbidden"},
		{"associate proposes", "POST", amendmentsPath, "jo-officer", map[string]any{"kind": "set_term", "months": 1}, 403, "forbidden"},
		{"associate approves", "POST", amendmentsPath + "/" + open.ID + "/approve", "jo-officer", nil, 403, "forbidden"},
		{"analyst approves", "POST", amendmentsPath + "/" + open.ID + "/approve", "sy-analyst", nil, 403, "forbidden"},
		{"double approval", "POST", amendmentsPath + "/" + open.ID + "/approve", "iq-officer", nil, 409, "conflict"},
		{"approve a rejected proposal", "POST", amendmentsPath + "/" + rejected.ID + "/approve", "sy-officer", nil, 409, "conflict"},
		{"approve an unknown proposal", "POST", amendmentsPath + "/amendment--nope/approve", "sy-officer", nil, 404, "not-found"},
		{"term over the maximum", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "set_term", "months": 4}, 422, "invalid-input"},
		{"unknown kind", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "dissolve"}, 422, "invalid-input"},
		{"remove an unknown party", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "remove_party", "party": "XX"}, 422, "invalid-input"},
		{"add an existing party", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "add_member", "party": "IR", "names": map[string]string{"en": "Iran"}}, 422, "invalid-input"},
		{"order without a member", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "set_order", "order": []string{"IQ", "SY", "IR"}}, 422, "invalid-input"},
		{"committee with an unknown party", "POST", amendmentsPath, "sy-officer", map[string]any{"kind": "set_committee", "committee": "x", "members": []string{"XX"}}, 422, "invalid-input"},
		{"malformed body", "POST", amendmentsPath, "sy-officer", `{"kind": "set_term",`, 400, "bad-request"},
		{"no token", "POST", amendmentsPath + "/" + open.ID + "/approve", "", nil, 401, "unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.state()
			tok := ""
			if tt.user != "" {
				tok = c.token(tt.user)
			}
			p := c.do(tt.method, tt.path, tok, tt.body).want(t, tt.status).problem(t)
			if p.Type != "urn:tabadul:problem:"+tt.problem {
				t.Errorf("problem type %q, want %s", p.Type, tt.problem)
			}
			if after := c.state(); after.events != before.events {
				t.Errorf("refused request recorded %d events", after.events-before.events)
			}
		})
	}
	// Expired proposals take no votes.
	c.Clock.Advance(31 * 24 * time.Hour)
	c.do(http.MethodPost, amendmentsPath+"/"+open.ID+"/approve", c.token("sy-officer"), nil).want(t, http.StatusConflict)
	var a amendmentView
	c.do(http.MethodGet, amendmentsPath+"/"+open.ID, c.token("sy-officer"), nil).want(t, http.StatusOK).decode(t, &a)
	if a.Status != "expired" {
		t.Errorf("status after 31 days = %s, want expired", a.Status)
	}
}

// TestChairSeesNoMore checks every read path: the chair's officers see
// exactly what their party's analysts see.
func TestChairSeesNoMore(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY")
	hidden := c.submit("sy-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"RU"}}))
	shared := c.submit("sy-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"IQ"}}))
	for _, user := range []string{"iq-officer", "iq-analyst"} {
		tok := c.token(user)
		c.do(http.MethodGet, reportsPath+"/"+hidden.ID, tok, nil).want(t, http.StatusNotFound)
		c.do(http.MethodGet, reportsPath+"/"+hidden.ID+"/versions", tok, nil).want(t, http.StatusNotFound)
		c.do(http.MethodPut, reportsPath+"/"+hidden.ID, tok, sampleDraft()).want(t, http.StatusNotFound)
		c.do(http.MethodPost, reportsPath+"/"+hidden.ID+"/revoke", tok, nil).want(t, http.StatusNotFound)
		c.do(http.MethodGet, reportsPath+"/"+shared.ID, tok, nil).want(t, http.StatusOK)
		for _, q := range []string{"", "?source=SY", "?tlp=GREEN", "?revoked=false"} {
			page := c.do(http.MethodGet, reportsPath+q, tok, nil).want(t, http.StatusOK).page(t)
			for _, r := range page.Items {
				if r.ID == hidden.ID {
					t.Errorf("%s lists %s with %q", user, hidden.ID, q)
				}
			}
			if len(page.Items) != 1 && q != "?tlp=GREEN" {
				t.Errorf("%s sees %d reports with %q, want 1", user, len(page.Items), q)
			}
		}
	}
}

// TestBulletinsAreAChairPower: only the chair's officers publish; every
// party reads; a refusal names the chair and records nothing.
func TestBulletinsAreAChairPower(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY", "JO")
	msg := map[string]any{"title": "اجتماع الخلية", "body": "يعقد الاجتماع القادم في بغداد.", "language": "ar"}
	for _, user := range []string{"sy-officer", "jo-officer", "iq-analyst"} {
		before := c.state()
		p := c.do(http.MethodPost, bulletinsPath, c.token(user), msg).want(t, http.StatusForbidden).problem(t)
		if !strings.Contains(p.Detail, "IQ chairs until 2027-03-01") {
			t.Errorf("%s: detail %q does not name the chair", user, p.Detail)
		}
		if c.state().events != before.events {
			t.Errorf("%s: refused bulletin recorded an event", user)
		}
	}
	var b center.Bulletin
	c.do(http.MethodPost, bulletinsPath, c.token("iq-officer"), msg).want(t, http.StatusCreated).decode(t, &b)
	if b.Party != "IQ" || b.Author != "iq-officer" || b.Title != "اجتماع الخلية" {
		t.Fatalf("bulletin = %+v", b)
	}
	c.do(http.MethodPost, bulletinsPath, c.token("iq-officer"), map[string]any{"title": "", "body": "x"}).want(t, http.StatusUnprocessableEntity)
	for _, user := range []string{"sy-analyst", "jo-analyst", "ru-analyst"} {
		var list struct {
			Items []center.Bulletin `json:"items"`
		}
		c.do(http.MethodGet, bulletinsPath, c.token(user), nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != b.ID {
			t.Errorf("%s sees bulletins %+v", user, list.Items)
		}
	}
	// After a handover the new chair publishes and the old one may not.
	c.Clock.Set(time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC))
	c.do(http.MethodPost, "/api/v1/governance/handover", c.token("iq-officer"), nil).want(t, http.StatusOK)
	c.Clock.Set(time.Date(2027, 1, 16, 0, 0, 1, 0, time.UTC))
	c.do(http.MethodPost, bulletinsPath, c.token("sy-officer"), msg).want(t, http.StatusCreated)
	p := c.do(http.MethodPost, bulletinsPath, c.token("iq-officer"), msg).want(t, http.StatusForbidden).problem(t)
	if !strings.Contains(p.Detail, "SY chairs until 2027-04-16") {
		t.Errorf("detail after handover = %q", p.Detail)
	}
}

func TestRetentionIsAChairPower(t *testing.T) {
	c := newTestCenter(t)
	c.addOfficers("SY")
	before := c.state()
	p := c.do(http.MethodPut, retentionPath, c.token("sy-officer"), map[string]any{"revoked_days": 30}).want(t, http.StatusForbidden).problem(t)
	if !strings.Contains(p.Detail, "IQ chairs until") {
		t.Errorf("detail %q does not name the chair", p.Detail)
	}
	c.do(http.MethodPut, retentionPath, c.token("iq-officer"), map[string]any{"revoked_days": -1}).want(t, http.StatusUnprocessableEntity)
	if c.state().events != before.events {
		t.Fatal("refused retention changes recorded events")
	}
	c.do(http.MethodPut, retentionPath, c.token("iq-officer"), map[string]any{"revoked_days": 90}).want(t, http.StatusOK)
	var got struct {
		RevokedDays int `json:"revoked_days"`
	}
	c.do(http.MethodGet, retentionPath, c.token("jo-analyst"), nil).want(t, http.StatusOK).decode(t, &got)
	if got.RevokedDays != 90 {
		t.Errorf("retention = %d, want 90", got.RevokedDays)
	}
}
