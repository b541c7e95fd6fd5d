package analyze

import (
	"strings"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// marks are the words and phrases a snippet highlights: a word where its
// surface form or stem occurs, a phrase only where all of it occurs in
// order, as the index matched them.
type marks []store.Seq

// highlight marks the tokens that the marks match.
func (m marks) highlight(toks []lang.Token) []bool {
	hit := make([]bool, len(toks))
	for i := range toks {
		for _, s := range m {
			if i+len(s.Stems) > len(toks) {
				continue
			}
			ok := true
			for j := range s.Stems {
				t := toks[i+j]
				if s.Prefix {
					ok = strings.HasPrefix(t.Surface, s.Surface[0]) || strings.HasPrefix(t.Stem, s.Stems[0])
				} else if len(s.Stems) == 1 {
					// As the index matches a word: its surface form or
					// its stem, the surface form sought among stems too.
					ok = t.Surface == s.Surface[0] || t.Stem == s.Stems[0] || t.Stem == s.Surface[0]
				} else if t.Stem != s.Stems[j] {
					ok = false
				}
				if !ok {
					break
				}
			}
			if ok {
				for j := range s.Stems {
					hit[i+j] = true
				}
			}
		}
	}
	return hit
}

// A Snippet is a passage of the original text with the byte ranges, within
// Text, of the words that matched.
type Snippet struct {
	Text       string   `json:"text"`
	Highlights [][2]int `json:"highlights"`
}

// snippetsPerWorker is the fewest snippets worth a goroutine of their own.
const snippetsPerWorker = 4

// snippetTokens is how many tokens a snippet spans.
const snippetTokens = 30

// A snippet analyzes its hit's body a piece at a time, each cut after
// white space at most snippetPiece bytes on, until a piece with a match
// and, when its last match is within a snippet's length of the cut, the
// piece after it (so that the window can run past the cut); or until
// snippetScan bytes have gone by without one. A body of one piece,
// nearly every report, is analyzed whole; a long one costs what its first
// matches need. Analyzed whole, a body of 1 MiB took 130–260 ms, so a
// page of long reports took seconds (BenchmarkSnippet). A match further
// in than snippetScan is not shown; the snippet is then the body's start,
// as Lucene's highlighter reads 51,200 characters at most by default
// (about as many bytes of Arabic as snippetScan).
const (
	snippetPiece = 16 << 10
	snippetScan  = 100 << 10
)

// snippetText analyzes body for its snippet as above. It returns the
// tokens, which of them match, and how much of body they cover.
func snippetText(body, language string, m marks) (toks []lang.Token, hit []bool, upto int) {
	if len(body) <= snippetPiece {
		toks = lang.Analyze(body, language).Tokens
		return toks, m.highlight(toks), len(body)
	}
	matched := false
	for upto < len(body) && upto < snippetScan {
		end := pieceEnd(body, upto)
		for _, t := range lang.Analyze(body[upto:end], language).Tokens {
			t.Start, t.End = t.Start+upto, t.End+upto
			toks = append(toks, t)
		}
		upto = end
		// Over every token so far: a phrase may span the cut.
		hit = m.highlight(toks)
		if matched {
			break
		}
		last := len(hit) - 1
		for last >= 0 && !hit[last] {
			last--
		}
		if last >= 0 && last < len(toks)-snippetTokens {
			break // the window after the last match is whole
		}
		matched = last >= 0
	}
	return toks, hit, upto
}

// pieceEnd is where the piece of body that starts at start ends: after
// the last white space in its second half, or, with none there, at a
// rune boundary.
func pieceEnd(body string, start int) int {
	end := start + snippetPiece
	if end >= len(body) {
		return len(body)
	}
	half := start + snippetPiece/2
	if i := strings.LastIndexAny(body[half:end], " \t\n\r"); i >= 0 {
		return half + i + 1
	}
	for end > start+1 && !utf8.RuneStart(body[end]) {
		end--
	}
	return end
}

// makeSnippet picks the passage of body with the most matching words and
// cuts it on token boundaries of the original text, never the normalized
// one.
func makeSnippet(body, language string, m marks) Snippet {
	toks, hit, upto := snippetText(body, language, m)
	if len(toks) == 0 {
		return Snippet{Text: truncate(body, 200), Highlights: [][2]int{}}
	}
	// The window of snippetTokens tokens with the most hits.
	best, bestN, n := 0, -1, 0
	for i := range toks {
		if hit[i] {
			n++
		}
		if i >= snippetTokens && hit[i-snippetTokens] {
			n--
		}
		if n > bestN {
			best, bestN = max(0, i-snippetTokens+1), n
		}
	}
	// Start a few words before the first hit of the window.
	first := best
	for first < len(toks) && !hit[first] && first < best+snippetTokens {
		first++
	}
	if first == len(toks) || first >= best+snippetTokens {
		first = best
	}
	startTok := max(0, first-5)
	endTok := min(len(toks), startTok+snippetTokens) - 1
	start, end := toks[startTok].Start, toks[endTok].End
	if startTok == 0 {
		start = 0
	}
	if endTok == len(toks)-1 && upto == len(body) {
		end = len(body)
	}
	var b strings.Builder
	var hl [][2]int
	if start > 0 {
		b.WriteString("… ")
	}
	offset := b.Len() - start
	b.WriteString(body[start:end])
	if end < len(body) {
		b.WriteString(" …")
	}
	for i := startTok; i <= endTok; i++ {
		if hit[i] {
			hl = append(hl, [2]int{toks[i].Start + offset, toks[i].End + offset})
		}
	}
	if hl == nil {
		hl = [][2]int{}
	}
	return Snippet{Text: b.String(), Highlights: hl}
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + " …"
}
