package stix_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/collect/stix/stixtest"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

type fixture struct {
	t     testing.TB
	ctx   context.Context
	st    *sqlite.Store
	rec   *record.Recorder
	clock *testkit.Clock
	im    stix.Importer
}

func newFixture(t testing.TB) *fixture { return openFixture(t, sqlite.Options{NoSync: true}) }

// newBenchFixture opens the store as a center runs it, fsync included.
func newBenchFixture(t testing.TB) *fixture { return openFixture(t, sqlite.Options{}) }

func openFixture(t testing.TB, opts sqlite.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, st: st, rec: rec, clock: clock, im: stix.Importer{Recorder: rec, Store: st}}
}

func bytesOpener(b []byte) stix.Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func fileOpener(path string) stix.Opener {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

var allMembers = stix.Options{Distribution: center.Distribution{All: true}, DefaultTLP: center.TLPGreen}

func (f *fixture) importBytes(p center.PartyCode, b []byte, opt stix.Options) (stix.Summary, error) {
	f.clock.Advance(time.Second)
	return f.im.Import(f.ctx, testkit.Analyst(p), bytesOpener(b), opt)
}

func (f *fixture) export(p center.PartyCode) []byte {
	f.t.Helper()
	var b bytes.Buffer
	if _, err := stix.Export(f.ctx, f.st, p, &b); err != nil {
		f.t.Fatal(err)
	}
	return b.Bytes()
}

var validator *stixtest.Validator

func TestMain(m *testing.M) {
	var err error
	validator, err = stixtest.NewValidator(stixtest.SchemaDir())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// exportValid exports what p sees, checks it against the official schemas
// and returns its objects by id.
func (f *fixture) exportValid(p center.PartyCode) map[string]json.RawMessage {
	f.t.Helper()
	b := f.export(p)
	objs, err := validator.ValidateBundle(b)
	if err != nil {
		f.t.Fatalf("export for %s is not valid STIX 2.1: %v\n%s", p, err, b)
	}
	out := map[string]json.RawMessage{}
	seen := map[string]bool{}
	for _, o := range objs {
		var h struct{ ID, Modified string }
		json.Unmarshal(o, &h)
		if _, dup := seen[h.ID+h.Modified]; dup {
			f.t.Errorf("export for %s holds %s version %s twice", p, h.ID, h.Modified)
		}
		seen[h.ID+h.Modified] = true
		// Two parties' versions of one object may both go out; the test
		// looks at the one listed last.
		out[h.ID] = o
	}
	return out
}

func compact(t *testing.T, raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// objectsOf reads a bundle (or a single object) as the test data has it.
func objectsOf(t *testing.T, b []byte) []json.RawMessage {
	var env struct {
		Type    string
		Objects []json.RawMessage
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "bundle" {
		return []json.RawMessage{b}
	}
	return env.Objects
}

func examples(t *testing.T) []string {
	var files []string
	err := filepath.WalkDir(stixtest.ExampleDir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v (%d files)", err, len(files))
	}
	return files
}

// Every OASIS example imports without loss and re-exports as valid STIX:
// each object comes back byte for byte (compacted). The one example that
// refers to a marking definition nobody defined is refused for it.
func TestExamplesRoundTrip(t *testing.T) {
	for _, path := range examples(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f := newFixture(t)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateInput(b); err != nil {
				t.Fatalf("the example itself: %v", err)
			}
			sum, err := f.im.Import(f.ctx, testkit.Analyst("IQ"), fileOpener(path), allMembers)
			if err != nil {
				t.Fatal(err)
			}
			in := objectsOf(t, b)
			if strings.Contains(path, "interop-objectmarking") {
				if len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Reason, "unknown marking marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec") {
					t.Fatalf("want the unknown marking refused, got %+v", sum)
				}
				return
			}
			if len(sum.Rejected) > 0 || sum.Imported != len(in) || sum.Objects != len(in) {
				t.Fatalf("summary %+v for %d objects", sum, len(in))
			}
			out := f.exportValid("IQ")
			for _, o := range in {
				var h struct{ ID string }
				json.Unmarshal(o, &h)
				got, ok := out[h.ID]
				if !ok {
					t.Errorf("%s is missing from the export", h.ID)
					continue
				}
				if compact(t, got) != compact(t, o) {
					t.Errorf("%s changed:\n in  %s\n out %s", h.ID, compact(t, o), got)
				}
			}
			// Importing the export back changes nothing.
			again, err := f.importBytes("IQ", f.export("IQ"), allMembers)
			if err != nil || again.Imported+again.NewVersions != 0 || len(again.Rejected) > 0 {
				t.Fatalf("re-import of the export: %+v, %v", again, err)
			}
		})
	}
}

func validateInput(b []byte) error {
	var env struct{ Type string }
	json.Unmarshal(b, &env)
	if env.Type == "bundle" {
		_, err := validator.ValidateBundle(b)
		return err
	}
	return validator.ValidateObject(b)
}

const (
	indicatorID = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	reportID    = "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3"
)

func indicator(modified, pattern string, markings ...string) map[string]any {
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": indicatorID,
		"created": "2025-12-01T03:04:05.000Z", "modified": modified,
		"name": "C2 address", "pattern": pattern, "pattern_type": "stix",
		"valid_from": "2026-01-02T03:04:05Z", "x_custom_score": 7,
	}
	if len(markings) > 0 {
		o["object_marking_refs"] = markings
	}
	return o
}

func stixReport(modified, name string, markings ...string) map[string]any {
	o := map[string]any{
		"type": "report", "spec_version": "2.1", "id": reportID,
		"created": "2026-01-02T03:04:05.000Z", "modified": modified,
		"name": name, "description": "عنوان القيادة والسيطرة الجديد يستخدمه الفاعل",
		"published": "2026-01-02T00:00:00Z", "object_refs": []string{indicatorID},
		"labels": []string{"c2"}, "confidence": 70, "lang": "ar",
	}
	if len(markings) > 0 {
		o["object_marking_refs"] = markings
	}
	return o
}

func bundle(objs ...any) []byte {
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": objs})
	return b
}

func TestVersioning(t *testing.T) {
	f := newFixture(t)
	v1 := indicator("2026-01-02T03:04:05.000Z", "[ipv4-addr:value = '198.51.100.1']")
	sum, err := f.importBytes("IQ", bundle(v1, stixReport("2026-01-02T03:04:05.000Z", "C2 seen")), allMembers)
	if err != nil || sum.Imported != 2 {
		t.Fatalf("first import: %+v %v", sum, err)
	}
	rep, err := f.st.Report(f.ctx, "SY", reportID)
	if err != nil {
		t.Fatalf("the STIX report is not a Tabadul report: %v", err)
	}
	if rep.Title != "C2 seen" || rep.TLP != center.TLPGreen || rep.Credibility != "2" || rep.Language != "ar" || rep.Tags[0] != "c2" {
		t.Errorf("mapped report: %+v", rep)
	}

	tests := []struct {
		name     string
		objs     []any
		want     stix.Summary
		reason   string
		versions int // of the indicator, for IQ
	}{
		{"same again", []any{v1}, stix.Summary{Objects: 1, Unchanged: 1}, "", 1},
		{"same in another key order and layout", []any{json.RawMessage(reorder(t, v1))}, stix.Summary{Objects: 1, Unchanged: 1}, "", 1},
		{"older", []any{indicator("2026-01-01T00:00:00.000Z", "[ipv4-addr:value = '198.51.100.9']")}, stix.Summary{Objects: 1, Unchanged: 1}, "", 1},
		{"conflict at the same version", []any{indicator("2026-01-02T03:04:05.000Z", "[ipv4-addr:value = '198.51.100.2']")},
			stix.Summary{Objects: 1}, "conflicting content", 1},
		{"newer", []any{indicator("2026-02-01T00:00:00.000Z", "[ipv4-addr:value = '198.51.100.2']")}, stix.Summary{Objects: 1, NewVersions: 1}, "", 2},
		{"newer report", []any{stixReport("2026-02-01T00:00:00.000Z", "C2 seen again")}, stix.Summary{Objects: 1, NewVersions: 1}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := f.importBytes("IQ", bundle(tt.objs...), allMembers)
			if err != nil {
				t.Fatal(err)
			}
			rej := sum.Rejected
			sum.Rejected = nil
			if fmt.Sprint(sum) != fmt.Sprint(tt.want) {
				t.Errorf("summary %+v, want %+v", sum, tt.want)
			}
			if tt.reason != "" && (len(rej) != 1 || !strings.Contains(rej[0].Reason, tt.reason)) {
				t.Errorf("rejections %+v, want one with %q", rej, tt.reason)
			}
			if tt.reason == "" && len(rej) > 0 {
				t.Errorf("unexpected rejections %+v", rej)
			}
			vs, err := f.st.STIXObjectVersions(f.ctx, "IQ", indicatorID)
			if err != nil || len(vs) != tt.versions {
				t.Errorf("%d versions of the indicator (%v), want %d", len(vs), err, tt.versions)
			}
		})
	}
	versions, err := f.st.Versions(f.ctx, "IQ", reportID)
	if err != nil || len(versions) != 2 || versions[1].Title != "C2 seen again" {
		t.Fatalf("report versions: %d %v", len(versions), err)
	}
	// Another party holds its own versions of the same object, and may
	// not add versions to IQ's report.
	sum, err = f.importBytes("SY", bundle(v1, stixReport("2026-03-01T00:00:00.000Z", "hijack")), allMembers)
	if err != nil || sum.Imported != 1 || len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Reason, "another party") {
		t.Fatalf("SY's import: %+v %v", sum, err)
	}
	if rep, _ := f.st.Report(f.ctx, "IQ", reportID); rep.Title != "C2 seen again" {
		t.Errorf("SY changed IQ's report: %q", rep.Title)
	}
	// date_added strictly increases across every version recorded.
	page, err := f.st.STIXObjects(f.ctx, "IQ", store.STIXQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(page.Objects); i++ {
		if !page.Objects[i].Added.After(page.Objects[i-1].Added) {
			t.Errorf("date_added does not increase: %v then %v", page.Objects[i-1].Added, page.Objects[i].Added)
		}
	}
	if len(page.Objects) != 5 { // IQ: 2 indicator + 2 report versions; SY's copy of the indicator is shared with all
		t.Errorf("IQ sees %d object versions, want 5", len(page.Objects))
	}
	f.exportValid("IQ")
}

// reorder re-serializes an object with its keys in reverse order and
// indented.
func reorder(t *testing.T, o map[string]any) []byte {
	b, _ := json.Marshal(o)
	var keys []string
	for k := range o {
		keys = append(keys, k)
	}
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for i := len(keys) - 1; i >= 0; i-- {
		kb, _ := json.Marshal(keys[i])
		vb, _ := json.MarshalIndent(o[keys[i]], "  ", "  ")
		buf.Write(kb)
		buf.WriteString(" : ")
		buf.Write(vb)
		if i > 0 {
			buf.WriteString(",\n")
		}
	}
	buf.WriteString("\n}")
	if compact(t, buf.Bytes()) == string(b) && len(keys) > 1 {
		t.Fatal("reorder did nothing")
	}
	return buf.Bytes()
}

// What a party may not see never leaves through an export: AMBER+STRICT
// and RED go only to their distribution.
func TestExportIsolation(t *testing.T) {
	f := newFixture(t)
	red := stix.Options{Distribution: center.Distribution{Parties: []center.PartyCode{"SY"}}, DefaultTLP: center.TLPAmber}
	sum, err := f.importBytes("IQ", bundle(
		indicator("2026-01-02T03:04:05.000Z", "[ipv4-addr:value = '203.0.113.7']", stix.MarkingID(center.TLPRed)),
		stixReport("2026-01-02T03:04:05.000Z", "secret to SY", stix.MarkingID(center.TLPAmberStrict))), red)
	if err != nil || sum.Imported != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	// RED with every member as its audience is refused, as for a report.
	sum, err = f.importBytes("RU", bundle(indicator("2026-01-02T03:04:05.000Z", "[ipv4-addr:value = '203.0.113.8']", stix.MarkingID(center.TLPRed))), allMembers)
	if err != nil || len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Reason, "TLP:RED") {
		t.Fatalf("RED to all: %+v %v", sum, err)
	}
	if _, err := f.rec.SubmitReport(f.ctx, testkit.Analyst("RU"), center.Draft{Title: "RU native", Body: "body", TLP: center.TLPAmber,
		Distribution: center.Distribution{Parties: []center.PartyCode{"IR"}}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		party    center.PartyCode
		sees     []string
		notSeen  []string
		nReports int
	}{
		{"IQ", []string{indicatorID, reportID}, nil, 1},
		{"SY", []string{indicatorID, reportID}, nil, 1},
		{"IR", nil, []string{indicatorID, reportID}, 1},
		{"RU", nil, []string{indicatorID, reportID}, 1},
		{"JO", nil, []string{indicatorID, reportID}, 0},
	} {
		out := f.exportValid(tt.party)
		for _, id := range tt.sees {
			if _, ok := out[id]; !ok {
				t.Errorf("%s does not get %s", tt.party, id)
			}
		}
		for _, id := range tt.notSeen {
			if _, ok := out[id]; ok {
				t.Errorf("%s gets %s, outside its distribution", tt.party, id)
			}
		}
		n := 0
		for _, o := range out {
			if bytes.Contains(o, []byte(`"type":"report"`)) {
				n++
			}
		}
		if n != tt.nReports {
			t.Errorf("%s gets %d reports, want %d", tt.party, n, tt.nReports)
		}
	}
}

// A report written in Tabadul exports as a valid STIX report with its TLP
// marking and its party's identity, and importing it back is a no-op.
func TestNativeReportRoundTrip(t *testing.T) {
	f := newFixture(t)
	obs := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rep, err := f.rec.SubmitReport(f.ctx, testkit.Analyst("IQ"), center.Draft{Title: "Фишинг", Body: "Новая волна фишинга", Language: "ru",
		TLP: center.TLPAmber, Distribution: center.Distribution{Committee: "regional"}, Reliability: "B", Credibility: "2",
		Tags: []string{"phishing"}, ObservedAt: &obs})
	if err != nil {
		t.Fatal(err)
	}
	out := f.exportValid("SY")
	var got map[string]any
	if err := json.Unmarshal(out[rep.ID], &got); err != nil {
		t.Fatalf("report missing from SY's export: %v", err)
	}
	if got["name"] != "Фишинг" || got["confidence"] != float64(70) || got["x_tabadul_reliability"] != "B" ||
		got["object_marking_refs"].([]any)[0] != stix.MarkingID(center.TLPAmber) {
		t.Errorf("mapped report: %v", got)
	}
	if _, ok := out[stix.MarkingID(center.TLPAmber)]; !ok {
		t.Error("the TLP:AMBER marking definition is missing")
	}
	if _, ok := out[stix.PartyIdentity("IQ")]; !ok {
		t.Error("IQ's identity is missing")
	}
	if _, ok := f.exportValid("IR")[rep.ID]; ok {
		t.Error("IR, outside the committee, gets the report")
	}
	sum, err := f.importBytes("IQ", f.export("IQ"), allMembers)
	// The report is the version IQ holds and the marking is standard:
	// unchanged; the party's identity is new among IQ's STIX objects.
	if err != nil || sum.Imported != 1 || sum.Unchanged != 2 || sum.NewVersions != 0 || len(sum.Rejected) > 0 {
		t.Errorf("re-import: %+v %v", sum, err)
	}
	versions, _ := f.st.Versions(f.ctx, "IQ", rep.ID)
	if len(versions) != 1 {
		t.Errorf("re-importing the export made %d versions", len(versions))
	}
}

// Bad input yields a reason and records nothing.
func TestBadInput(t *testing.T) {
	good := indicator("2026-01-02T03:04:05.000Z", "[ipv4-addr:value = '198.51.100.1']")
	with := func(k string, v any) map[string]any {
		o := map[string]any{}
		for kk, vv := range good {
			o[kk] = vv
		}
		if v == nil {
			delete(o, k)
		} else {
			o[k] = v
		}
		return o
	}
	big := with("description", strings.Repeat("x", 2<<20))
	tests := []struct {
		name   string
		input  []byte
		opt    func(*stix.Options)
		whole  string // the whole input refused with this
		object string // the one object refused with this
	}{
		{"malformed JSON", []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":}]}`), nil, "malformed JSON", ""},
		{"truncated", bundle(good, good)[:200], nil, "ends early", ""},
		{"trailing garbage", append(bundle(good), []byte(" {}")...), nil, "trailing data", ""},
		{"not an object", []byte(`[1,2]`), nil, "not a JSON object", ""},
		{"empty", []byte(``), nil, "ends early", ""},
		{"bundle without id", []byte(`{"type":"bundle","objects":[]}`), nil, "bundle's id", ""},
		{"STIX 2.0 bundle", []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","spec_version":"2.0","objects":[]}`), nil, "only STIX 2.1", ""},
		{"over the size cap", bundle(good, big), func(o *stix.Options) { o.MaxObjectBytes = 1 << 20 }, "size cap", ""},
		{"wrong spec_version", bundle(good, with("spec_version", "2.0")), nil, "", "only STIX 2.1"},
		{"no spec_version", bundle(good, with("spec_version", nil)), nil, "", "spec_version"},
		{"invalid id", bundle(good, with("id", "indicator--not-a-uuid")), nil, "", "not a STIX identifier"},
		{"id of another type", bundle(good, with("id", "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")), nil, "", "does not start with its type"},
		{"invalid timestamp", bundle(good, with("modified", "2026-01-02 03:04:05")), nil, "", "not RFC 3339"},
		{"modified before created", bundle(good, with("modified", "2025-01-02T03:04:05Z")), nil, "", "before created"},
		{"unknown property type", bundle(good, with("object_marking_refs", "x")), nil, "", "must be a list"},
		{"unknown marking", bundle(good, with("object_marking_refs", []string{"marking-definition--11111111-2222-4333-8444-555555555555"})), nil, "", "unknown marking"},
		{"missing pattern", bundle(good, with("pattern", nil)), nil, "", `needs "pattern"`},
		{"invalid UTF-8", []byte(strings.Replace(string(bundle(good, with("name", "XXXX"))), "XXXX", "\xff\xfe", 1)), nil, "", "invalid UTF-8"},
		{"RED to every member", bundle(good, with("object_marking_refs", []string{stix.MarkingID(center.TLPRed)})), nil, "", "TLP:RED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			opt := allMembers
			opt.AllOrNothing = true
			if tt.opt != nil {
				tt.opt(&opt)
			}
			before, _ := f.st.Events(f.ctx, 0, 1000)
			sum, err := f.importBytes("IQ", tt.input, opt)
			if tt.whole != "" {
				if !errors.Is(err, stix.ErrInput) || !strings.Contains(err.Error(), tt.whole) {
					t.Fatalf("got %v, want the input refused with %q", err, tt.whole)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if len(sum.Rejected) != 1 || !strings.Contains(sum.Rejected[0].Reason, tt.object) || sum.Rejected[0].Index != 1 {
					t.Fatalf("rejections %+v, want object 1 with %q", sum.Rejected, tt.object)
				}
			}
			after, _ := f.st.Events(f.ctx, 0, 1000)
			page, _ := f.st.STIXObjects(f.ctx, "IQ", store.STIXQuery{Limit: 10})
			if len(after) != len(before) || len(page.Objects) != 0 {
				t.Errorf("something was recorded: %d events, %d objects", len(after)-len(before), len(page.Objects))
			}
			// Without AllOrNothing, the good object of a bundle with one
			// bad object is recorded.
			if tt.whole == "" {
				opt.AllOrNothing = false
				sum, err := f.importBytes("IQ", tt.input, opt)
				if err != nil || sum.Imported != 1 || len(sum.Rejected) != 1 {
					t.Errorf("partial import: %+v %v", sum, err)
				}
			}
		})
	}
}
