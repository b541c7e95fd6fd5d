package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/collect/stix/stixtest"
)

func newCenterDir(t *testing.T) string {
	data := t.TempDir()
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	return data
}

// import reads STIX and MISP from files, folders, URLs and standard input,
// prints a summary and exits 1 when anything was rejected; export writes
// a valid bundle of what the party may see.
func TestImportExport(t *testing.T) {
	data := newCenterDir(t)
	apt1 := filepath.Join(stixtest.ExampleDir(), "threat-reports", "apt1.json")
	r := tabadul(t, "", "import", apt1, "--party", "IQ", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "imported: 76") || !strings.Contains(r.stdout, "rejected: 0") {
		t.Fatalf("import apt1: %+v", r)
	}
	if !strings.Contains(r.stderr, "checking") && !strings.Contains(r.stderr, "recording") {
		t.Errorf("no progress bar on stderr: %q", r.stderr)
	}
	r = tabadul(t, "", "import", apt1, "--party", "IQ", "--data", data, "--quiet")
	if r.code != 0 || !strings.Contains(r.stdout, "unchanged: 76") {
		t.Fatalf("second import: %+v", r)
	}
	// A folder: every example, one of which uses an unknown marking.
	r = tabadul(t, "", "import", stixtest.ExampleDir(), "--party", "SY", "--to", "SY", "--data", data, "--quiet")
	if r.code != 1 || !strings.Contains(r.stdout, "rejected: 1") || !strings.Contains(r.stdout, "unknown marking") ||
		!strings.Contains(r.stderr, "tabadul: import: 1 rejected") {
		t.Fatalf("folder import: %+v", r)
	}
	// MISP, detected, from standard input.
	ev, _ := os.ReadFile("../../../shared/testdata/misp/events/57c4445b-c548-4654-af0b-4be3950d210f.json")
	r = tabadul(t, string(ev), "import", "-", "--party", "RU", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "imported: ") {
		t.Fatalf("misp import: %+v", r)
	}
	// A MISP feed over HTTP.
	srv := httptest.NewServer(http.FileServer(http.Dir("../../../shared/testdata/misp/feed")))
	defer srv.Close()
	r = tabadul(t, "", "import", srv.URL+"/", "--format", "misp", "--party", "IR", "--data", data, "--quiet")
	if r.code != 0 || !strings.Contains(r.stdout, "imported: ") {
		t.Fatalf("misp feed import: %+v", r)
	}
	// Bad input: one line, exit 1, nothing recorded.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[{"type":"indicator"`), 0o600)
	r = tabadul(t, "", "import", bad, "--party", "IQ", "--data", data, "--quiet")
	if r.code != 1 || !strings.Contains(r.stderr, "ends early") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("bad input: %+v", r)
	}
	if r := tabadul(t, "", "import", apt1, "--party", "XX", "--data", data); r.code != 2 {
		t.Fatalf("unknown party: %+v", r)
	}
	if r := tabadul(t, "", "import", "file:///etc/passwd", "--party", "IQ", "--data", data); r.code != 2 {
		t.Fatalf("file URL: %+v", r)
	}

	v, err := stixtest.NewValidator(stixtest.SchemaDir())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, p := range []string{"IQ", "SY", "RU"} {
		r := tabadul(t, "", "export", "--format", "stix", "--party", p, "--data", data)
		if r.code != 0 {
			t.Fatalf("export %s: %+v", p, r)
		}
		objs, err := v.ValidateBundle([]byte(r.stdout))
		if err != nil {
			t.Fatalf("export %s: %v", p, err)
		}
		counts[p] = len(objs)
		if p != "SY" && strings.Contains(r.stdout, "infrastructure--") {
			t.Errorf("%s's export holds SY's own infrastructure objects", p)
		}
	}
	if counts["SY"] <= counts["IQ"] {
		t.Errorf("export sizes %v: SY should see its own objects on top of the shared ones", counts)
	}
	var env struct{ Type string }
	json.Unmarshal([]byte(tabadul(t, "", "export", "--party", "IQ", "--data", data).stdout), &env)
	if env.Type != "bundle" {
		t.Error("export without --format is not a bundle")
	}
}
