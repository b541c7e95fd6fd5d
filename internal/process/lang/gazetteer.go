package lang

import (
	"strings"
	"sync"

	"github.com/kljensen/snowball/russian"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The gazetteer: names that are never stemmed. It holds the names of the
// ISO 3166 countries and the UN M.49 regions in Arabic, Persian, Russian and
// English, from CLDR through golang.org/x/text/language/display, and the
// places and groups of the seed article, all normalized by Normalize. Only
// names of one word are kept: the words of "United States" or "الولايات
// المتحدة" are ordinary words.
//
// In Arabic the article is a proclitic like و or ب, so an Arabic name is
// kept without it: العراق, والعراق, بالعراق, للعراق, وللعراق and عراق all
// stem to عراق, which is also the Persian name. A name whose first letters
// only look like the article (ألمانيا, ألبانيا: hamza on the alef) keeps
// them.

// seedNames are names of the seed article and of the region it is about,
// beyond the countries: cities, provinces and the group it names, in the
// four languages. Arabic ones are written as in the article.
var seedNames = map[string][]string{
	"ar": {"داعش", "بغداد", "دمشق", "موسكو", "طهران", "واشنطن", "نيويورك", "الموصل", "البصرة", "أربيل",
		"كركوك", "الأنبار", "الفلوجة", "الرمادي", "تكريت", "حلب", "حمص", "الرقة", "إدلب", "اللاذقية",
		"بيروت", "عمّان", "الرياض", "أنقرة", "اسطنبول", "القاهرة", "أمريكا", "أميركا", "سورية", "كردستان",
		"الكرملين", "البنتاغون", "الناتو", "إيلاف"},
	"fa": {"داعش", "بغداد", "دمشق", "مسکو", "تهران", "واشنگتن", "نیویورک", "موصل", "بصره", "اربیل",
		"کرکوک", "حلب", "بیروت", "ریاض", "آنکارا", "استانبول", "قاهره", "آمریکا", "انگلستان", "عربستان",
		"کردستان", "خوزستان", "بلوچستان", "سیستان", "لرستان", "گلستان", "ناتو", "کرملین"},
	"ru": {"игил", "даиш", "багдад", "дамаск", "москва", "тегеран", "вашингтон", "мосул", "басра", "эрбиль",
		"киркук", "алеппо", "халеб", "бейрут", "анкара", "стамбул", "каир", "америка", "курдистан",
		"кремль", "пентагон", "нато"},
	"en": {"isis", "isil", "daesh", "baghdad", "damascus", "moscow", "tehran", "washington", "mosul", "basra",
		"erbil", "kirkuk", "aleppo", "beirut", "riyadh", "ankara", "istanbul", "cairo", "america", "kurdistan",
		"kremlin", "pentagon", "nato", "britain", "england", "turkey", "usa"},
}

// givenNames are common given names of the Arab world and Iran, in Arabic
// spelling (the Persian one normalizes to the same letters). A name takes
// the proclitics ب and ل like any noun (بيحيى, لحيدر), and no light
// stemmer can tell them from root letters without knowing the name; names
// that are also common words (على/علي "on", حسن "good", صالح "valid",
// أمين "secretary", رضا "consent") are left out, as their ordinary use is
// the more frequent.
var givenNames = []string{
	"أحمد", "محمد", "محمود", "مصطفى", "يحيى", "موسى", "عيسى", "حيدر", "أسامة", "عمر", "عثمان", "خالد",
	"وليد", "يوسف", "إبراهيم", "إسماعيل", "يعقوب", "سليمان", "داود", "هارون", "زكريا", "طارق", "زياد",
	"ماجد", "فيصل", "صدام", "نوري", "مقتدى", "عمار", "باسم", "حسين", "عباس", "جعفر", "كاظم", "مهدي",
	"مرتضى", "مجتبى", "نزار", "بشار", "معاذ", "بلال", "حمزة", "زيد", "فهد", "أيمن", "هشام", "هيثم",
	"قتيبة", "لؤي", "مازن", "نبيه", "سمير", "عدنان", "إياد", "رائد", "غسان", "جواد", "حسام", "فراس",
	"مؤيد", "منذر", "فاطمة", "زينب", "عائشة", "مريم", "خديجة", "رقية", "سكينة", "ليلى", "هدى", "نادية",
	"قاسم", "سليماني", "خامنئي", "روحاني", "ظريف", "بوتين", "لافروف", "شويغو", "أردوغان", "الأسد", "پوتین",
	"نصرالله", "البغدادي", "العبادي", "المالكي", "الكاظمي", "السوداني", "الصدر", "الحكيم", "البارزاني",
	"الطالباني",
}

// notNames are region names that are far more often ordinary words in
// their language: Mali is مالي "financial" in Arabic, Того "of that" in
// Russian.
var notNames = map[string]bool{"مالي": true, "того": true, "чад": true}

type gazetteer struct {
	names   map[string]string // a normalized form (with or without the Arabic article) → the name
	ruStems map[string]string // a Russian name's Snowball stem → the name
}

var gaz = sync.OnceValue(buildGazetteer)

func buildGazetteer() *gazetteer {
	g := &gazetteer{names: map[string]string{}, ruStems: map[string]string{}}
	langs := []struct {
		code string
		tag  language.Tag
	}{{"ar", language.Arabic}, {"fa", language.Persian}, {"ru", language.Russian}, {"en", language.English}}
	var regions []language.Region
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if r, err := language.ParseRegion(string([]rune{a, b})); err == nil && r.IsCountry() {
				regions = append(regions, r)
			}
		}
	}
	for m := 1; m < 1000; m++ {
		if r, err := language.EncodeM49(m); err == nil && r.IsGroup() {
			regions = append(regions, r)
		}
	}
	for _, l := range langs {
		for _, n := range seedNames[l.code] {
			g.add(l.code, n)
		}
		if l.code == "ar" {
			for _, n := range givenNames {
				g.add(l.code, n)
			}
		}
		namer := display.Regions(l.tag)
		for _, r := range regions {
			if n := namer.Name(r); n != "" {
				g.add(l.code, n)
			}
		}
	}
	return g
}

// add puts one name, as CLDR or the seed list writes it, in the gazetteer.
// Names of more than one word are left out. The first name to claim a
// form keeps it.
func (g *gazetteer) add(lang, name string) {
	n := Normalize(name)
	if n == "" || notNames[n] || strings.IndexFunc(n, func(r rune) bool { return !isLetter(r) }) >= 0 {
		return
	}
	claim := func(form, canon string) {
		if _, ok := g.names[form]; !ok {
			g.names[form] = canon
		}
	}
	switch lang {
	case "ar", "fa":
		// The article as written (plain alef, lam), not أل/إل/آل.
		if body, ok := strings.CutPrefix(name, "ال"); ok && len([]rune(body)) >= 3 {
			canon := n[len("ال"):]
			claim(n, canon)
			claim(canon, canon)
			return
		}
		claim(n, n)
	case "ru":
		claim(n, n)
		if s := russian.Stem(n, true); len([]rune(s)) >= 2 {
			if _, ok := g.ruStems[s]; !ok {
				g.ruStems[s] = n
			}
		}
	default:
		claim(n, n)
	}
}

// IsName reports whether a normalized word is a name in the gazetteer (as
// written, or with the Arabic article), and returns the name.
func IsName(word string) (string, bool) {
	c, ok := gaz().names[word]
	return c, ok
}
