package lang

import "strings"

// The Persian light stemmer works on normalized words: ی is ي, ک is ك, and
// ZWNJ is gone (کتاب‌ها is كتابها). It removes one inflectional ending —
// the plural ها/های/هایی, ان, ات, the superlative ترین and comparative تر,
// the ی of the ezafe, of indefiniteness or of adjectives, and یی — keeping
// at least two letters before ها and three before the others. After ان it
// also drops the ی that joins it to a vowel (دانشجویان → دانشجو) or of an
// adjective (ایرانیان → ایرانی → ایران).

type faSuffix struct {
	suffix string
	keep   int // letters that must remain
}

var faSuffixes = []faSuffix{
	{"هايي", 2}, {"هاي", 2}, {"ها", 2}, {"ترين", 3}, {"يي", 3}, {"ي", 3}, {"ان", 3}, {"ات", 3}, {"تر", 3},
}

// faProtected are common words whose last letters look like an ending:
// سازمان "organization", خیابان "street", دختر "girl", دفتر "office" …
var faProtected = toSet(
	"سازمان", "خیابان", "میدان", "انسان", "زندان", "باران", "آسمان", "کاروان", "فرمان", "قهرمان", "مهمان",
	"پایان", "میان", "جوان", "زبان", "جهان", "زمان", "استان", "ایمان", "امکان", "بیان", "مکان", "گمان",
	"دختر", "دفتر", "کبوتر", "بستر", "شتر", "چتر", "انگشتر", "اختر", "کشتی", "بازی", "کرسی", "ماهی",
)

func stemPersian(w string) string {
	if c, ok := gaz().names[w]; ok {
		return c
	}
	if faProtected[w] {
		return w
	}
	n := runeLen(w)
	for _, f := range faSuffixes {
		if !strings.HasSuffix(w, f.suffix) || n-runeLen(f.suffix) < f.keep {
			continue
		}
		if f.suffix == "ان" && strings.HasSuffix(w, "ستان") && w != "دوستان" {
			return w // -stan, "place of": بیمارستان, شهرستان
		}
		s := w[:len(w)-len(f.suffix)]
		if f.suffix == "ان" && strings.HasSuffix(s, "ي") && runeLen(s) > 3 {
			s = s[:len(s)-len("ي")]
		}
		return s
	}
	return w
}
