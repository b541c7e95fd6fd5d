package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// mixedParagraph is a report as parties write them: Arabic prose with a
// Persian and a Russian sentence, English terms and observables, defanged
// and not. About 1 KB.
const mixedParagraph = `رصد مركز تبادل المعلومات في بغداد اتصالات من الخادم 185.220.101.4 إلى النطاق evil[.]com ` +
	`وعنوان hxxp://update-check[.]net/gate.php?id=7 خلال الأسبوع الماضي، بحسب تقرير CERT-IQ. ` +
	`The sample (SHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855) exploits CVE-2024-3400 ` +
	`and beacons every 60 seconds; Iraq's analysts shared it with the committee. ` +
	`گزارش‌های تیم ایران نشان می‌دهد که این بدافزار از طریق ایمیل‌های جعلی به سازمان‌ها رسیده است. ` +
	`По данным российской стороны, сервер 45.9.148.114 использовался и в атаках на Сирию в прошлом месяце. ` +
	`وأكدت الأطراف الأربعة أن التنسيق يقتصر على تبادل المعلومات وتحليلها، وللعراق رئاسة المركز حتى نهاية الشهر.`

// arabicParagraph returns about 1 KB of the seed article, cut at a rune.
func arabicParagraph(b *testing.B) string {
	text, err := os.ReadFile(filepath.Join(moduleRoot(b), "internal", "demo", "article-ar.txt"))
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Join(strings.Fields(string(text)), " ")
	n := 1024
	for !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// BenchmarkAnalyze measures Analyze on 1 KB paragraphs; b.SetBytes makes
// go test report MB/s. Run: go test -run '^$' -bench Analyze -benchmem ./internal/process/lang/
func BenchmarkAnalyze(b *testing.B) {
	texts := []struct{ name, text string }{
		{"arabic-1KB", arabicParagraph(b)},
		{"mixed-1KB", mixedParagraph},
	}
	if data := filepath.Join(moduleRoot(b), "..", "shared", "testdata", "lang", "corpus", "udhr_ar_fa_ru_en.tsv"); fileExists(data) {
		by := map[string]*strings.Builder{}
		raw, _ := os.ReadFile(data)
		for i, l := range strings.Split(string(raw), "\n") {
			cols := strings.Split(l, "\t")
			if i == 0 || len(cols) != 5 {
				continue
			}
			if by[cols[1]] == nil {
				by[cols[1]] = &strings.Builder{}
			}
			if by[cols[1]].Len() < 1024 {
				by[cols[1]].WriteString(cols[4] + "\n")
			}
		}
		for _, l := range []string{"ar", "fa", "ru", "en"} {
			if sb := by[l]; sb != nil {
				texts = append(texts, struct{ name, text string }{"udhr-" + l, sb.String()})
			}
		}
	}
	Analyze("warm up the gazetteer", "")
	for _, tc := range texts {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				Analyze(tc.text, "")
			}
		})
	}
	// The same without the stem cache: every word stemmed as if never seen
	// before, the worst case.
	useStemCache = false
	defer func() { useStemCache = true }()
	for _, tc := range texts {
		b.Run(tc.name+"-uncached", func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			b.ReportAllocs()
			for b.Loop() {
				Analyze(tc.text, "")
			}
		})
	}
}

// BenchmarkAnalyzeLong measures Analyze on long reports: the 1 KB mixed
// paragraph repeated. Past the 64k runes whose buffers the pool keeps
// (maxPooledRunes), a text gets buffers of its size at once.
func BenchmarkAnalyzeLong(b *testing.B) {
	for _, size := range []int{16 << 10, 64 << 10, 256 << 10, 1 << 20} {
		text := strings.Repeat(mixedParagraph+" ", size/(len(mixedParagraph)+1)+1)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Analyze(text, "")
			}
		})
	}
}

// BenchmarkNormalize measures the normalization step alone.
func BenchmarkNormalize(b *testing.B) {
	text := arabicParagraph(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Normalize(text)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
