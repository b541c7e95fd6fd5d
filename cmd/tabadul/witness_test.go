package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/testkit"
)

// TestWitnessRegisterGoesThroughTheLog: the operator registers a party's
// first witness and may move it; a new key is refused (it takes an
// amendment); each registration is an event the audit matches; and a
// charter may name the witnesses itself.
func TestWitnessRegisterGoesThroughTheLog(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	iq := testkit.WitnessVKey("witness/IQ")
	register := func(party, url, vkey string) result {
		return tabadul(t, "", "witness", "register", "--data", data, "--party", party, "--url", url, "--vkey", vkey)
	}
	steps := []struct {
		desc            string
		party, url, key string
		code            int
		want            string // in stdout when the exit code is 0, else in stderr
	}{
		{"a first registration", "IQ", "http://iq.example:9380", iq, 0, "Registered the witness of IQ"},
		{"the same again", "IQ", "http://iq.example:9380", iq, 0, "nothing changed"},
		{"a move", "IQ", "https://iq.example/witness", iq, 0, "Moved the witness of IQ from http://iq.example:9380 to https://iq.example/witness"},
		{"a new key", "IQ", "https://iq.example/witness", testkit.WitnessVKey("witness/IQ"), 1, "a new key takes an amendment (set_witness)"},
		{"an unknown party", "XX", "http://xx.example", testkit.WitnessVKey("witness/XX"), 1, `unknown party "XX"`},
		{"another party's key", "SY", "http://sy.example", iq, 1, "witness key of IQ"},
		{"a malformed key", "SY", "http://sy.example", "witness/SY", 2, "--vkey"},
		{"a URL that is not http", "SY", "sy.example", testkit.WitnessVKey("witness/SY"), 2, "--url"},
	}
	for _, st := range steps {
		r := register(st.party, st.url, st.key)
		out := r.stdout
		if st.code != 0 {
			out = r.stderr
		}
		if r.code != st.code || !strings.Contains(out, st.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", st.desc, r.code, r.stdout, r.stderr, st.code, st.want)
		}
	}
	if r := tabadul(t, "", "verify", "--data", data, "--audit"); r.code != 0 {
		t.Fatalf("verify --audit after the registrations: %+v", r)
	}

	// A witness row written behind the write path is named.
	db := openDB(t, data)
	if _, err := db.Exec(`INSERT INTO witnesses (party, vkey, url) VALUES ('SY', ?, 'http://sy.example')`, testkit.WitnessVKey("witness/SY")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := tabadul(t, "", "verify", "--data", data, "--audit")
	if r.code != 1 || !strings.Contains(r.stdout, "witness of SY: no event records it") {
		t.Fatalf("verify --audit of a witness written outside the write path: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A charter that names the witnesses registers them at founding.
	dir := t.TempDir()
	charter, err := os.ReadFile("../../docs/charter.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	charter = append(charter, "witnesses:\n  - {party: IQ, vkey: \""+iq+"\", url: \"https://iq.example\"}\n"...)
	path := filepath.Join(dir, "charter.yaml")
	if err := os.WriteFile(path, charter, 0o600); err != nil {
		t.Fatal(err)
	}
	data = filepath.Join(dir, "data")
	if r := tabadul(t, "", "init", "--charter", path, "--data", data); r.code != 0 {
		t.Fatalf("init with witnesses: %+v", r)
	}
	if r := register("IQ", "https://iq.example", testkit.WitnessVKey("witness/IQ")); r.code != 1 || !strings.Contains(r.stderr, "set_witness") {
		t.Errorf("a new key for a witness the charter names: %+v", r)
	}
	if r := tabadul(t, "", "verify", "--data", data, "--audit"); r.code != 0 {
		t.Errorf("verify --audit of a center whose charter names a witness: %+v", r)
	}
}
