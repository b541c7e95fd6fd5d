package center_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// The example charters in docs/ are the seed of the fuzz test and must stay
// valid: they are what people copy.
var exampleCharters = []struct{ path, format string }{
	{"../../docs/charter.example.yaml", "yaml"},
	{"../../docs/charter.example.toml", "toml"},
}

// threeParties is the roster of most cases: two members and an associate.
const threeParties = `
parties:
  - {code: IQ, kind: member, names: {en: Iraq, ar: العراق}}
  - {code: SY, kind: member, names: {en: Syria}}
  - {code: JO, kind: associate, names: {en: Jordan}}
`

func TestParseCharterAcceptsGoodCharters(t *testing.T) {
	dec1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		desc      string
		format    string
		in        string
		want      center.Rotation
		quorum    int
		witnesses []center.Witness
	}{
		{
			desc: "defaults: order is the members as listed, terms of 3 months",
			in:   threeParties + "rotation: {first_chair: IQ, start: 2026-12-01}\n",
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3},
		},
		{
			desc: "first chair need not be first in the order",
			in:   threeParties + "rotation: {order: [IQ, SY], first_chair: SY, start: 2026-12-01, term_months: 1, max_term_months: 2}\nwitness_quorum: 2\n",
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "SY", Start: dec1, TermMonths: 1, MaxTermMonths: 2}, quorum: 2,
		},
		{
			desc: "an order of its own",
			in:   threeParties + "rotation: {order: [SY, IQ], first_chair: SY, start: \"2026-12-01\"}\n",
			want: center.Rotation{Order: []center.PartyCode{"SY", "IQ"}, FirstChair: "SY", Start: dec1, TermMonths: 3, MaxTermMonths: 3},
		},
		{
			desc: "a start at midnight UTC is a date",
			in:   threeParties + "rotation: {first_chair: IQ, start: 2026-12-01T00:00:00Z}\n",
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3},
		},
		{
			desc:   "TOML, told",
			format: "toml",
			in: `
[rotation]
first_chair = "IQ"
start = 2026-12-01
[[parties]]
code = "IQ"
kind = "member"
names = { en = "Iraq" }
[[parties]]
code = "SY"
kind = "member"
names = { en = "Syria" }
`,
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3},
		},
		{
			desc: "TOML, guessed past comments",
			in: `# a charter
witness_quorum = 1
[rotation]
first_chair = "IQ"
start = "2026-12-01"
[[parties]]
code = "IQ"
kind = "member"
names = { en = "Iraq" }
[[parties]]
code = "SY"
kind = "member"
names = { en = "Syria" }
`,
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3}, quorum: 1,
		},
		{
			desc: "witnesses named, an associate's among them",
			in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01}\nwitness_quorum: 2\nwitnesses:\n" +
				"  - {party: IQ, vkey: \"witness/IQ+40b64fde+BITk/Zr54vlpehlmmWffPgHCtpurol5TB8GR8roUvwk4\", url: \"https://iq.example/witness\"}\n" +
				"  - {party: JO, vkey: \"witness/JO+63b339f0+BNEB/us08gQoGZDQUB/ppqVjbdbGAZs8vkXoSZY7Fflv\", url: \"http://10.0.0.9:9380\"}\n",
			want: center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3}, quorum: 2,
			witnesses: []center.Witness{
				{Party: "IQ", VKey: "witness/IQ+40b64fde+BITk/Zr54vlpehlmmWffPgHCtpurol5TB8GR8roUvwk4", URL: "https://iq.example/witness"},
				{Party: "JO", VKey: "witness/JO+63b339f0+BNEB/us08gQoGZDQUB/ppqVjbdbGAZs8vkXoSZY7Fflv", URL: "http://10.0.0.9:9380"},
			},
		},
		{
			desc:   "witnesses in TOML",
			format: "toml",
			in: `[rotation]
first_chair = "IQ"
start = 2026-12-01
[[parties]]
code = "IQ"
kind = "member"
names = { en = "Iraq" }
[[parties]]
code = "SY"
kind = "member"
names = { en = "Syria" }
[[witnesses]]
party = "SY"
vkey = "witness/SY+00000000+AAAA"
url = "https://sy.example"
`,
			want:      center.Rotation{Order: []center.PartyCode{"IQ", "SY"}, FirstChair: "IQ", Start: dec1, TermMonths: 3, MaxTermMonths: 3},
			witnesses: []center.Witness{{Party: "SY", VKey: "witness/SY+00000000+AAAA", URL: "https://sy.example"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c, err := center.ParseCharter([]byte(tt.in), tt.format)
			if err != nil {
				t.Fatalf("ParseCharter: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !reflect.DeepEqual(c.Rotation, tt.want) {
				t.Errorf("rotation = %+v, want %+v", c.Rotation, tt.want)
			}
			if c.WitnessQuorum != tt.quorum {
				t.Errorf("witness quorum = %d, want %d", c.WitnessQuorum, tt.quorum)
			}
			if !reflect.DeepEqual(c.Witnesses, tt.witnesses) {
				t.Errorf("witnesses = %+v, want %+v", c.Witnesses, tt.witnesses)
			}
		})
	}
}

func TestParseCharterRefusesBadCharters(t *testing.T) {
	rot := "rotation: {first_chair: IQ, start: 2026-12-01}\n"
	tests := []struct {
		desc   string
		format string
		in     string
		want   string // a part of the one-line message that names the problem
	}{
		// Roster.
		{desc: "empty document", in: "", want: "parties: at least one party is required"},
		{desc: "empty party list", in: "parties: []\n" + rot, want: "parties: at least one party is required"},
		{desc: "duplicate party code", in: threeParties + "  - {code: IQ, kind: member, names: {en: Iraq again}}\n" + rot, want: `duplicate party code "IQ"`},
		{desc: "malformed party code", in: threeParties + "  - {code: iq, kind: member, names: {en: x}}\n" + rot, want: `party code "iq" must be`},
		{desc: "unknown kind", in: threeParties + "  - {code: TR, kind: observer, names: {en: Turkey}}\n" + rot, want: `party kind "observer"`},
		{desc: "no name", in: threeParties + "  - {code: TR, kind: member}\n" + rot, want: "parties[3].names: at least one name is required"},
		{desc: "name in an unknown language", in: threeParties + "  - {code: TR, kind: member, names: {tr: Türkiye}}\n" + rot, want: "parties[3].names.tr: language must be one of"},
		{desc: "associates only", in: "parties: [{code: JO, kind: associate, names: {en: Jordan}}]\nrotation: {first_chair: JO, start: 2026-12-01}\n", want: "at least one party must be a member"},
		{desc: "committee of an unknown party", in: threeParties + "committees: [{code: gulf, names: {en: Gulf}, members: [IQ, XX]}]\n" + rot, want: `committees[0].members[1]: unknown party "XX"`},
		{desc: "duplicate committee code", in: threeParties + "committees: [{code: a, names: {en: A}, members: [IQ]}, {code: a, names: {en: B}, members: [SY]}]\n" + rot, want: `duplicate committee code "a"`},

		// Rotation.
		{desc: "unknown first chair", in: threeParties + "rotation: {first_chair: XX, start: 2026-12-01}\n", want: `rotation.first_chair "XX" is not a party`},
		{desc: "associate first chair", in: threeParties + "rotation: {first_chair: JO, start: 2026-12-01}\n", want: `rotation.first_chair "JO" is an associate`},
		{desc: "no first chair", in: threeParties + "rotation: {start: 2026-12-01}\n", want: "rotation.first_chair is required"},
		{desc: "first chair outside the order", in: threeParties + "rotation: {order: [SY], first_chair: IQ, start: 2026-12-01}\n", want: `rotation.first_chair "IQ" is not in rotation.order`},
		{desc: "a member left out of the order", in: threeParties + "rotation: {order: [SY], first_chair: SY, start: 2026-12-01}\n", want: `rotation.order leaves out member "IQ"`},
		{desc: "order names an unknown party", in: threeParties + "rotation: {order: [IQ, XX], first_chair: IQ, start: 2026-12-01}\n", want: `rotation.order[1] "XX" is not a party`},
		{desc: "order names an associate", in: threeParties + "rotation: {order: [IQ, JO], first_chair: IQ, start: 2026-12-01}\n", want: `rotation.order[1] "JO" is an associate`},
		{desc: "order repeats a member", in: threeParties + "rotation: {order: [IQ, SY, IQ], first_chair: IQ, start: 2026-12-01}\n", want: `rotation.order lists "IQ" twice`},
		{desc: "a single member", in: threeParties + "rotation: {order: [IQ], first_chair: IQ, start: 2026-12-01}\n", want: `rotation.order names only "IQ"; the chair needs at least two members`},
		{desc: "empty order", in: threeParties + "rotation: {order: [], first_chair: IQ, start: 2026-12-01}\n", want: "rotation.order names no party"},
		{desc: "term over the maximum", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, term_months: 4}\n", want: "rotation.term_months is 4, over the maximum of 3 months"},
		{desc: "term over a lower maximum", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, term_months: 3, max_term_months: 2}\n", want: "rotation.term_months is 3, over the maximum of 2 months"},
		{desc: "zero term", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, term_months: 0}\n", want: "rotation.term_months is 0; it must be at least 1"},
		{desc: "maximum over three months", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, max_term_months: 6}\n", want: "rotation.max_term_months is 6"},
		{desc: "no start", in: threeParties + "rotation: {first_chair: IQ}\n", want: "rotation.start is required"},
		{desc: "witness quorum over the parties", in: threeParties + rot + "witness_quorum: 4\n", want: "witness_quorum is 4"},

		// Witnesses. (That a vkey is a cosignature key is the write path's
		// check: record.ValidateCharter.)
		{desc: "witness of an unknown party", in: threeParties + rot + "witnesses: [{party: XX, vkey: k, url: \"http://x.example\"}]\n", want: `witnesses[0].party "XX" is not a party`},
		{desc: "witness without a party", in: threeParties + rot + "witnesses: [{vkey: k, url: \"http://x.example\"}]\n", want: "witnesses[0].party is required"},
		{desc: "two witnesses of a party", in: threeParties + rot + "witnesses: [{party: IQ, vkey: a, url: \"http://a.example\"}, {party: IQ, vkey: b, url: \"http://b.example\"}]\n", want: `witnesses name "IQ" twice`},
		{desc: "witness without a key", in: threeParties + rot + "witnesses: [{party: IQ, url: \"http://a.example\"}]\n", want: "witnesses[0].vkey is required"},
		{desc: "one key for two parties", in: threeParties + rot + "witnesses: [{party: IQ, vkey: a, url: \"http://a.example\"}, {party: SY, vkey: a, url: \"http://b.example\"}]\n", want: `witnesses[1].vkey is also the witness key of "IQ"`},
		{desc: "witness URL that is not http", in: threeParties + rot + "witnesses: [{party: IQ, vkey: a, url: \"ftp://a.example\"}]\n", want: `witnesses[0].url "ftp://a.example" must be`},
		{desc: "witness without a URL", in: threeParties + rot + "witnesses: [{party: IQ, vkey: a}]\n", want: `witnesses[0].url "" must be`},
		{desc: "unknown witness key", in: threeParties + rot + "witnesses: [{party: IQ, vkey: a, url: \"http://a.example\", name: w}]\n", want: `unknown field "name"`},

		// Syntax.
		{desc: "unknown key", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, chair: IQ}\n", want: `unknown field "chair"`},
		{desc: "unknown top-level key", in: threeParties + rot + "name: Baghdad\n", want: `unknown field "name"`},
		{desc: "duplicate key", in: threeParties + rot + "rotation: {first_chair: SY}\n", want: `"rotation" already defined`},
		{desc: "fractional term", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, term_months: 2.5}\n", want: "2.5 is not a whole number"},
		{desc: "quoted term", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01, term_months: \"3\"}\n", want: "is not a whole number"},
		{desc: "start that is no date", in: threeParties + "rotation: {first_chair: IQ, start: 2026-13-01}\n", want: "must be a date"},
		{desc: "start at noon", in: threeParties + "rotation: {first_chair: IQ, start: 2026-12-01T12:00:00Z}\n", want: "must be a date"},
		{desc: "TOML unknown key", format: "toml", in: "[rotation]\nchair = \"IQ\"\n", want: `toml: unknown key "rotation.chair"`},
		{desc: "TOML duplicate key", format: "toml", in: "witness_quorum = 1\nwitness_quorum = 2\n", want: "toml:"},
		{desc: "TOML start with a time", format: "toml", in: "[rotation]\nstart = 2026-12-01T10:00:00\n", want: "must be a date"},
		{desc: "TOML fractional term", format: "toml", in: "[rotation]\nterm_months = 2.5\n", want: "not a whole number"},
		{desc: "unknown format", format: "json", in: "{}", want: `unknown format "json"`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			c, err := center.ParseCharter([]byte(tt.in), tt.format)
			if err == nil {
				err = c.Validate()
				if err != nil && !errors.Is(err, center.ErrInvalid) {
					t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
				}
			}
			if err == nil {
				t.Fatalf("accepted, want an error naming %q", tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "charter: ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line starting with \"charter: \"", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not name %q", msg, tt.want)
			}
		})
	}
}

func TestExampleChartersAreValidAndAgree(t *testing.T) {
	var charters []center.Charter
	for _, ex := range exampleCharters {
		data, err := os.ReadFile(ex.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{ex.format, ""} {
			c, err := center.ParseCharter(data, format)
			if err != nil {
				t.Fatalf("%s as %q: %v", filepath.Base(ex.path), format, err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("%s: %v", filepath.Base(ex.path), err)
			}
			charters = append(charters, c)
		}
	}
	for _, c := range charters[1:] {
		if !reflect.DeepEqual(c, charters[0]) {
			t.Fatalf("the examples differ:\n%+v\n%+v", charters[0], c)
		}
	}
	dir := charters[0].Directory()
	if err := dir.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := dir.Members(); !reflect.DeepEqual(got, []center.PartyCode{"IQ", "SY", "IR", "RU"}) {
		t.Errorf("members = %v", got)
	}
	for _, code := range []string{"regional", "european"} {
		if _, ok := dir.Committee(code); !ok {
			t.Errorf("no committee %q", code)
		}
	}
	for _, p := range dir.Parties {
		for _, lang := range center.Languages {
			if p.Names[lang] == "" {
				t.Errorf("party %s has no name in %s", p.Code, lang)
			}
		}
	}
}

func TestCharterDirectoryIsACopy(t *testing.T) {
	c, err := center.ParseCharter([]byte(threeParties), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := c.Directory()
	d.Parties[0].Code = "XX"
	d.Parties[0].Names["en"] = "changed"
	if c.Parties[0].Code != "IQ" || c.Parties[0].Names["en"] != "Iraq" {
		t.Error("changing the directory changed the charter")
	}
}

// FuzzParseCharter feeds arbitrary documents to the parser: it must never
// panic, and whatever it reports must be one line.
func FuzzParseCharter(f *testing.F) {
	for _, ex := range exampleCharters {
		data, err := os.ReadFile(ex.path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, ex.format)
	}
	f.Add([]byte(threeParties+"rotation: {first_chair: IQ, start: 2026-12-01}\n"), "")
	f.Add([]byte("[rotation]\nstart = 2026-12-01\nterm_months = 2\n"), "toml")
	f.Add([]byte("a: &x [*x]\n"), "yaml")
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		c, err := center.ParseCharter(data, format)
		if err == nil {
			err = c.Validate()
			if err == nil {
				if derr := c.Directory().Validate(); derr != nil {
					t.Fatalf("a valid charter founds an invalid directory: %v", derr)
				}
			}
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error spans lines: %q", err)
		}
	})
}
