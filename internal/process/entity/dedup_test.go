package entity

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// variantKinds are the ways syndication changes a text.
var variantKinds = []string{"rewrapped", "repunctuated", "truncated", "spelling"}

// makeVariant returns a copy of words changed as kind says.
func makeVariant(rng *rand.Rand, words []string, kind string) string {
	switch kind {
	case "rewrapped":
		var b strings.Builder
		for i, w := range words {
			if i > 0 {
				if rng.IntN(9) == 0 {
					b.WriteString("\n")
				} else {
					b.WriteString(strings.Repeat(" ", 1+rng.IntN(2)))
				}
			}
			b.WriteString(w)
		}
		return b.String()
	case "repunctuated":
		punct := []string{"،", ",", ".", "؛", " -", "!", ":", "…"}
		out := make([]string, len(words))
		for i, w := range words {
			out[i] = strings.TrimRight(w, ".،,")
			if rng.IntN(6) == 0 {
				out[i] += punct[rng.IntN(len(punct))]
			}
		}
		return strings.Join(out, " ")
	case "truncated":
		n := len(words) * (65 + rng.IntN(30)) / 100
		return strings.Join(words[:n], " ")
	case "spelling":
		out := make([]string, len(words))
		for i, w := range words {
			r := []rune(w)
			switch {
			case len(r) > 3 && r[0] == 'ا' && rng.IntN(2) == 0:
				r[0] = []rune("أإآ")[rng.IntN(3)]
			case len(r) > 3 && r[len(r)-1] == 'ه' && rng.IntN(2) == 0:
				r[len(r)-1] = 'ة'
			case len(r) > 3 && r[len(r)-1] == 'ي' && rng.IntN(2) == 0:
				r[len(r)-1] = 'ى'
			case len(r) > 4 && rng.IntN(4) == 0:
				r = slices.Insert(r, 2, 'ـ') // tatweel
			case len(r) > 4 && rng.IntN(25) == 0:
				r[2] = 'س' // a real typo, which normalization keeps
			}
			out[i] = string(r)
		}
		return strings.Join(out, " ")
	}
	panic(kind)
}

// vocabulary returns the words of the seed article, for texts on one
// topic with one vocabulary: the hard case for telling duplicates apart.
func vocabulary(t testing.TB) []string {
	t.Helper()
	article, err := os.ReadFile(filepath.Join("..", "..", "demo", "article-ar.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, w := range strings.Fields(string(article)) {
		if r := []rune(w); len(r) > 1 {
			words = append(words, w)
		}
	}
	if len(words) < 200 {
		t.Fatalf("article has %d words", len(words))
	}
	return words
}

// TestNearDuplicateQuality measures precision and recall of near-duplicate
// detection as the write path decides it (a shared band, then estimated
// similarity ≥ store.NearDuplicateThreshold) on generated variants of 300
// texts, 4 variants each, and 300 texts quoting a quarter of one of them,
// all drawn from one article's vocabulary.
func TestNearDuplicateQuality(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	vocab := vocabulary(t)
	type doc struct {
		base int
		kind string
		sig  []uint32
		band []int64
	}
	var docs []doc
	add := func(base int, kind, text string) {
		sig, bands := Signature(lang.Analyze(text, "").Tokens)
		docs = append(docs, doc{base, kind, sig, bands})
	}
	const bases = 300
	for b := range bases {
		n := 80 + rng.IntN(120)
		words := make([]string, n)
		for i := range words {
			words[i] = vocab[rng.IntN(len(vocab))]
		}
		add(b, "original", strings.Join(words, " "))
		for _, k := range variantKinds {
			add(b, k, makeVariant(rng, words, k))
		}
		// A different report that quotes a quarter of this one: not a
		// near-duplicate (a base of its own).
		other := slices.Clone(words[:n/4])
		for range n - n/4 {
			other = append(other, vocab[rng.IntN(len(vocab))])
		}
		add(bases+b, "overlapping", strings.Join(other, " "))
	}
	byBand := map[int64][]int{}
	tp, fp, fn := 0, 0, 0
	missed := map[string]int{}
	for i, d := range docs {
		cands := map[int]bool{}
		for _, band := range d.band {
			for _, j := range byBand[band] {
				cands[j] = true
			}
		}
		for j := range i {
			same := docs[j].base == d.base
			found := cands[j] && store.Similarity(d.sig, docs[j].sig) >= store.NearDuplicateThreshold
			switch {
			case found && same:
				tp++
			case found:
				fp++
			case same:
				fn++
				missed[d.kind+"/"+docs[j].kind]++
			}
		}
		for _, band := range d.band {
			byBand[band] = append(byBand[band], i)
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("%d texts: precision %.4f, recall %.4f (tp %d, fp %d, fn %d); missed pairs by kind: %v", len(docs), precision, recall, tp, fp, fn, missed)
	if precision < 0.99 || recall < 0.95 {
		t.Errorf("precision %.4f, recall %.4f; want ≥ 0.99 and ≥ 0.95", precision, recall)
	}
}
