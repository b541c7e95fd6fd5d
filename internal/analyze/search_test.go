package analyze

import (
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

func TestSnippetHighlightsWhatMatched(t *testing.T) {
	s := NewSearcher(nil, StarterAliases())
	tests := []struct {
		name, query, body string
		want              []string // the highlighted words, in order
	}{
		{"a word and its variant", "إيران", "زار وفد من ايران بغداد ثم عاد إلى إيران.", []string{"ايران", "إيران"}},
		{"a phrase only where it is whole", `"الدولة الإسلامية"`, "الدولة قالت إن تنظيم الدولة الإسلامية هُزم", []string{"تنظيم", "الدولة", "الإسلامية"}}, // تنظيم الدولة الإسلامية is a name too
		{"an alias in another script", "ISIS", "مقاتلو داعش عبروا الحدود", []string{"داعش"}},
		{"a stem that is the query's surface form", "необходим", "Это необходимо сделать", []string{"необходимо"}}, // необходимо → необходим; необходим → необход
		{"no match: the start of the text", "zzz", "نص قصير", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, m := s.compile(q)
			sn := makeSnippet(tt.body, "", m)
			var got []string
			for _, h := range sn.Highlights {
				got = append(got, sn.Text[h[0]:h[1]])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("highlights %q in %q, want %q", got, sn.Text, tt.want)
			}
			if !strings.Contains(tt.body, strings.Trim(sn.Text, "… ")) {
				t.Errorf("snippet %q is not a passage of the original text", sn.Text)
			}
		})
	}
}

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
