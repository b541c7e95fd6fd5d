package lang

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Token is one token of an analyzed text.
type Token struct {
	Surface    string // the normalized surface form, as indexed
	Stem       string // the stem; equal to Surface when not stemmed (names in the gazetteer, observables, numbers, short words, unknown language)
	Start, End int    // byte offsets of the token in the ORIGINAL text (for highlighting snippets)
	Kind       Kind
	Lang       string // language of the token's run: "ar", "fa", "ru", "en", or "" when undetermined
}

// Analysis is an analyzed text.
type Analysis struct {
	Language string  // the document's language: the hint if given, else detected ("ar","fa","ru","en", or "")
	Tokens   []Token // in text order; Surface and Stem never contain white space and are never empty
}

// maxTokenRunes bounds a word: a longer run of letters is cut into pieces
// of this many runes (nothing real is that long; a pasted blob is).
const maxTokenRunes = 100

// Analyze runs the whole pipeline on a text. hint is a language code or ""
// to detect. The same function serves index time and query time (a query
// word or phrase is analyzed as a short text).
//
// A hint other than ar, fa, ru or en (after dropping a region, "fa-IR" →
// "fa", and case) is ignored, as if it were "".
func Analyze(text, hint string) Analysis {
	hint = CanonicalLanguage(hint)
	if len(text) > maxText {
		n := maxText
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
		text = text[:n]
	}
	a := getAnalyzer()
	defer a.release()
	a.norm.run(text)
	doc := hint
	if doc == "" {
		doc = a.norm.language()
	}
	a.ns = string(a.norm.nb)
	// A text past the pooled buffers' size gets its tokens' buffer at
	// once, as it got the normalizer's (normalizer.reserve): room for a
	// token every four runes, more than the four languages' prose needs.
	if n := len(a.norm.nr) / 4; len(a.norm.nr) > maxPooledRunes && cap(a.toks) < n {
		a.toks = make([]rawToken, 0, n)
	}
	a.toks = a.toks[:0]
	a.brk = false
	a.tokenize()
	a.assignLanguages(hint, doc)
	a.mergePersian(text)
	out := make([]Token, 0, len(a.toks))
	for i := range a.toks {
		t := &a.toks[i]
		if t.surface == "" {
			continue // merged into a neighbour
		}
		stem := t.surface
		if t.kind == Word && t.lang != "" {
			// Stems are never empty and hold no space (the light
			// stemmers cut the surface; Snowball only trims suffixes).
			word := t.surface
			if t.lang == "ar" {
				word = withoutHamzaProclitic(text[t.start:t.end], word)
			}
			if stem = Stem(t.lang, word); stem == "" {
				stem = t.surface
			}
		}
		out = append(out, Token{Surface: t.surface, Stem: stem, Start: t.start, End: t.end, Kind: t.kind, Lang: t.lang})
	}
	return Analysis{Language: doc, Tokens: out}
}

// CanonicalLanguage returns the language code of a hint: "ar", "fa", "ru"
// or "en" for those languages in any case, with or without a region or
// script ("fa-IR", "ru_RU", "ar-Arab"), and "" for anything else.
func CanonicalLanguage(hint string) string {
	if i := strings.IndexAny(hint, "-_"); i >= 0 {
		hint = hint[:i]
	}
	switch strings.ToLower(hint) {
	case "ar", "ara", "arb":
		return "ar"
	case "fa", "fas", "per", "pes":
		return "fa"
	case "ru", "rus":
		return "ru"
	case "en", "eng":
		return "en"
	}
	return ""
}

// analyzer is the scratch space of one Analyze call, pooled.
type analyzer struct {
	norm normalizer
	ns   string // norm.nb as a string: token surfaces are substrings of it
	toks []rawToken
	cand []byte // observable candidate
	cend []int  // cend[k]: index in norm.nr just past the source of cand[k]
	brk  bool   // a sentence end was seen since the last token
}

var analyzers = sync.Pool{New: func() any { return new(analyzer) }}

// maxPooledRunes: the buffers of a text longer than this are not kept for
// the next call.
const maxPooledRunes = 1 << 16

func getAnalyzer() *analyzer { return analyzers.Get().(*analyzer) }

// release returns a to the pool, holding on to nothing of the text.
func (a *analyzer) release() {
	if cap(a.norm.nr) > maxPooledRunes || cap(a.norm.nb) > 4*maxPooledRunes {
		return
	}
	clear(a.toks)
	a.toks = a.toks[:0]
	a.ns = ""
	analyzers.Put(a)
}

// rawToken is a token before its language and stem are known.
type rawToken struct {
	surface    string
	start, end int // original byte range
	kind       Kind
	script     script
	score      int  // Persian (+) against Arabic (−) evidence, Arabic script only
	sentence   bool // a sentence or clause ends between the previous token and this one
	merged     bool // made by mergePersian: it merges no further
	lang       string
}

// tokenize splits the normalized runes into tokens: observables first
// (they contain separators), then words and numbers.
func (a *analyzer) tokenize() {
	nr := a.norm.nr
	for i := 0; i < len(nr); {
		r := nr[i].r
		if isASCIIAlnum(r) && (i == 0 || !isCandidateChar(nr[i-1].r)) {
			if j, ok := a.scanObservable(i); ok {
				i = j
				continue
			}
		}
		switch {
		case isDigit(r):
			i = a.scanNumber(i)
		case isLetter(r):
			i = a.scanWord(i)
		default:
			if isSentenceEnd(r) {
				a.brk = true
			}
			i++
		}
	}
}

// isSentenceEnd: punctuation at which the language of a run may change
// (after folding, ؟ is ? and ؛ is ;).
func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', ';', '\n', ':', '\u2029':
		return true
	}
	return false
}

// scanNumber reads digits with inner '.' or ',' (3.14, 1.2.3, 3,000). A
// number that runs into Latin letters without a separator is a Latin word
// (x86 is read by scanWord; 86th, 4g, 10km here).
func (a *analyzer) scanNumber(i int) int {
	nr := a.norm.nr
	j := i + 1
	dotted := false
	for j < len(nr) {
		r := nr[j].r
		if isDigit(r) {
			j++
			continue
		}
		if (r == '.' || r == ',') && j+1 < len(nr) && isDigit(nr[j+1].r) {
			dotted = true
			j += 2
			continue
		}
		break
	}
	if !dotted && j < len(nr) && isLetter(nr[j].r) && scriptOf(nr[j].r) == scriptLatin {
		return a.scanWord(i)
	}
	a.add(i, j, Number, scriptNone)
	return j
}

// scanWord reads a run of letters of one script, with their marks. Latin
// words take digits (x86, mp3) and inner apostrophes (o'brien, iraq's);
// Han ideographs are one token each.
func (a *analyzer) scanWord(i int) int {
	nr := a.norm.nr
	sc := letterScript(nr[i].r)
	if sc == scriptNone {
		sc = scriptLatin
	}
	han := isHan(nr[i].r)
	j := i + 1
	for j < len(nr) && !han {
		r := nr[j].r
		switch ls := letterScript(r); {
		case ls != scriptNone:
			if ls != sc || isHan(r) {
				goto done
			}
		case isMark(r):
		case isDigit(r) && sc == scriptLatin:
		case r == '\'' && sc == scriptLatin && j+1 < len(nr) && isLetter(nr[j+1].r) && scriptOf(nr[j+1].r) == scriptLatin:
		case r == '.' && sc == scriptLatin && isDigit(nr[j-1].r) && j+1 < len(nr) && isDigit(nr[j+1].r):
			// v1.2.3, win10.1: a version stays one word
		default:
			goto done
		}
		j++
	}
done:
	kind := Word
	if sc == scriptLatin && allDigits(nr[i:j]) {
		kind = Number
	}
	for k := i; k < j; k += maxTokenRunes {
		a.add(k, min(j, k+maxTokenRunes), kind, sc)
	}
	return j
}

// add appends the token made of nr[i:j].
func (a *analyzer) add(i, j int, kind Kind, sc script) {
	nr := a.norm.nr
	last := &nr[j-1]
	t := a.next()
	t.surface = a.ns[nr[i].nb : int(last.nb)+utf8.RuneLen(last.r)]
	t.start, t.end = int(nr[i].start), int(last.end)
	t.kind, t.script = kind, sc
	if sc == scriptArabic {
		for _, x := range nr[i:j] {
			t.score += arabicScore(x.ev)
		}
	}
}

// push appends a token, marking it if a sentence ended before it.
func (a *analyzer) push(t rawToken) {
	t.sentence = a.brk
	a.brk = false
	a.toks = append(a.toks, t)
}

// next appends an empty token, marked if a sentence ended before it, for
// the caller to fill in place: a token built on the stack and then copied
// in is written in fields of several widths and read back 16 bytes at a
// time, which the CPU cannot forward from those writes.
func (a *analyzer) next() *rawToken {
	a.toks = append(a.toks, rawToken{})
	t := &a.toks[len(a.toks)-1]
	t.sentence = a.brk
	a.brk = false
	return t
}

// assignLanguages gives every word the language of its run. Latin words
// are English and Cyrillic words Russian. A run of Arabic-script words
// (numbers and observables between them do not break it; a word in
// another script or the end of a sentence does) is Persian or Arabic: the hint if it names one of
// them, else the run's own evidence, tipped by the document's language.
// Numbers, observables and words in other scripts have no language.
func (a *analyzer) assignLanguages(hint, doc string) {
	bias := 0
	switch doc {
	case "fa":
		bias = 2
	case "ar":
		bias = -2
	}
	toks := a.toks
	for i := 0; i < len(toks); {
		t := &toks[i]
		if t.kind != Word {
			i++
			continue
		}
		switch t.script {
		case scriptLatin:
			t.lang = "en"
		case scriptCyrillic:
			t.lang = "ru"
		case scriptArabic:
			sum, last := 0, i
			for j := i; j < len(toks); j++ {
				if toks[j].kind != Word {
					continue
				}
				if toks[j].script != scriptArabic || j > i && toks[j].sentence {
					break
				}
				sum += toks[j].score
				last = j
			}
			lang := "ar"
			switch {
			case hint == "ar" || hint == "fa":
				lang = hint
			case sum+bias > 0:
				lang = "fa"
			}
			for j := i; j <= last; j++ {
				if toks[j].kind == Word {
					toks[j].lang = lang
				}
			}
			i = last + 1
			continue
		}
		i++
	}
}

// Persian writes the verbal prefix می/نمی and the plural ها/های/هایی (and
// the superlative ترین) joined, with ZWNJ, or with a space. ZWNJ is removed
// by normalization (joined); mergePersian joins the spaced form too, so
// all three spellings give one token.
var (
	faSplitPrefixes = map[string]bool{"مي": true, "نمي": true}
	faSplitSuffixes = map[string]bool{"ها": true, "هاي": true, "هايي": true, "ترين": true}
)

func (a *analyzer) mergePersian(text string) {
	toks := a.toks
	prev := -1 // the last token still standing
	for i := range toks {
		t := &toks[i]
		if prev >= 0 {
			p := &toks[prev]
			if p.lang == "fa" && t.lang == "fa" && !p.merged && (len(p.surface) <= 6 || len(t.surface) <= 8) &&
				p.kind == Word && t.kind == Word && p.end < t.start && onlySpace(text[p.end:t.start]) &&
				(faSplitPrefixes[p.surface] || faSplitSuffixes[t.surface]) {
				t.surface = p.surface + t.surface
				t.start = p.start
				t.merged = true
				p.surface = ""
			}
		}
		prev = i
	}
}

func onlySpace(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsSpace(r) && r != 0x200C {
			return false
		}
	}
	return true
}

func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
}

// isCandidateChar: a rune an observable can contain; an observable never
// starts right after one.
func isCandidateChar(r rune) bool {
	return isASCIIAlnum(r) || r == '.' || r == '-' || r == '_' || r == '@' || r == '+'
}

// isDigit, letterScript and isMark ask the class table below its end and
// unicode's range tables above it (unicode.Is, not IsLetter, whose own
// fast path would keep these from inlining): a call per rune was a
// sixteenth of Analyze.
func isDigit(r rune) bool {
	if uint32(r) < classTableSize {
		return charClass[r]&classDigit != 0
	}
	return unicode.Is(unicode.Digit, r)
}

// letterScript is the script of r if r is a letter, else scriptNone: one
// look-up in the class table, which holds each letter's script, where a
// letter test and scriptOf took two.
func letterScript(r rune) script {
	if uint32(r) < classTableSize {
		return script(charClass[r] >> classScriptShift)
	}
	return letterScriptAbove(r)
}

// letterScriptAbove is letterScript past the class table; a call of its
// own, so that letterScript inlines.
//
//go:noinline
func letterScriptAbove(r rune) script {
	if unicode.Is(unicode.Letter, r) {
		return scriptOf(r)
	}
	return scriptNone
}

// isLetter: r is a letter, of whatever script.
func isLetter(r rune) bool { return letterScript(r) != scriptNone }

func isMark(r rune) bool {
	if uint32(r) < classTableSize {
		return charClass[r]&classMark != 0
	}
	return unicode.Is(unicode.Mark, r)
}

// isHan: a Han ideograph (none is below U+2E80).
func isHan(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

func allDigits(nr []nrune) bool {
	for _, x := range nr {
		if !isDigit(x.r) {
			return false
		}
	}
	return true
}

// String formats a token as the CLI and the test files show it, one
// field per column: surface, stem ("=" when equal to the surface), kind,
// start-end (bytes of the original text) and language ("-" when none).
func (t Token) String() string {
	stem, lang := t.Stem, t.Lang
	if stem == t.Surface {
		stem = "="
	}
	if lang == "" {
		lang = "-"
	}
	return t.Surface + " " + stem + " " + t.Kind.String() + " " + strconv.Itoa(t.Start) + "-" + strconv.Itoa(t.End) + " " + lang
}
