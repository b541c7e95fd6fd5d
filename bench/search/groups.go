package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// A Group is something planted into a known set of documents: the
// spellings of one word (a variant group), a rare name (an entity), or an
// observable. Every document of Docs holds one of Forms; each query of
// Queries should find all of them.
type Group struct {
	Kind    string // "variant", "entity" or "observable"
	Name    string // the canonical form, for reports
	Lang    string // the language of the documents planted into; "" for any
	Forms   []string
	Queries []Term
	// The share of the pool's documents planted into is drawn
	// log-uniformly from [MinRate, MaxRate], and is at least MinDocs.
	MinRate, MaxRate float64
	MinDocs          int
	Docs             []int
}

// Kinds of group, and of query.
const (
	kindVariant    = "variant"
	kindEntity     = "entity"
	kindObservable = "observable"
)

// Arabic orthographic variation.
const (
	tatweel = '\u0640'
	zwnj    = "\u200c"
)

var arDiacritics = []rune{'\u064e', '\u0650', '\u064f', '\u0652'} // fatha, kasra, damma, sukun

// alefless writes the hamzated and madda alefs as a bare alef, as much
// Arabic is typed.
func alefless(s string) string {
	return strings.NewReplacer("أ", "ا", "إ", "ا", "آ", "ا").Replace(s)
}

// withTashkeel adds a short vowel or sukun after every other letter.
func withTashkeel(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		b.WriteRune(r)
		if i%2 == 0 && r != 'ا' && r != 'ل' {
			b.WriteRune(arDiacritics[(i/2)%len(arDiacritics)])
		}
	}
	return b.String()
}

// nonJoining are the Arabic letters that do not join the next one; a
// tatweel can only follow a letter that does.
const nonJoining = "اأإآدذرزوؤةى"

// withTatweel stretches the word once, after a joining letter past its
// middle.
func withTatweel(s string) string {
	rs := []rune(s)
	for i := max(1, len(rs)/2); i < len(rs); i++ {
		if !strings.ContainsRune(nonJoining, rs[i-1]) {
			return string(slices.Insert(rs, i, tatweel))
		}
	}
	return s
}

// arGroup is an Arabic word or name with its variant spellings: the bare
// alef, ه for ة, ي for final ى, tashkeel, tatweel, and the proclitics
// و ب ل on a bare name, و+ال ب+ال لل on one with the article.
func arGroup(base string) *Group {
	forms := []string{base, alefless(base), strings.ReplaceAll(base, "ة", "ه"),
		strings.TrimSuffix(base, "ى") + map[bool]string{true: "ي", false: ""}[strings.HasSuffix(base, "ى")],
		withTashkeel(base), withTatweel(base)}
	queries := []Term{}
	if rest, ok := strings.CutPrefix(base, "ال"); ok {
		forms = append(forms, "و"+base, "ب"+base, "لل"+rest, "و"+alefless(base))
		// The bare noun names the same thing.
		queries = append(queries, Term{Text: rest})
	} else {
		forms = append(forms, "و"+base, "ب"+base, "ل"+base, "و"+alefless(base))
	}
	forms = dedup(forms)
	for _, f := range forms {
		queries = append(queries, Term{Text: f})
	}
	return &Group{Kind: kindVariant, Name: base, Lang: "ar", Forms: forms, Queries: queries}
}

// faGroup is a Persian word with ی and ک written as the Arabic letters ي
// and ك, each alone and both.
func faGroup(base string) *Group {
	yeh := strings.ReplaceAll(base, "ی", "ي")
	kaf := strings.ReplaceAll(base, "ک", "ك")
	both := strings.ReplaceAll(yeh, "ک", "ك")
	forms := dedup([]string{base, yeh, kaf, both})
	var queries []Term
	for _, f := range forms {
		queries = append(queries, Term{Text: f})
	}
	return &Group{Kind: kindVariant, Name: base, Lang: "fa", Forms: forms, Queries: queries}
}

// faZWNJGroup is a Persian word written with a zero-width non-joiner, with
// a space instead, and with Arabic yeh. The spaced form is queried as a
// phrase.
func faZWNJGroup(a, b string) *Group {
	joined := a + zwnj + b
	spaced := a + " " + b
	arabicYeh := strings.ReplaceAll(joined, "ی", "ي")
	return &Group{Kind: kindVariant, Name: joined, Lang: "fa",
		Forms:   dedup([]string{joined, spaced, arabicYeh}),
		Queries: []Term{{Text: joined}, {Text: spaced, Phrase: true}, {Text: arabicYeh}}}
}

// ruGroup is a Russian name or word with ё, written with е, and in
// capitals. (Inflected forms are left out: they test the stemmer, not the
// spelling.)
func ruGroup(base string) *Group {
	forms := dedup([]string{base, strings.ReplaceAll(base, "ё", "е"), strings.ToUpper(base)})
	queries := []Term{{Text: base}, {Text: strings.ReplaceAll(base, "ё", "е")}, {Text: strings.ToLower(strings.ReplaceAll(base, "ё", "е"))}}
	return &Group{Kind: kindVariant, Name: base, Lang: "ru", Forms: forms, Queries: queries}
}

// enGroup is an English name in three cases.
func enGroup(base string) *Group {
	forms := []string{base, strings.ToUpper(base), strings.ToLower(base)}
	var queries []Term
	for _, f := range forms {
		queries = append(queries, Term{Text: f})
	}
	return &Group{Kind: kindVariant, Name: base, Lang: "en", Forms: forms, Queries: queries}
}

// digitGroup is a number in ASCII, Arabic-Indic and Extended Arabic-Indic
// (Persian) digits.
func digitGroup(lang, ascii string) *Group {
	arabic := strings.Map(func(r rune) rune { return r - '0' + '٠' }, ascii)
	persian := strings.Map(func(r rune) rune { return r - '0' + '۰' }, ascii)
	forms := []string{ascii, arabic}
	if lang == "fa" {
		forms = []string{ascii, persian, arabic}
	}
	return &Group{Kind: kindVariant, Name: ascii, Lang: lang, Forms: forms,
		Queries: []Term{{Text: ascii}, {Text: arabic}, {Text: persian}}}
}

// phraseGroup is a two-word Arabic name with variant spellings, queried
// as a phrase.
func phraseGroup(forms []string, queries ...string) *Group {
	g := &Group{Kind: kindVariant, Name: forms[0], Lang: "ar", Forms: forms}
	for _, q := range queries {
		g.Queries = append(g.Queries, Term{Text: q, Phrase: true})
	}
	return g
}

func dedup(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// entityNames are rare place and person names of each language, planted
// in their one spelling into a handful of documents each.
var entityNames = map[string][]string{
	"ar": {"كركوك", "تلعفر", "سامراء", "الرمادي", "بعقوبة", "حديثة", "سنجار", "البوكمال", "الحسكة", "منبج", "الجبوري", "الدليمي"},
	"fa": {"کرمانشاه", "اهواز", "خرمشهر", "آبادان", "مریوان", "سنندج", "ارومیه", "زاهدان", "بوشهر", "حسینی", "موسوی", "قزوین"},
	"ru": {"Ростов", "Новороссийск", "Хмеймим", "Тартус", "Краснодар", "Воронеж", "Смирнов", "Кузнецов", "Соколов", "Лебедев", "Морозов", "Волков"},
	"en": {"Fallujah", "Ramadi", "Tikrit", "Samarra", "Haditha", "Sinjar", "Raqqa", "Manbij", "Palmyra", "Hasakah", "Baqubah", "Tartus"},
}

// groups returns every group to plant, in a fixed order.
func groups() []*Group {
	var gs []*Group
	variant := func(g *Group) {
		g.MinRate, g.MaxRate, g.MinDocs = 0.002, 0.01, 8
		gs = append(gs, g)
	}
	for _, w := range []string{"إيران", "أحمد", "أسامة", "الأمم", "العراق", "الموصل", "الأنبار", "الإرهاب",
		"مصطفى", "موسى", "يحيى", "منظمة", "أربيل", "آمرلي", "بغداد", "محمد"} {
		variant(arGroup(w))
	}
	variant(phraseGroup([]string{"الأمم المتحدة", "الامم المتحده", "للأمم المتحدة", "بالأمم المتحدة", "والأمم المتحـدة"},
		"الأمم المتحدة", "الامم المتحده"))
	variant(phraseGroup([]string{"حيدر العبادي", "حيدر العبادى", "وحيدر العبادي", "لحيدر العبادي", "حَيْدَر العبادي"},
		"حيدر العبادي", "حيدر العبادى"))
	variant(digitGroup("ar", "73519"))
	for _, w := range []string{"ایران", "کشور", "آمریکا", "کمیته", "پیشنهاد", "تحریم", "کردستان"} {
		variant(faGroup(w))
	}
	for _, p := range [][2]string{{"بین", "المللی"}, {"آزادی", "های"}, {"اتحادیه", "ها"}, {"سازمان", "ها"}, {"مسالمت", "آمیز"}} {
		variant(faZWNJGroup(p[0], p[1]))
	}
	variant(digitGroup("fa", "58204"))
	for _, w := range []string{"Королёв", "Пётр", "Фёдоров", "Семёнов", "Селезнёв", "объём"} {
		variant(ruGroup(w))
	}
	for _, w := range []string{"Mosul", "Kirkuk", "Interpol", "Tehran"} {
		variant(enGroup(w))
	}

	for _, l := range langs {
		for _, name := range entityNames[l] {
			gs = append(gs, &Group{Kind: kindEntity, Name: name, Lang: l, Forms: []string{name},
				Queries: []Term{{Text: name}}, MinRate: 4e-5, MaxRate: 4e-3, MinDocs: 1})
		}
	}

	observable := func(name string, queries ...string) {
		g := &Group{Kind: kindObservable, Name: name, Forms: []string{name}, MinRate: 1e-5, MaxRate: 5e-4, MinDocs: 1}
		for _, q := range append([]string{name}, queries...) {
			g.Queries = append(g.Queries, Term{Text: q})
		}
		gs = append(gs, g)
	}
	for i := range 10 {
		observable(fmt.Sprintf("198.51.100.%d", 7+i*23))
		observable(fmt.Sprintf("203.0.113.%d", 11+i*19))
	}
	for _, d := range []string{"update-check.example.net", "cdn-sync.example.org", "login-verify.example.com",
		"mail.relay-7.example.net", "static.files-cache.example.org", "telemetry.example.com",
		"secure-docs.example.net", "api.weather-feed.example.org", "vpn-gw3.example.com", "news-portal.example.net"} {
		observable(d)
	}
	for i := range 10 {
		sum := sha256.Sum256(fmt.Appendf(nil, "tabadul bench sha256 %d", i))
		observable(hex.EncodeToString(sum[:]))
	}
	for i := range 5 {
		sum := md5.Sum(fmt.Appendf(nil, "tabadul bench md5 %d", i))
		observable(hex.EncodeToString(sum[:]))
	}
	for i := range 10 {
		cve := fmt.Sprintf("CVE-2025-%d", 21000+i*317)
		observable(cve, strings.ToLower(cve))
	}
	return gs
}
