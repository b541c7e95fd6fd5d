package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzProposeEntity feeds arbitrary bytes to POST /api/v1/entities as an
// authenticated analyst. Whatever the bytes, the server must not fail (no
// 5xx), must answer a refusal with a problem and record nothing, and must
// record exactly one entity.proposed event for a 201, whose entity is
// pending and readable by its proposer. The seed corpus in
// testdata/fuzz/FuzzProposeEntity holds real proposals in the four
// languages and known bad shapes.
func FuzzProposeEntity(f *testing.F) {
	c := newEntityCenter(f)
	h := c.server.Handler()
	tok := c.token("sy-analyst")
	ctx := context.Background()
	f.Add([]byte(`{"type":"group","name":"Northern Brigade","aliases":[{"lang":"ar","name":"كتيبة الشمال"},{"lang":"en","name":"Northern Brigade"}]}`))
	events := c.watchEvents(f)

	f.Fuzz(func(t *testing.T, body []byte) {
		rec, recorded, ok := postFuzzed(t, h, entitiesPath, tok, body, events, http.StatusCreated)
		if !ok {
			return
		}
		if len(recorded) != 1 || recorded[0].Type != "entity.proposed" {
			t.Fatalf("201, yet events %+v", recorded)
		}
		var got entityView
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Status != "proposed" || len(got.Aliases) == 0 {
			t.Fatalf("201 with body %s: %v", rec.Body.Bytes(), err)
		}
		if e, err := c.Store.Entity(ctx, got.ID); err != nil || e.ProposedBy != "SY" {
			t.Fatalf("201, yet %s reads %+v, %v", got.ID, e, err)
		}
	})
}

// FuzzCurateEntity feeds arbitrary bytes to POST
// /api/v1/entities/{id}/curation as the chair's officer. Whatever the
// bytes: no 5xx, a refusal is a problem and records nothing, a 200
// records exactly one entity.curated event.
func FuzzCurateEntity(f *testing.F) {
	c := newEntityCenter(f)
	h := c.server.Handler()
	tok := c.token("iq-officer")
	for _, s := range []string{
		`{"action":"rename","name":"ISIL"}`,
		`{"action":"accept"}`,
		`{"action":"merge","into":"group--al-qaeda"}`,
		`{"action":"split","name":"x","aliases":[{"lang":"ar","name":"داعش"}]}`,
		`{"action":"reject","aliases":[{"lang":"en","name":"nope"}]}`,
	} {
		f.Add("group--isis", []byte(s))
	}
	events := c.watchEvents(f)
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		rec := postJSON(h, entitiesPath+"/"+id+"/curation", tok, body)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q %q: %s", rec.Code, id, body, rec.Body.Bytes())
		}
		recorded := events.since(t)
		if rec.Code != http.StatusOK {
			if len(recorded) != 0 {
				t.Fatalf("status %d, yet %d events recorded", rec.Code, len(recorded))
			}
			return
		}
		if len(recorded) != 1 || recorded[0].Type != "entity.curated" {
			t.Fatalf("200, yet events %+v", recorded)
		}
	})
}
