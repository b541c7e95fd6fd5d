package analyze

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
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
			sn, got := snippetOf(t, s, tt.query, tt.body, "")
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("highlights %q in %q, want %q", got, sn.Text, tt.want)
			}
			if !strings.Contains(tt.body, strings.Trim(sn.Text, "… ")) {
				t.Errorf("snippet %q is not a passage of the original text", sn.Text)
			}
		})
	}
}

// marksOf returns what s highlights in the snippets of query.
func marksOf(tb testing.TB, s *Searcher, query string) marks {
	tb.Helper()
	q, err := Parse(query)
	if err != nil {
		tb.Fatal(err)
	}
	_, m := s.compile(q)
	return m
}

// endingFirstPiece returns white space and word, then a space, so long
// that a body beginning with it has its first piece end right after it.
func endingFirstPiece(word string) string {
	prefix := strings.Repeat("x ", (snippetPiece-len(word)-1)/2)
	return prefix + strings.Repeat(" ", snippetPiece-len(word)-1-len(prefix)) + word + " "
}

// snippetOf returns the snippet of body for query, as s's searches cut
// it, and the words it highlights, in order.
func snippetOf(t *testing.T, s *Searcher, query, body, language string) (Snippet, []string) {
	t.Helper()
	sn := makeSnippet(body, language, marksOf(t, s, query))
	var words []string
	for _, h := range sn.Highlights {
		words = append(words, sn.Text[h[0]:h[1]])
	}
	return sn, words
}

// TestSnippetOfALongReport: a long body is analyzed a piece at a time, up
// to the piece after its first match, and no further than snippetScan.
func TestSnippetOfALongReport(t *testing.T) {
	s := NewSearcher(nil, StarterAliases())
	// A phrase across the first cut: the piece ends after "convoy ".
	first := endingFirstPiece("convoy")
	across := first + "crossed " + longBody(3*snippetPiece, -1, "")
	if end := pieceEnd(across, 0); across[:end] != first {
		t.Fatalf("the test's first piece ends at %d, not after its convoy", end)
	}
	tests := []struct {
		name, query, body string
		want              []string
	}{
		{"a match past the first pieces", "convoy", longBody(3*snippetScan/2, snippetScan/2, "convoy"), []string{"convoy"}},
		{"a match in the second piece", "convoy", longBody(snippetPiece+snippetPiece/2, snippetPiece+100, "convoy"), []string{"convoy"}},
		{"a phrase across a cut", `"convoy crossed"`, across, []string{"convoy", "crossed"}},
		{"a match past snippetScan: the start", "convoy", longBody(2*snippetScan, snippetScan+snippetPiece, "convoy"), nil},
		{"no match: the start", "convoy", longBody(4*snippetPiece, -1, ""), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn, got := snippetOf(t, s, tt.query, tt.body, "en")
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("highlights %q, want %q", got, tt.want)
			}
			passage := strings.TrimSuffix(strings.TrimPrefix(sn.Text, "… "), " …")
			if !strings.Contains(tt.body, passage) || len(passage) > 1000 {
				t.Errorf("snippet %q is not a short passage of the text", sn.Text)
			}
			if tt.want == nil && !strings.HasPrefix(tt.body, passage) {
				t.Errorf("snippet %q is not the start of the text", sn.Text)
			}
		})
	}
}

// TestSnippetAnalyzesWhatItNeeds: a long body's analysis stops after the
// piece with the first match, or after the piece that follows when the
// match is too near the cut for a whole window; without a match it goes
// on to snippetScan.
func TestSnippetAnalyzesWhatItNeeds(t *testing.T) {
	m := marksOf(t, NewSearcher(nil, StarterAliases()), "convoy")
	early := longBody(4*snippetPiece, 100, "convoy")
	// "convoy" the last word of the first piece, "crossed" the next's first.
	late := endingFirstPiece("convoy") + "crossed the border " + longBody(3*snippetPiece, -1, "")
	none := longBody(2*snippetScan, -1, "")
	scanned := 0 // the end of the piece that reaches snippetScan
	for scanned < snippetScan {
		scanned = pieceEnd(none, scanned)
	}
	for _, tt := range []struct {
		name string
		body string
		upto int
	}{
		{"a match early in the first piece", early, pieceEnd(early, 0)},
		{"a match at the first piece's end", late, pieceEnd(late, pieceEnd(late, 0))},
		{"no match", none, scanned},
	} {
		if _, _, upto := snippetText(tt.body, "en", m); upto != tt.upto {
			t.Errorf("%s: analyzed %d bytes, want %d", tt.name, upto, tt.upto)
		}
	}
	if sn := makeSnippet(late, "en", m); !strings.Contains(sn.Text, "convoy crossed the border") {
		t.Errorf("a match at a piece's end: snippet %q does not run past the cut", sn.Text)
	}
}

// TestPieceEnd cuts random bodies into pieces: contiguous, none longer
// than snippetPiece, none splitting a rune, each ending after white space
// when its second half has some.
func TestPieceEnd(t *testing.T) {
	words := []string{"convoy", "قافلة", "колонна", "کاروان", "\n", "185.220.101.4", strings.Repeat("z", 9000)}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var b strings.Builder
		for b.Len() < 100_000 {
			b.WriteString(words[r.IntN(len(words))])
			if r.IntN(4) > 0 {
				b.WriteByte(' ')
			}
		}
		body := b.String()
		for start := 0; start < len(body); {
			end := pieceEnd(body, start)
			piece := body[start:end]
			switch {
			case end <= start || end-start > snippetPiece:
				t.Fatalf("piece %d:%d of a body of %d", start, end, len(body))
			case !utf8.ValidString(piece):
				t.Fatalf("piece %d:%d splits a rune", start, end)
			case end < len(body) && strings.ContainsAny(piece[snippetPiece/2:], " \t\n\r") && !strings.ContainsAny(piece[len(piece)-1:], " \t\n\r"):
				t.Fatalf("piece %d:%d does not end after white space", start, end)
			}
			start = end
		}
	}
}

// longBody is about size bytes of English prose with word at the byte
// offset at (or nowhere, when at < 0).
func longBody(size, at int, word string) string {
	const filler = "The committee reviewed the logistics of the crossing and the schedule of the patrols. "
	var b strings.Builder
	for b.Len() < size {
		if at >= 0 && b.Len() >= at {
			b.WriteString("A " + word + " was seen. ")
			at = -1
		}
		b.WriteString(filler)
	}
	return b.String()
}

// BenchmarkSnippet cuts the snippet of one hit: a report of about 1 KB,
// as the search benchmark's, and long ones with the match at the start,
// in the middle, or only in the title (nowhere in the body).
func BenchmarkSnippet(b *testing.B) {
	m := marksOf(b, NewSearcher(nil, StarterAliases()), "convoy")
	for _, tc := range []struct {
		size int
		at   string
	}{
		{1 << 10, "start"}, {64 << 10, "start"}, {64 << 10, "middle"}, {1 << 20, "start"}, {1 << 20, "middle"}, {1 << 20, "title"},
	} {
		at := map[string]int{"start": 100, "middle": tc.size / 2, "title": -1}[tc.at]
		body := longBody(tc.size, at, "convoy")
		b.Run(fmt.Sprintf("%dKB-%s", tc.size>>10, tc.at), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				makeSnippet(body, "en", m)
			}
		})
	}
}
