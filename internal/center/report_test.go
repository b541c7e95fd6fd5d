package center_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/testkit"
)

func TestAudience(t *testing.T) {
	dir := testkit.Roster()
	tests := []struct {
		name   string
		source center.PartyCode
		dist   center.Distribution
		want   []center.PartyCode
	}{
		{"all members, not associates", "IQ", center.Distribution{All: true}, []center.PartyCode{"IQ", "IR", "RU", "SY"}},
		{"associate source sees its own", "JO", center.Distribution{All: true}, []center.PartyCode{"IQ", "IR", "JO", "RU", "SY"}},
		{"list", "IQ", center.Distribution{Parties: []center.PartyCode{"RU"}}, []center.PartyCode{"IQ", "RU"}},
		{"list with associate", "RU", center.Distribution{Parties: []center.PartyCode{"JO", "RU"}}, []center.PartyCode{"JO", "RU"}},
		{"committee", "RU", center.Distribution{Committee: "regional"}, []center.PartyCode{"IQ", "JO", "RU", "SY"}},
		{"unknown committee gives only the source", "RU", center.Distribution{Committee: "nope"}, []center.PartyCode{"RU"}},
		{"unknown party dropped", "IQ", center.Distribution{Parties: []center.PartyCode{"XX"}}, []center.PartyCode{"IQ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dir.Audience(tt.source, tt.dist)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Audience = %v, want %v", got, tt.want)
			}
			r := center.Report{Source: tt.source, Audience: got}
			for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU", "JO", "XX"} {
				if r.VisibleTo(p) != slices.Contains(tt.want, p) {
					t.Errorf("VisibleTo(%s) = %v", p, r.VisibleTo(p))
				}
			}
			if r.VisibleTo("") {
				t.Error("the empty party sees a report")
			}
		})
	}
}

func TestDraftValidate(t *testing.T) {
	dir := testkit.Roster()
	good := func() center.Draft {
		return center.Draft{Title: "t", Body: "b", Language: "ar", TLP: center.TLPGreen,
			Distribution: center.Distribution{All: true}, Reliability: "B", Credibility: "2", Tags: []string{"x"}}
	}
	tests := []struct {
		name   string
		edit   func(*center.Draft)
		fields []string // the fields named in the error, nil for valid
	}{
		{"valid", func(*center.Draft) {}, nil},
		{"red to list", func(d *center.Draft) {
			d.TLP = center.TLPRed
			d.Distribution = center.Distribution{Parties: []center.PartyCode{"RU"}}
		}, nil},
		{"no title", func(d *center.Draft) { d.Title = "  " }, []string{"title"}},
		{"long title", func(d *center.Draft) { d.Title = strings.Repeat("ب", 501) }, []string{"title"}},
		{"500-character title", func(d *center.Draft) { d.Title = strings.Repeat("ب", 500) }, nil},
		{"title with newline", func(d *center.Draft) { d.Title = "a\nb" }, []string{"title"}},
		{"no body", func(d *center.Draft) { d.Body = "" }, []string{"body"}},
		{"body over limit", func(d *center.Draft) { d.Body = strings.Repeat("a", center.DefaultLimits.MaxBodyBytes+1) }, []string{"body"}},
		{"body with NUL", func(d *center.Draft) { d.Body = "a\x00" }, []string{"body"}},
		{"body with bad UTF-8", func(d *center.Draft) { d.Body = "a\xc3" }, []string{"body"}},
		{"body with tabs and newlines", func(d *center.Draft) { d.Body = "a\tb\r\nc" }, nil},
		{"body with DEL", func(d *center.Draft) { d.Body = "a\x7fb" }, []string{"body"}},
		{"body with a C1 control", func(d *center.Draft) { d.Body = "a\u0085b" }, []string{"body"}},
		{"body with Latin-1 and Arabic letters", func(d *center.Draft) { d.Body = "\u00a0café ¡ قافلة" }, nil},
		{"bad language", func(d *center.Draft) { d.Language = "arabic" }, []string{"language"}},
		{"bad tlp", func(d *center.Draft) { d.TLP = "WHITE" }, []string{"tlp"}},
		{"bad reliability", func(d *center.Draft) { d.Reliability = "G" }, []string{"reliability"}},
		{"bad credibility", func(d *center.Draft) { d.Credibility = "7" }, []string{"credibility"}},
		{"red to all", func(d *center.Draft) { d.TLP = center.TLPRed }, []string{"distribution"}},
		{"empty distribution", func(d *center.Draft) { d.Distribution = center.Distribution{} }, []string{"distribution"}},
		{"two distributions", func(d *center.Draft) { d.Distribution.Committee = "quad" }, []string{"distribution"}},
		{"unknown party", func(d *center.Draft) {
			d.Distribution = center.Distribution{Parties: []center.PartyCode{"RU", "XX"}}
		}, []string{"distribution.parties[1]"}},
		{"unknown committee", func(d *center.Draft) { d.Distribution = center.Distribution{Committee: "nato"} }, []string{"distribution.committee"}},
		{"bad tag", func(d *center.Draft) { d.Tags = []string{"ok", "bad\x01"} }, []string{"tags[1]"}},
		{"too many tags", func(d *center.Draft) { d.Tags = make([]string, 65) }, []string{"tags"}},
		{"everything wrong", func(d *center.Draft) { *d = center.Draft{} }, []string{"title", "body", "tlp", "distribution"}},
		{"a title and a party wrong", func(d *center.Draft) {
			d.Title = ""
			d.Distribution = center.Distribution{Parties: []center.PartyCode{"XX"}}
		}, []string{"title", "distribution.parties[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := good()
			tt.edit(&d)
			err := d.Validate(center.DefaultLimits, dir)
			// A batch checks the content first and the distribution in
			// its transaction: the same problems, in the same order, as
			// often as it asks.
			check := d.CheckContent(center.DefaultLimits)
			for range 2 {
				if two := check.Against(dir); (two == nil) != (err == nil) || two != nil && two.Error() != err.Error() {
					t.Fatalf("CheckContent, then Against = %v; Validate = %v", two, err)
				}
			}
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var inv *center.InvalidError
			if !errors.As(err, &inv) || !errors.Is(err, center.ErrInvalid) {
				t.Fatalf("Validate = %v, want *InvalidError", err)
			}
			var got []string
			for _, f := range inv.Fields {
				if !slices.Contains(got, f.Field) {
					got = append(got, f.Field)
				}
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v (%v)", got, tt.fields, err)
			}
		})
	}
}

func TestDraftNormalize(t *testing.T) {
	d := center.Draft{Title: " t ", Language: " AR", Tags: []string{" a", "a", "", "b "},
		Distribution: center.Distribution{Parties: []center.PartyCode{"RU", "IQ", "RU"}}}
	d.Normalize()
	if d.Title != "t" || d.Language != "ar" || !slices.Equal(d.Tags, []string{"a", "b"}) ||
		!slices.Equal(d.Distribution.Parties, []center.PartyCode{"IQ", "RU"}) {
		t.Errorf("Normalize = %+v", d)
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in   string
		want center.TLP
		ok   bool
	}{
		{"GREEN", center.TLPGreen, true},
		{"tlp:amber+strict", center.TLPAmberStrict, true},
		{" TLP:CLEAR ", center.TLPClear, true},
		{"red", center.TLPRed, true},
		{"WHITE", "", false}, // TLP 1.0's WHITE is CLEAR in 2.0; refuse rather than guess
		{"", "", false},
		{"AMBER STRICT", "", false},
	}
	for _, tt := range tests {
		got, ok := center.ParseTLP(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseTLP(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDirectoryValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*center.Directory)
		want string // substring of the error, "" for valid
	}{
		{"roster", func(*center.Directory) {}, ""},
		{"duplicate code", func(d *center.Directory) { d.Parties[1].Code = "IQ" }, `duplicate party code "IQ"`},
		{"bad code", func(d *center.Directory) { d.Parties[0].Code = "iq" }, "must be 2-16 characters"},
		{"no parties", func(d *center.Directory) { d.Parties = nil; d.Committees = nil }, "at least one party"},
		{"only associates", func(d *center.Directory) { d.Parties = d.Parties[4:]; d.Committees = nil }, "must be a member"},
		{"bad kind", func(d *center.Directory) { d.Parties[0].Kind = "observer" }, "party kind"},
		{"no names", func(d *center.Directory) { d.Parties[0].Names = nil }, "at least one name"},
		{"committee of unknown", func(d *center.Directory) { d.Committees[0].Members = []center.PartyCode{"XX"} }, `unknown party "XX"`},
		{"empty committee", func(d *center.Directory) { d.Committees[0].Members = nil }, "at least one party"},
		{"bad committee code", func(d *center.Directory) { d.Committees[0].Code = "Regional States" }, "committee code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testkit.Roster()
			tt.edit(&d)
			err := d.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
