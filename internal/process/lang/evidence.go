package lang

// Language evidence: what a rune says about the language of the text it is
// in. Arabic and Persian share a script; they are told apart by letters
// only one of them uses, before normalization unifies them.
const (
	evFaStrong uint8 = 1 << iota // پ چ ژ گ: letters Arabic does not have
	evFaWeak                     // ی ک ۀ and Persian digits: Persian spellings of shared letters
	evArStrong                   // ة ى tanween أ إ: Arabic spellings Persian rarely uses
	evArWeak                     // ي ك and Arabic-Indic digits: also typed by Persian writers on Arabic keyboards
)

// evidenceOf returns the evidence of one rune, before folding.
func evidenceOf(r rune) uint8 {
	if r < 0x600 || r > 0x6FF {
		return 0
	}
	switch r {
	case 0x67E, 0x686, 0x698, 0x6AF: // پ چ ژ گ
		return evFaStrong
	case 0x6CC, 0x6A9, 0x6C0: // ی ک ۀ
		return evFaWeak
	case 0x629, 0x649, 0x64B, 0x64C, 0x64D, 0x623, 0x625: // ة ى ً ٌ ٍ أ إ
		return evArStrong
	case 0x64A, 0x643: // ي ك
		return evArWeak
	}
	if 0x6F0 <= r && r <= 0x6F9 {
		return evFaWeak
	}
	if 0x660 <= r && r <= 0x669 {
		return evArWeak
	}
	return 0
}

// arabicScore weighs evidence: positive means Persian, negative Arabic.
// Persian letters count most; ي and ك count little, since Persian text
// typed on an Arabic keyboard is full of them.
func arabicScore(ev uint8) int {
	s := 0
	if ev&evFaStrong != 0 {
		s += 6
	}
	if ev&evFaWeak != 0 {
		s += 4
	}
	if ev&evArStrong != 0 {
		s -= 6
	}
	if ev&evArWeak != 0 {
		s--
	}
	return s
}

// script is the writing system of a letter, as far as the analyzer cares.
type script uint8

const (
	scriptNone script = iota // not a letter
	scriptLatin
	scriptCyrillic
	scriptArabic
	scriptOther // any other script: Greek, Hebrew, CJK …
)

// scriptOf returns the script of a letter r (which must be a letter).
func scriptOf(r rune) script {
	switch {
	case r < 0x250 || 0x1E00 <= r && r < 0x1F00 || 0x2C60 <= r && r < 0x2C80 || 0xA720 <= r && r < 0xA800 || 0xFF21 <= r && r <= 0xFF5A:
		return scriptLatin
	case 0x400 <= r && r < 0x530 || 0x1C80 <= r && r < 0x1C90 || 0x2DE0 <= r && r < 0x2E00 || 0xA640 <= r && r < 0xA6A0:
		return scriptCyrillic
	case 0x600 <= r && r < 0x700 || 0x750 <= r && r < 0x780 || 0x870 <= r && r < 0x900 || 0xFB50 <= r && r < 0xFE00 || 0xFE70 <= r && r < 0xFF00:
		return scriptArabic
	}
	return scriptOther
}

// Detect returns the language of a text: "ar", "fa", "ru" or "en" for the
// script most of its letters are in (counted after NFKC; Arabic script is
// Persian when its Persian evidence outweighs its Arabic evidence), or ""
// when it has no letter of those scripts.
func Detect(text string) string {
	a := getAnalyzer()
	defer a.release()
	a.norm.bytesOnly = true
	a.norm.run(text)
	a.norm.bytesOnly = false
	return a.norm.language()
}

func languageOf(latin, cyrillic, arabic, score int) string {
	switch {
	case arabic == 0 && cyrillic == 0 && latin == 0:
		return ""
	case arabic >= cyrillic && arabic >= latin:
		if score > 0 {
			return "fa"
		}
		return "ar"
	case cyrillic >= latin:
		return "ru"
	}
	return "en"
}
