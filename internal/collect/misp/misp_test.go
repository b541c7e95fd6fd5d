package misp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/misp"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/collect/stix/stixtest"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

var mispDir = filepath.Join("..", "..", "..", "..", "shared", "testdata", "misp")

type fixture struct {
	ctx context.Context
	st  *sqlite.Store
	im  stix.Importer
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := record.NewRecorder(st, testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)), center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	return &fixture{ctx: ctx, st: st, im: stix.Importer{Recorder: rec, Store: st}}
}

var opt = misp.Options{STIX: stix.Options{Distribution: center.Distribution{Committee: "regional"}, DefaultTLP: center.TLPAmber}}

// Every saved event imports: its report is a Tabadul report, its
// attributes STIX objects, the TLP and Admiralty tags are read, and what
// the party then exports is valid STIX 2.1.
func TestEvents(t *testing.T) {
	v, err := stixtest.NewValidator(stixtest.SchemaDir())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(mispDir, "events", "*.json"))
	if len(files) < 9 {
		t.Fatalf("%d event files", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f := newFixture(t)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			evs, err := misp.ParseEvents(b)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := misp.ImportEvents(f.ctx, f.im, testkit.Analyst("IQ"), b, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Rejected) > 0 || sum.Imported == 0 {
				t.Fatalf("summary %+v", sum)
			}
			for _, ev := range evs {
				id := "report--" + strings.ToLower(string(ev.UUID))
				rep, err := f.st.Report(f.ctx, "IQ", id)
				if err != nil || rep.Title == "" || rep.Source != "IQ" {
					t.Fatalf("event %s is not IQ's report: %+v %v", ev.UUID, rep, err)
				}
				// MISP distribution 0 (organisation only) stays with IQ; 1
				// and 2 go to the import's committee; 3 to every member.
				dist := strings.TrimSpace(string(ev.Distribution))
				want := map[center.PartyCode]bool{"SY": dist != "0" && dist != "4", "JO": dist != "0" && dist != "4" && dist != "3",
					"IR": dist == "3"}
				for p, sees := range want {
					_, err := f.st.Report(f.ctx, p, id)
					if sees != (err == nil) {
						t.Errorf("distribution %q: %s reads the event: %v, want %v", dist, p, err == nil, sees)
					}
				}
			}
			var out bytes.Buffer
			if _, err := stix.Export(f.ctx, f.st, "IQ", &out); err != nil {
				t.Fatal(err)
			}
			if _, err := v.ValidateBundle(out.Bytes()); err != nil {
				t.Fatalf("export: %v", err)
			}
			again, err := misp.ImportEvents(f.ctx, f.im, testkit.Analyst("IQ"), b, opt)
			if err != nil || again.Imported+again.NewVersions != 0 || len(again.Rejected) > 0 {
				t.Errorf("re-import: %+v %v", again, err)
			}
		})
	}
}

func TestTagsAndDistribution(t *testing.T) {
	f := newFixture(t)
	ev := `{"Event":{"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c11","info":"C2 infrastructure","date":"2026-11-01","timestamp":1790000000,
	 "published":true,"publish_timestamp":"1790000100","threat_level_id":"1","analysis":2,"distribution":"1",
	 "Orgc":{"name":"CERT-X","uuid":"55f6ea5e-2c60-40e5-964f-47a8950d210f"},
	 "Tag":[{"name":"tlp:amber+strict"},{"name":"admiralty-scale:source-reliability=\"b\""},{"name":"admiralty-scale:information-credibility=\"2\""},{"name":"apt"}],
	 "Attribute":[
	  {"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c12","type":"ip-dst","category":"Network activity","value":"198.51.100.7","to_ids":true,"timestamp":"1790000000"},
	  {"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c13","type":"domain","category":"Network activity","value":"evil.example","to_ids":false,"timestamp":"1790000000","distribution":"0"},
	  {"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c14","type":"text","category":"Other","value":"free text","to_ids":false,"timestamp":"1790000000"}]}}`
	sum, err := misp.ImportEvents(f.ctx, f.im, testkit.Analyst("IQ"), []byte(ev), opt)
	if err != nil || len(sum.Rejected) > 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	rep, err := f.st.Report(f.ctx, "JO", "report--5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c11")
	if err != nil {
		t.Fatal(err)
	}
	if rep.TLP != center.TLPAmberStrict || rep.Reliability != "B" || rep.Credibility != "2" || !strings.Contains(rep.Body, "198.51.100.7") {
		t.Errorf("report %+v", rep)
	}
	// The attribute with distribution 0 reaches only the importing party.
	page, _ := f.st.STIXObjects(f.ctx, "SY", store.STIXQuery{Limit: 100, Types: []string{"domain-name", "observed-data"}})
	if len(page.Objects) != 0 {
		t.Errorf("SY sees the organisation-only attribute: %d objects", len(page.Objects))
	}
	page, _ = f.st.STIXObjects(f.ctx, "IQ", store.STIXQuery{Limit: 100, Types: []string{"domain-name"}})
	if len(page.Objects) != 1 {
		t.Errorf("IQ holds %d domain names", len(page.Objects))
	}
	page, _ = f.st.STIXObjects(f.ctx, "SY", store.STIXQuery{Limit: 100, Types: []string{"indicator"}})
	if len(page.Objects) != 1 || !strings.Contains(string(page.Objects[0].JSON), `[ipv4-addr:value = '198.51.100.7']`) {
		t.Errorf("indicator: %+v", page.Objects)
	}
}

func TestFeed(t *testing.T) {
	dir := filepath.Join(mispDir, "feed")
	for _, tt := range []struct {
		name string
		src  func(t *testing.T) misp.FeedSource
	}{
		{"folder", func(t *testing.T) misp.FeedSource { return misp.DirFeed(dir) }},
		{"http", func(t *testing.T) misp.FeedSource {
			srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
			t.Cleanup(srv.Close)
			return misp.HTTPFeed{URL: srv.URL + "/", Client: &fetch.Client{}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			sum, err := misp.ImportFeed(f.ctx, f.im, testkit.Analyst("IQ"), tt.src(t), opt)
			if err != nil || len(sum.Rejected) > 0 || sum.Imported == 0 {
				t.Fatalf("%+v %v", sum, err)
			}
			if _, err := f.st.Report(f.ctx, "SY", "report--56bf399d-c46c-4fdb-a9cf-d9bb02de0b81"); err != nil {
				t.Fatal(err)
			}
			again, err := misp.ImportFeed(f.ctx, f.im, testkit.Analyst("IQ"), tt.src(t), opt)
			if err != nil || again.Imported+again.NewVersions != 0 {
				t.Errorf("second pull: %+v %v", again, err)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"malformed", `{"Event":{"uuid":`, "malformed"},
		{"not an event", `42`, "neither"},
		{"no uuid", `{"Event":{"info":"x"}}`, "no uuid"},
		{"no info", `{"Event":{"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c11"}}`, "no info"},
		{"object for scalar", `{"Event":{"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c11","info":{"a":1}}}`, "scalar"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := misp.ImportEvents(f.ctx, f.im, testkit.Analyst("IQ"), []byte(tt.in), opt)
			if !errors.Is(err, stix.ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	f := newFixture(t)
	sum, err := misp.ImportEvents(f.ctx, f.im, testkit.Analyst("IQ"), []byte(`{"Event":{"uuid":"not-a-uuid","info":"x","timestamp":"1"}}`), opt)
	if err != nil || len(sum.Rejected) != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	events, _ := f.st.Events(f.ctx, 0, 1000)
	for _, e := range events {
		if e.Type == record.STIXRecorded || e.Type == center.ReportSubmitted {
			t.Errorf("a refused event recorded %s", e.Type)
		}
	}
}

func FuzzParseEvents(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(mispDir, "events", "*.json"))
	for _, file := range append(files, filepath.Join(mispDir, "feed", "56bf399d-c46c-4fdb-a9cf-d9bb02de0b81.json")) {
		if b, err := os.ReadFile(file); err == nil && len(b) < 20000 {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"Event":{"uuid":"5e0a2e5b-1c53-4c25-8f3a-0b6d8b1a4c11","info":"x","timestamp":1}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := misp.ParseEvents(b)
		if err != nil {
			return
		}
		for _, ev := range evs {
			conv, err := misp.Convert(ev)
			if err != nil {
				continue
			}
			for _, bundle := range conv.Bundles {
				if !json.Valid(bundle) {
					t.Fatalf("invalid bundle JSON")
				}
				rd := stix.NewReader(bytes.NewReader(bundle), 0)
				for {
					_, err := rd.Next()
					if err != nil {
						var rej *stix.Rejection
						if errors.As(err, &rej) {
							continue
						}
						if err.Error() == "EOF" {
							break
						}
						t.Fatalf("converted bundle unreadable: %v", err)
					}
				}
			}
		}
	})
}
