package store

import "testing"

// TestMatchDoc: a subscription's query matches one analyzed version as
// a search finds it in the index.
func TestMatchDoc(t *testing.T) {
	doc := SearchDoc{
		Surface: []string{"قافله", "الحدود", "evil.example.com", "implants"},
		Stems:   []string{"قافل", "حدود", "evil.example.com", "implant"},
	}
	word := func(surface, stem string) Seq { return Seq{Surface: []string{surface}, Stems: []string{stem}} }
	prefix := func(p string) Seq { return Seq{Surface: []string{p}, Stems: []string{p}, Prefix: true} }
	phrase := func(stems ...string) Seq { return Seq{Surface: stems, Stems: stems} }
	for _, tt := range []struct {
		name string
		q    TextQuery
		want bool
	}{
		{"a word by its surface form", TextQuery{All: []Alternatives{{word("قافله", "x")}}}, true},
		{"a word by its stem", TextQuery{All: []Alternatives{{word("x", "حدود")}}}, true},
		{"a missing word", TextQuery{All: []Alternatives{{word("x", "y")}}}, false},
		// A word found as another's stem, though its own stem differs:
		// необходимо stems to необходим, which stems to необход.
		{"a word that is another's stem", TextQuery{All: []Alternatives{{word("implant", "implan")}}}, true},
		{"a phrase in order", TextQuery{All: []Alternatives{{phrase("قافل", "حدود")}}}, true},
		{"a phrase out of order", TextQuery{All: []Alternatives{{phrase("حدود", "قافل")}}}, false},
		{"a prefix of a surface form", TextQuery{All: []Alternatives{{prefix("الحد")}}}, true},
		{"a prefix of a stem", TextQuery{All: []Alternatives{{prefix("حدو")}}}, true},
		{"a prefix of an observable", TextQuery{All: []Alternatives{{prefix("evil.ex")}}}, true},
		{"a prefix of a longer surface form", TextQuery{All: []Alternatives{{prefix("implants")}}}, true},
		{"no token starts so", TextQuery{All: []Alternatives{{prefix("plant")}}}, false},
		{"a prefix excluded", TextQuery{All: []Alternatives{{word("x", "حدود")}}, None: []Seq{prefix("evi")}}, false},
		{"a prefix of two tokens is none", TextQuery{All: []Alternatives{{{Surface: []string{"a", "b"}, Stems: []string{"a", "b"}, Prefix: true}}}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.MatchDoc(doc); got != tt.want {
				t.Errorf("MatchDoc = %v, want %v", got, tt.want)
			}
		})
	}
}
