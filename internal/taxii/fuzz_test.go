package taxii

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// FuzzQuery: any query string parses to a query or a 400, never a panic,
// and a parsed query's binding is the same for the same filters however
// they are ordered.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"", "added_after=2026-12-01T09:00:00.000000Z", "limit=100&next=AQAGKx3Cq8AAgUyr8s2Wq9lM1iIYxkCLKg",
		"match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f,identity--311b2d2d-f010-4473-83ec-1edf84858f4c",
		"match[type]=indicator,sighting&match[version]=first,last,2016-01-01T01:01:01.000Z",
		"match[spec_version]=2.1&match[version]=all", "limit=0", "limit=-5", "limit=1e3", "added_after=2016-13-01T00:00:00Z",
		"match[id]=&match[type]=,", "match%5Bversion%5D=last", "limit=99999999999999999999",
	} {
		f.Add(s)
	}
	all := []string{paramAddedAfter, paramLimit, paramNext, paramID, paramType, paramVersion, paramSpecVersion}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseQuery(v, all...)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Status != 400 {
				t.Fatalf("%q: %v is not a 400", raw, err)
			}
			return
		}
		if q.limit < 0 || len(q.ids) > maxValues || len(q.types) > maxValues {
			t.Fatalf("%q parsed to %+v", raw, q)
		}
		// Reversing each parameter's values binds the same.
		rv := url.Values{}
		for k, vals := range v {
			for i := len(vals) - 1; i >= 0; i-- {
				rv.Add(k, vals[i])
			}
		}
		q2, err := parseQuery(rv, all...)
		if err == nil && q2.binding() != q.binding() {
			t.Fatalf("%q binds %q, reversed %q", raw, q.binding(), q2.binding())
		}
	})
}

// FuzzNextToken: only tokens the pager made, for the same party and
// query, open; they open to where they were made.
func FuzzNextToken(f *testing.F) {
	p := pager{key: bytes.Repeat([]byte{7}, 32)}
	good := p.token(time.Date(2026, 12, 1, 9, 0, 0, 123456000, time.UTC), "SY", "objects\x00from-IQ\x00\x00after=")
	f.Add(good, "SY", "objects\x00from-IQ\x00\x00after=")
	f.Add(good, "RU", "objects\x00from-IQ\x00\x00after=")
	f.Add("", "SY", "")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "SY", "x")
	f.Add("////", "IQ", "manifest")
	f.Fuzz(func(t *testing.T, tok, party, bound string) {
		at, err := p.open(tok, partyCode(party), bound)
		if err != nil {
			return
		}
		// Accepted: it must be the one token for (at, party, bound).
		if want := p.token(at, partyCode(party), bound); want != tok {
			t.Fatalf("opened %q, which the pager would write %q", tok, want)
		}
	})
}

// FuzzEnvelope: any body is an envelope or a 400; an envelope's objects
// are JSON objects.
func FuzzEnvelope(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "testdata", "stix", "examples", "*.json"))
	for _, s := range seeds[:min(len(seeds), 20)] {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"objects":[]}`, `{"more":false,"objects":[{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}]}`,
		`{"objects":[1,2]}`, `{"objects":{}}`, `[]`, `{"objects":[{}],"next":"x"}`, `{"objects":[{"id":5,"modified":[]}]} `,
		"{\"objects\":[{\"name\":\"\xff\"}]}", `{"objects":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		objs, err := parseEnvelope(body)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Status != 400 {
				t.Fatalf("%v is not a 400", err)
			}
			return
		}
		for i, o := range objs {
			var m map[string]json.RawMessage
			if err := json.Unmarshal(o.raw, &m); err != nil || m == nil {
				t.Fatalf("object %d is not a JSON object: %s", i, o.raw)
			}
		}
	})
}

func partyCode(s string) center.PartyCode { return center.PartyCode(s) }
