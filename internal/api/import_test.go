package api

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/collect/stix/stixtest"
)

const (
	importIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-01-02T03:04:05.000Z","modified":"2026-01-02T03:04:05.000Z","name":"C2","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2026-01-02T03:04:05Z"}`
	importReport    = `{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3","created":"2026-01-02T03:04:05.000Z","modified":"2026-01-02T03:04:05.000Z","name":"Secret C2 for SY","description":"only SY","published":"2026-01-02T00:00:00Z","object_refs":["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]}`
)

func importBody(objs ...string) string {
	return `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(objs, ",") + `]}`
}

// Import and export over HTTP: what IQ shares with SY alone reaches SY's
// export and no one else's, in any way.
func TestImportExportIsolation(t *testing.T) {
	c := newTestCenter(t)
	var sum stix.Summary
	c.do(http.MethodPost, "/api/v1/import?to=SY&tlp=RED", c.token("iq-analyst"), importBody(importIndicator, importReport)).want(t, http.StatusOK).decode(t, &sum)
	if sum.Imported != 2 {
		t.Fatalf("summary %+v", sum)
	}
	v, err := stixtest.NewValidator(stixtest.SchemaDir())
	if err != nil {
		t.Fatal(err)
	}
	for user, sees := range map[string]bool{"iq-analyst": true, "sy-analyst": true, "ir-analyst": false, "ru-analyst": false, "jo-analyst": false} {
		r := c.do(http.MethodGet, "/api/v1/export?format=stix", c.token(user), nil).want(t, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "application/stix+json;version=2.1" {
			t.Errorf("content type %q", ct)
		}
		if _, err := v.ValidateBundle(r.body); err != nil {
			t.Fatalf("%s's export: %v", user, err)
		}
		for _, id := range []string{"indicator--8e2e2d2b", "report--84e4d88f", "Secret C2"} {
			if got := strings.Contains(string(r.body), id); got != sees {
				t.Errorf("%s's export holds %s: %v, want %v", user, id, got, sees)
			}
		}
		// The report is a Tabadul report shared the same way.
		status := c.do(http.MethodGet, "/api/v1/reports/report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3", c.token(user), nil).status
		if (status == http.StatusOK) != sees {
			t.Errorf("%s reads the report: %d", user, status)
		}
	}
	// Another party's import of the same ids says nothing of IQ's: its
	// own copy of the indicator is new to it, and the report id is taken
	// without a word of whose.
	r := c.do(http.MethodPost, "/api/v1/import", c.token("ru-analyst"), importBody(importIndicator, importReport)).want(t, http.StatusUnprocessableEntity)
	if strings.Contains(string(r.body), "Secret") || strings.Contains(string(r.body), "SY") || strings.Contains(string(r.body), "IQ") {
		t.Errorf("the refusal leaks: %s", r.body)
	}
}

// Bad input is refused whole, with reasons, and records nothing.
func TestImportBadInput(t *testing.T) {
	c := newTestCenter(t)
	ex, _ := os.ReadFile(filepath.Join(stixtest.ExampleDir(), "interop-objectmarking-test.json"))
	for _, tt := range []struct {
		name, path, body, want string
		status                 int
	}{
		{"malformed", "/api/v1/import", `{"type":"bundle",`, "ends early", http.StatusUnprocessableEntity},
		{"one bad object", "/api/v1/import", importBody(importIndicator, strings.Replace(importReport, `"2.1"`, `"2.0"`, 1)), "objects[1]", http.StatusUnprocessableEntity},
		{"unknown marking", "/api/v1/import", string(ex), "unknown marking", http.StatusUnprocessableEntity},
		{"bad tlp", "/api/v1/import?tlp=PURPLE", importBody(importIndicator), "query.tlp", http.StatusBadRequest},
		{"to and committee", "/api/v1/import?to=SY&committee=quad", importBody(importIndicator), "not both", http.StatusBadRequest},
		{"RED to all", "/api/v1/import?tlp=RED", importBody(importIndicator), "TLP:RED", http.StatusUnprocessableEntity},
		{"misp without uuid", "/api/v1/import?format=misp", `{"Event":{"info":"x"}}`, "no uuid", http.StatusUnprocessableEntity},
		{"unknown party", "/api/v1/import?to=XX", importBody(importIndicator), "unknown party", http.StatusUnprocessableEntity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := c.state()
			r := c.do(http.MethodPost, tt.path, c.token("iq-analyst"), tt.body).want(t, tt.status)
			if !strings.Contains(string(r.body), tt.want) {
				t.Errorf("body %s, want %q", r.body, tt.want)
			}
			if after := c.state(); after.events != before.events || after.reports != before.reports {
				t.Errorf("recorded something: %+v → %+v", before, after)
			}
		})
	}
	c.do(http.MethodPost, "/api/v1/import", "", importBody(importIndicator)).want(t, http.StatusUnauthorized)
	c.do(http.MethodGet, "/api/v1/export", "", nil).want(t, http.StatusUnauthorized)
}

// A MISP event imports over HTTP, detected.
func TestImportMISP(t *testing.T) {
	c := newTestCenter(t)
	ev, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "misp", "events", "57c4445b-c548-4654-af0b-4be3950d210f.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum stix.Summary
	c.do(http.MethodPost, "/api/v1/import?committee=regional", c.token("sy-analyst"), ev).want(t, http.StatusOK).decode(t, &sum)
	if sum.Imported == 0 {
		t.Fatalf("%+v", sum)
	}
	c.do(http.MethodGet, "/api/v1/reports/report--57c4445b-c548-4654-af0b-4be3950d210f", c.token("jo-analyst"), nil).want(t, http.StatusOK)
	c.do(http.MethodGet, "/api/v1/reports/report--57c4445b-c548-4654-af0b-4be3950d210f", c.token("ir-analyst"), nil).want(t, http.StatusNotFound)
}
