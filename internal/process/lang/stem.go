package lang

import (
	"strings"
	"sync"
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
	var c *stemCache
	var stem func(string) string
	switch lang {
	case "ar":
		c, stem = &stemCaches[0], stemArabic
	case "fa":
		c, stem = &stemCaches[1], stemPersian
	case "ru":
		c, stem = &stemCaches[2], stemRussian
	case "en":
		c, stem = &stemCaches[3], stemEnglish
	default:
		return word
	}
	if len(word) > maxCachedWord || !useStemCache {
		return stem(word)
	}
	if s, ok := c.get(word); ok {
		return s
	}
	s := stem(word)
	c.put(word, s)
	return s
}

// Stems are memoized: words follow Zipf's law, so a few thousand entries
// answer most lookups, and Snowball costs about a microsecond a word. Each
// language's cache keeps two generations of at most stemCacheSize words;
// when the current one is full it becomes the old one and the oldest is
// dropped. The cache changes no result: Stem is a pure function.
const (
	stemCacheSize = 1 << 14
	maxCachedWord = 64 // bytes
)

type stemCache struct {
	mu       sync.RWMutex
	cur, old map[string]string
}

var stemCaches [4]stemCache

// useStemCache is switched off by the benchmark of uncached analysis.
var useStemCache = true

func (c *stemCache) get(w string) (string, bool) {
	c.mu.RLock()
	s, ok := c.cur[w]
	if !ok {
		s, ok = c.old[w]
	}
	c.mu.RUnlock()
	return s, ok
}

// put stores copies, so that a cached word never keeps the whole text it
// was cut from alive.
func (c *stemCache) put(w, s string) {
	w, s = strings.Clone(w), strings.Clone(s)
	c.mu.Lock()
	if c.cur == nil || len(c.cur) >= stemCacheSize {
		c.old, c.cur = c.cur, make(map[string]string, 1024)
	}
	c.cur[w] = s
	c.mu.Unlock()
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
