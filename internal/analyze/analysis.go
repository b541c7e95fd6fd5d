package analyze

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

// analysisRevision is bumped by hand for a change to the analysis that the
// probe texts below would not show.
const analysisRevision = "1"

// probeTexts exercise every step of the analysis: normalization,
// proclitics, stems, spellings, observables, in each language. A change
// to any step that changes their tokens changes AnalysisID.
var probeTexts = []struct{ text, lang string }{
	{"أعلنت الأمم المتحدة وبالإضافة إلى ذلك فإن للدولة الإسلامية (داعش) هجمات في إيران والعراق لآمرلي بأسامة. يحيى ١٢٣ ٤٥٦ ـــــ مُحَمَّدٌ مستشفى مدرسة", "ar"},
	{"سازمان‌های بین‌المللی در تهران و کرمان، ۱۲۳ گزارش؛ كتاب يك می‌روند", "fa"},
	{"Ёлка в Москве: представители министерства заявили о новых атаках", "ru"},
	{"The attackers used 203.0.113.7, evil[.]example.com, CVE-2024-3094 and d41d8cd98f00b204e9800998ecf8427e; running ran runs Naïve résumé", "en"},
	{"بغداد Baghdad Багдад بغداد hxxps://example[.]org/path user@example.com", ""},
}

// AnalysisID names the analysis the index and the queries share: a hash of
// the probe texts' tokens, and a revision. The recorder stores it with the
// index; a center whose index another analysis built is reindexed.
var AnalysisID = sync.OnceValue(func() string {
	h := sha256.New()
	for _, p := range probeTexts {
		doc, detected := Indexer{}.analyze(p.text, p.lang)
		h.Write([]byte(detected + "\x00" + strings.Join(doc.Surface, " ") + "\x00" + strings.Join(doc.Stems, " ") + "\x00"))
		for _, s := range spellings(p.text, p.lang) {
			h.Write([]byte(strings.Join(s.Surface, " ") + "\x00" + strings.Join(s.Stems, " ") + "\x01"))
		}
	}
	return "r" + analysisRevision + "-" + hex.EncodeToString(h.Sum(nil))[:16]
})
