package lang

import (
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"
)

// Stem stems one already-normalized word (a token's Surface) in a language:
// "ar" and "fa" with our light stemmers, "ru" and "en" with Snowball. Any
// other language returns the word as it is. A name in the gazetteer is not
// stemmed: its stem is the name (an Arabic name's without the article).
func Stem(lang, word string) string {
	if word == "" {
		return word
	}
	switch lang {
	case "ar":
		return stemArabic(word)
	case "fa":
		return stemPersian(word)
	case "ru":
		return stemRussian(word)
	case "en":
		return stemEnglish(word)
	}
	return word
}

// stemEnglish: gazetteer names stay; a name's possessive (iraq's, the
// philippines') is the name; other words go to Snowball English (Porter2).
func stemEnglish(w string) string {
	g := gaz()
	if c, ok := g.names[w]; ok {
		return c
	}
	for _, p := range []string{"'s", "'"} {
		if base, ok := strings.CutSuffix(w, p); ok {
			if c, ok := g.names[base]; ok {
				return c
			}
		}
	}
	return english.Stem(w, true)
}

// stemRussian: gazetteer names stay; Snowball Russian otherwise. A name
// in another case (России, Ирана, Москве) has the name as its stem: the
// word has the name's Snowball stem and is the name, less its last vowel,
// plus a case ending of at most three letters. Other words that share the
// stem (данные and Дания: дан) keep Snowball's.
func stemRussian(w string) string {
	g := gaz()
	if c, ok := g.names[w]; ok {
		return c
	}
	s := russian.Stem(w, true)
	if name, ok := g.ruStems[s]; ok {
		base := name
		if r, size := utf8.DecodeLastRuneInString(name); strings.ContainsRune("аеиоуыэюяй", r) {
			base = name[:len(name)-size]
		}
		if base != "" && strings.HasPrefix(w, base) && runeLen(w)-runeLen(base) <= 3 {
			return name
		}
	}
	return s
}
