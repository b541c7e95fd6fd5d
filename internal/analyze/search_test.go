package analyze

import (
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

func TestCompile(t *testing.T) {
	s := NewSearcher(nil, StarterAliases())
	tests := []struct {
		query      string
		groups     int
		alternates []int // per group
		none       int
	}{
		{"داعش", 1, []int{len(s.aliases.Expand(seqOfWord("داعش")))}, 0},
		{"the convoy", 1, []int{1}, 0},     // a lone stop word goes where other words remain
		{"the", 1, []int{1}, 0},            // but not when it is all there is
		{"convoy OR the", 1, []int{2}, 0},  // a stop word in an OR group stays
		{"convoy -border", 1, []int{1}, 1}, // exclusions are kept
		{"... convoy", 1, []int{1}, 0},     // punctuation alone analyzes to nothing
		{"source:IQ", 0, nil, 0},           // filters alone: no text condition
		{`"the convoy"`, 1, []int{1}, 0},   // a phrase keeps its stop words
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := s.compile(q)
		if len(text.All) != tt.groups || len(text.None) != tt.none {
			t.Errorf("%q: %d groups, %d exclusions; want %d, %d", tt.query, len(text.All), len(text.None), tt.groups, tt.none)
			continue
		}
		for i, n := range tt.alternates {
			if len(text.All[i]) != n {
				t.Errorf("%q: group %d has %d alternatives, want %d", tt.query, i, len(text.All[i]), n)
			}
		}
	}
	if n := len(s.aliases.Expand(seqOfWord("داعش"))); n < 8 {
		t.Errorf("داعش expands to %d names, want the starter table's", n)
	}
}

func seqOfWord(w string) store.Seq { return seqOf(lang.Analyze(w, "")) }
