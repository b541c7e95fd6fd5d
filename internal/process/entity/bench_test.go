package entity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// benchText is a report stream of the four languages: the seed article
// and paragraphs in Persian, Russian and English naming places, groups and
// indicators.
func benchText(b *testing.B) string {
	b.Helper()
	article, err := os.ReadFile(filepath.Join("..", "..", "demo", "article-ar.txt"))
	if err != nil {
		b.Fatal(err)
	}
	return string(article) + "\n" +
		strings.Repeat("نیروهای داعش در نزدیکی مرز ایران و عراق دیده شدند و سازمان ملل متحد از تهران خواست تا همکاری کند. ", 8) +
		strings.Repeat("Боевики ИГИЛ замечены у границы Ирака и Сирии; Совет Безопасности ООН обсудил положение в Дамаске. ", 8) +
		strings.Repeat("ISIS fighters were seen near Mosul and Raqqa; the C2 at 185.220.101.4 served evil[.]com, hash 44d88612fea8a8f36de82e1278abb02f. ", 8)
}

// BenchmarkExtract is extraction as the write path runs it, with every
// seeded alias loaded: analysis (package lang), alias matching,
// observables and the near-duplicate signature. MB/s is per core.
func BenchmarkExtract(b *testing.B) {
	m := seedMatcher()
	text := benchText(b)
	b.ReportMetric(float64(m.Len()), "aliases")
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		toks := lang.Analyze(text, "").Tokens
		Extract(m, text, toks)
	}
}

// BenchmarkMatch is the matcher alone on analyzed tokens: what extraction
// adds to the analysis search already does.
func BenchmarkMatch(b *testing.B) {
	m := seedMatcher()
	text := benchText(b)
	toks := lang.Analyze(text, "").Tokens
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		m.Match(text, toks)
		Observables(toks)
	}
}

// BenchmarkSignature is the MinHash signature and bands of one report.
func BenchmarkSignature(b *testing.B) {
	text := benchText(b)
	toks := lang.Analyze(text, "").Tokens
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		Signature(toks)
	}
}

// BenchmarkNewMatcher is building the matcher of the whole seed, as every
// change of the registry does.
func BenchmarkNewMatcher(b *testing.B) {
	es, err := Seed()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		NewMatcher(es)
	}
}

// BenchmarkAnalyze is the analysis alone (package lang) on the same text:
// the part of extraction that indexing for search does anyway.
func BenchmarkAnalyze(b *testing.B) {
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		lang.Analyze(text, "")
	}
}
