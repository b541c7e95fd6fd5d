package lang

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestStopWordsInReference: every stop word of ours is in the stopwords-iso
// list of its language (compared after Normalize), so the lists stay
// function words someone else also calls stop words.
func TestStopWordsInReference(t *testing.T) {
	data := sharedLangData(t)
	for lang, ours := range stopWords {
		b, err := os.ReadFile(filepath.Join(data, "stopwords", "stopwords_iso_"+lang+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		ref := map[string]bool{}
		for w := range strings.SplitSeq(string(b), "\n") {
			ref[Normalize(strings.TrimSpace(w))] = true
		}
		var missing []string
		for w := range ours {
			if !ref[w] {
				missing = append(missing, w)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: %d stop words not in stopwords-iso: %v", lang, len(missing), missing)
		}
		if len(ours) < 30 || len(ours) > 120 {
			t.Errorf("%s: %d stop words; keep a few dozen", lang, len(ours))
		}
	}
}
