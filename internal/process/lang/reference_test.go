package lang

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Checks against reference data nobody on the project wrote: Lucene's
// normalization and stemming tests (Apache-2.0, copied into
// testdata/lucene) and Snowball's word/stem pairs (read from the shared
// test data, never copied: the Arabic list is GPL and the Persian one CC
// BY-SA).

// sharedLangData returns the directory of the shared language test data:
// ../shared/testdata/lang beside the module root. Outside CI a missing
// directory skips the test; under CI=true it fails it.
func sharedLangData(t *testing.T) string {
	t.Helper()
	data := filepath.Join(moduleRoot(t), "..", "shared", "testdata", "lang")
	if _, err := os.Stat(data); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data missing under CI: %v", err)
		}
		t.Skipf("shared test data missing: %v", err)
	}
	return data
}

// readTSV reads a tab-separated file into rows.
func readTSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if sc.Text() == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty", path)
	}
	return rows
}

// TestLuceneNormalization: Normalize must give exactly what Lucene's
// ArabicNormalizationFilter and PersianNormalizationFilter give. Both
// unify towards the Arabic letters (ي, ك, ه), as we do.
func TestLuceneNormalization(t *testing.T) {
	for _, file := range []string{"arabic_normalization.tsv", "persian_normalization.tsv"} {
		for _, row := range readTSV(t, filepath.Join("testdata", "lucene", file)) {
			name, in, want := row[0], row[1], row[2]
			if got := Normalize(in); got != want {
				t.Errorf("%s %s: Normalize(%q) = %q, want %q", file, name, in, got, want)
			}
		}
	}
}

// TestLuceneStem reports how often Stem agrees with Lucene's Arabic and
// Persian stemmers on their own test cases (after Normalize on both
// sides), and pins the disagreements we chose (BENCHMARKS.md explains
// them): a change of either list fails the test.
func TestLuceneStem(t *testing.T) {
	cases := []struct {
		file, lang string
		differ     map[string]bool // inputs where we deliberately differ
	}{
		{"arabic_stem.tsv", "ar", map[string]bool{}},
		{"persian_stem.tsv", "fa", map[string]bool{}},
	}
	for _, c := range cases {
		rows := readTSV(t, filepath.Join("testdata", "lucene", c.file))
		agree := 0
		for _, row := range rows {
			name, in, want := row[0], row[1], Normalize(row[2])
			got := Stem(c.lang, Normalize(in))
			if got == want {
				agree++
				if c.differ[in] {
					t.Errorf("%s %s: %q now agrees with Lucene (%q); update the list", c.file, name, in, got)
				}
				continue
			}
			if !c.differ[in] {
				t.Errorf("%s %s: Stem(%q, %q) = %q, Lucene %q", c.file, name, c.lang, in, got, want)
			}
		}
		t.Logf("%s: %d/%d agree with Lucene (%.1f%%)", c.file, agree, len(rows), 100*float64(agree)/float64(len(rows)))
	}
}

// agreement returns the share of Snowball pairs where Stem (on the
// normalized word) equals Snowball's stem (normalized), and the
// disagreements.
func agreement(t *testing.T, path, lang string) (float64, [][3]string) {
	t.Helper()
	rows := readTSV(t, path)
	var miss [][3]string
	for _, row := range rows {
		in, want := row[0], Normalize(row[1])
		if got := Stem(lang, Normalize(in)); got != want {
			miss = append(miss, [3]string{in, got, want})
		}
	}
	return 1 - float64(len(miss))/float64(len(rows)), miss
}

// TestSnowballRussianEnglish: for Russian and English Stem is Snowball, so
// it must agree on at least 99% of the reference pairs (compared after
// Normalize, which turns ё into е on both sides). Names could differ (a
// name is its own stem); the English stemmer's version does: the pairs are
// Snowball 3's, kljensen/snowball implements Snowball 2's Porter2, and
// every English difference must be one of the 57 words whose stem changed
// between the two (english_v3_vs_v2.tsv), with our stem Snowball 2's.
func TestSnowballRussianEnglish(t *testing.T) {
	data := sharedLangData(t)
	// Words whose English stem changed from Snowball 2 to 3: word → v2 stem.
	v2 := map[string]string{}
	for _, row := range readTSV(t, filepath.Join(data, "snowball", "english_v3_vs_v2.tsv")) {
		v2[row[0]] = row[2]
	}
	for _, c := range []struct{ file, lang string }{{"russian.tsv", "ru"}, {"english.tsv", "en"}} {
		rate, miss := agreement(t, filepath.Join(data, "snowball", c.file), c.lang)
		t.Logf("%s: %.2f%% agree with Snowball (%d differ)", c.file, 100*rate, len(miss))
		for _, m := range miss {
			t.Logf("  %s: ours %s, Snowball %s", m[0], m[1], m[2])
			if c.lang == "en" && v2[m[0]] != m[1] {
				t.Errorf("  %s: ours %s differs from Snowball 3 (%s) and is not Snowball 2's stem", m[0], m[1], m[2])
			}
		}
		if rate < 0.99 {
			t.Errorf("%s: only %.2f%% agree with Snowball; want at least 99%%", c.file, 100*rate)
		}
	}
}

// TestSnowballArabicPersian reports how often our light stemmers agree
// with Snowball's Arabic and Persian stemmers, which are far more
// aggressive (they strip verb prefixes, pronoun suffixes and more). The
// rates are recorded in BENCHMARKS.md; the floor here only catches a
// stemmer that broke.
func TestSnowballArabicPersian(t *testing.T) {
	data := sharedLangData(t)
	for _, c := range []struct {
		file, lang string
		floor      float64
	}{{"arabic.tsv", "ar", 0.10}, {"persian.tsv", "fa", 0.50}} {
		rate, miss := agreement(t, filepath.Join(data, "snowball", c.file), c.lang)
		t.Logf("%s: %.1f%% agree with Snowball (%d of the pairs differ)", c.file, 100*rate, len(miss))
		if testing.Verbose() {
			for i, m := range miss {
				if i == 40 {
					break
				}
				t.Logf("  %s: ours %s, Snowball %s", m[0], m[1], m[2])
			}
		}
		if rate < c.floor {
			t.Errorf("%s: %.1f%% agreement, below the floor of %.0f%%", c.file, 100*rate, 100*c.floor)
		}
	}
}
