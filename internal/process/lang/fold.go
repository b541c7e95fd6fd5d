package lang

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file is the normalization step: Unicode NFKC, then a per-rune fold
// (foldRune) that lower-cases and unifies the spelling variants listed in
// doc.go. normalizer walks a text once and emits the folded runes with the
// byte range of the original text each came from, so that tokens can point
// back into the text as written.

// nrune is one rune of the normalized text.
type nrune struct {
	r          rune
	start, end int32 // the original bytes it came from: text[start:end]
	nb         int32 // its offset in the normalized bytes
	ev         uint8 // language evidence of the original rune (evidence.go)
}

// maxText is the longest text Analyze reads (offsets are int32); the rest
// of a longer one is left out.
const maxText = 1<<31 - 1

// normalizer holds the normalized text of one Analyze call.
type normalizer struct {
	nr        []nrune
	nb        []byte
	seg       []byte // scratch: one segment's normal form
	bytesOnly bool   // fill nb only (Normalize, Detect)

	// Letters by script and the Arabic-script evidence, for Detect.
	latin, cyrillic, arabic, score int
}

// language is Detect's answer for the text run last.
func (n *normalizer) language() string {
	return languageOf(n.latin, n.cyrillic, n.arabic, n.score)
}

// Normalize returns the normalized form of s: the text as it is indexed,
// before tokenization. Separators and punctuation are kept (mapped as
// foldRune says); invalid UTF-8 becomes U+FFFD. Normalize(Normalize(s)) ==
// Normalize(s).
func Normalize(s string) string {
	a := getAnalyzer()
	defer a.release()
	a.norm.bytesOnly = true
	a.norm.run(s)
	a.norm.bytesOnly = false
	return string(a.norm.nb)
}

// run normalizes s into n.nr and n.nb. A rune that NFKC leaves as it is
// and that combines with neither neighbour (quick, and so is the next
// rune) is folded at once with its own byte range: that is nearly all of
// plain text in the four languages. Elsewhere slow normalizes one segment.
func (n *normalizer) run(s string) {
	if len(s) > maxPooledRunes {
		n.reserve(s)
	}
	n.nr = n.nr[:0]
	n.nb = n.nb[:0]
	n.latin, n.cyrillic, n.arabic, n.score = 0, 0, 0, 0
	if len(s) == 0 {
		return
	}
	i := 0
	r, size := decodeAt(s, 0)
	for i < len(s) {
		j := i + size
		var next rune
		var nsize int
		if j < len(s) {
			next, nsize = decodeAt(s, j)
		}
		if isQuick(r) && (j == len(s) || isQuick(next)) {
			n.fold(r, i, j)
			i, r, size = j, next, nsize
			continue
		}
		i = n.slow(s, i)
		if i < len(s) {
			r, size = decodeAt(s, i)
		}
	}
}

// reserve gives a text longer than the pool keeps buffers for (release)
// buffers of its size at once. Grown by append, as shorter texts grow the
// pooled ones, a text of 64k runes or more analyzed four times slower a
// byte than a shorter one.
func (n *normalizer) reserve(s string) {
	if runes := utf8.RuneCountInString(s); cap(n.nr) < runes && !n.bytesOnly {
		n.nr = make([]nrune, 0, runes)
	}
	if cap(n.nb) < len(s) {
		n.nb = make([]byte, 0, len(s))
	}
}

// decodeAt decodes the rune at s[i]; an invalid byte is (U+FFFD, 1).
// Arabic, Persian and Russian letters take two bytes: they are decoded
// here, inline, where utf8.DecodeRuneInString would call its slow path
// for each (a twentieth of Analyze).
func decodeAt(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if 0xC2 <= c && c <= 0xDF && i+1 < len(s) {
		if d := s[i+1]; d&0xC0 == 0x80 {
			return rune(c&0x1F)<<6 | rune(d&0x3F), 2
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// slow normalizes the segment at s[i]: a starter and the runes after it
// that may combine with it (up to the next rune that starts a segment of
// its own), or one invalid byte. Every rune of the segment's normal form
// gets the segment's byte range. It returns where the segment ends.
func (n *normalizer) slow(s string, i int) int {
	r, size := decodeAt(s, i)
	if r == utf8.RuneError && size == 1 {
		n.fold(utf8.RuneError, i, i+1) // an invalid byte: a separator
		return i + 1
	}
	j := i + size
	for j < len(s) {
		r, size := decodeAt(s, j)
		if startsSegment(r, size, s[j:]) {
			break
		}
		j += size
	}
	n.seg = norm.NFKC.AppendString(n.seg[:0], s[i:j])
	for seg := n.seg; len(seg) > 0; {
		r, size := utf8.DecodeRune(seg)
		n.fold(r, i, j)
		seg = seg[size:]
	}
	return j
}

// startsSegment: the rune r (size bytes, at the start of rest) combines with
// nothing before it under NFKC. An invalid byte starts a segment (of one
// U+FFFD).
func startsSegment(r rune, size int, rest string) bool {
	switch {
	case r < utf8.RuneSelf:
		return true
	case r == utf8.RuneError && size == 1:
		return true
	case r < classTableSize:
		return charClass[r]&classBoundary != 0
	}
	return norm.NFKC.PropertiesString(rest[:size]).BoundaryBefore()
}

// fold appends the folded form of r, which came from text[start:end].
// Runes that fold to nothing (marks, tatweel, ZWNJ) pass their evidence to
// the rune before them.
func (n *normalizer) fold(r rune, start, end int) {
	ev := n.count(r)
	a, b, k := foldRune(r)
	if n.bytesOnly {
		if k > 0 {
			n.nb = utf8.AppendRune(n.nb, a)
		}
		if k > 1 {
			n.nb = utf8.AppendRune(n.nb, b)
		}
		return
	}
	if k == 0 {
		if ev != 0 && len(n.nr) > 0 {
			n.nr[len(n.nr)-1].ev |= ev
		}
		return
	}
	n.emit(a, start, end, ev)
	if k == 2 {
		n.emit(b, start, end, 0)
	}
}

// count counts r, a rune of the text in NFKC before folding, for Detect,
// and returns its language evidence.
func (n *normalizer) count(r rune) uint8 {
	if r < utf8.RuneSelf {
		if 'a' <= r|0x20 && r|0x20 <= 'z' {
			n.latin++
		}
		return 0
	}
	ev := evidenceOf(r)
	if ev != 0 {
		n.score += arabicScore(ev)
	}
	switch letterScript(r) {
	case scriptLatin:
		n.latin++
	case scriptCyrillic:
		n.cyrillic++
	case scriptArabic:
		n.arabic++
	}
	return ev
}

func (n *normalizer) emit(r rune, start, end int, ev uint8) {
	// Field by field into the slice: a composite literal is built on the
	// stack with 4-byte stores and copied with 16-byte loads, which the
	// CPU cannot forward from those stores; the stall was a seventh of
	// Analyze.
	n.nr = append(n.nr, nrune{})
	e := &n.nr[len(n.nr)-1]
	e.r, e.start, e.end, e.nb, e.ev = r, int32(start), int32(end), int32(len(n.nb)), ev
	if r < utf8.RuneSelf {
		n.nb = append(n.nb, byte(r))
	} else {
		n.nb = utf8.AppendRune(n.nb, r)
	}
}

// foldRune maps one rune of NFKC text to zero, one or two runes: k says how
// many of a, b are used.
func foldRune(r rune) (a, b rune, k int) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, 0, 1
	}
	if r < foldTableSize {
		f := foldTable[r]
		switch {
		case f == 0:
			return r, 0, 1
		case f == dropRune:
			return 0, 0, 0
		case f&pairBit != 0:
			return rune(f>>16) & 0x7fff, rune(f & 0xffff), 2
		default:
			return rune(f), 0, 1
		}
	}
	switch r {
	case 0x200C, 0x200D, // ZWNJ, ZWJ: joiners, not separators
		0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, // bidi controls
		0x2066, 0x2067, 0x2068, 0x2069, 0x2060, 0xFEFF: // isolates, word joiner, BOM
		return 0, 0, 0
	case 0x200B: // zero-width space separates
		return ' ', 0, 1
	case 0x2018, 0x2019, 0x201B, 0x2032, 0xFF07: // quotes used as apostrophes
		return '\'', 0, 1
	}
	return unicode.ToLower(r), 0, 1
}

// foldTableSize covers Latin, Greek, Cyrillic, Arabic and the Latin and
// Greek Extended blocks (U+0000–U+1FFF).
const foldTableSize = 0x2000

// Entries of foldTable: 0 means "r itself"; dropRune means "nothing"; with
// pairBit set, the high half (less the bit) and the low half are two runes.
const (
	dropRune = 0xFFFFFFFF
	pairBit  = 0x80000000
)

var foldTable = buildFoldTable()

// Classes of the runes below foldTableSize, so that the hot loops ask a
// table rather than unicode's range tables.
const (
	classMark uint8 = 1 << iota
	classDigit
	classQuick    // NFKC leaves it as it is, and it combines with nothing before it
	classBoundary // it combines with nothing before it

	// The top three bits hold a letter's script (scriptNone for a rune
	// that is no letter): see letterScript.
	classScriptShift = 5
)

var charClass = buildCharClass()

// classTableSize covers the fold table and General Punctuation, where ZWNJ
// and the typographic quotes are.
const classTableSize = 0x2070

func buildCharClass() *[classTableSize]uint8 {
	t := new([classTableSize]uint8)
	var buf [utf8.UTFMax]byte
	for r := rune(0); r < classTableSize; r++ {
		var c uint8
		if unicode.IsLetter(r) {
			c |= uint8(scriptOf(r)) << classScriptShift
		}
		if unicode.IsMark(r) {
			c |= classMark
		}
		if unicode.IsDigit(r) {
			c |= classDigit
		}
		b := buf[:utf8.EncodeRune(buf[:], r)]
		p := norm.NFKC.Properties(b)
		if p.BoundaryBefore() && p.CCC() == 0 && norm.NFKC.IsNormal(b) {
			c |= classQuick
		}
		if p.BoundaryBefore() {
			c |= classBoundary
		}
		t[r] = c
	}
	return t
}

// isQuick: NFKC leaves r as it is and r combines with nothing before it.
func isQuick(r rune) bool {
	if r < utf8.RuneSelf {
		return true
	}
	return r < classTableSize && charClass[r]&classQuick != 0
}

func buildFoldTable() *[foldTableSize]uint32 {
	t := new([foldTableSize]uint32)
	set := func(r, to rune) { t[r] = uint32(to) }
	for r := rune(0x80); r < foldTableSize; r++ {
		lr := unicode.ToLower(r)
		if base := stripLatinGreekCyrillic(lr); base != 0 {
			lr = base
		}
		if lr != r {
			set(r, lr)
		}
		if unicode.Is(unicode.Mn, r) && r >= 0x300 && r < 0x370 {
			t[r] = dropRune // combining diacritics: é, stress marks on Cyrillic
		}
	}
	pair := func(r, a, b rune) { t[r] = pairBit | uint32(a)<<16 | uint32(b) }
	// Letters without a decomposition that are variants of Latin letters.
	pair('ß', 's', 's')
	pair('æ', 'a', 'e')
	pair('Æ', 'a', 'e')
	pair('œ', 'o', 'e')
	pair('Œ', 'o', 'e')
	pair('þ', 't', 'h')
	pair('Þ', 't', 'h')
	for _, m := range [][2]rune{{'ø', 'o'}, {'Ø', 'o'}, {'đ', 'd'}, {'Đ', 'd'}, {'ð', 'd'}, {'Ð', 'd'},
		{'ł', 'l'}, {'Ł', 'l'}, {'ı', 'i'}, {'ħ', 'h'}, {'Ħ', 'h'}, {'ς', 'σ'}} {
		set(m[0], m[1])
	}
	t[0xAD] = dropRune // soft hyphen
	t[0x2BC] = '\''    // modifier letter apostrophe
	// Cyrillic: ё → е; й stays й (it is a letter of its own in Russian).
	set('ё', 'е')
	set('Ё', 'е')
	t['й'] = 0
	set('Й', 'й')

	// Arabic script.
	for r := rune(0x610); r <= 0x61A; r++ { // honorific and Quranic signs
		t[r] = dropRune
	}
	for r := rune(0x64B); r <= 0x65F; r++ { // tashkeel, tanween, hamza above/below
		t[r] = dropRune
	}
	t[0x670] = dropRune                     // superscript alef
	t[0x640] = dropRune                     // tatweel
	for r := rune(0x6D6); r <= 0x6ED; r++ { // Quranic annotation marks
		if r != 0x6DD && r != 0x6DE {
			t[r] = dropRune
		}
	}
	for r := rune(0x8D3); r <= 0x8FF; r++ { // Arabic Extended-A marks
		if unicode.Is(unicode.Mn, r) {
			t[r] = dropRune
		}
	}
	const (
		alef  = 0x627
		waw   = 0x648
		yeh   = 0x64A
		heh   = 0x647
		kaf   = 0x643
		comma = ','
	)
	for _, r := range []rune{0x622, 0x623, 0x625, 0x671, 0x672, 0x673, 0x675} { // آ أ إ ٱ and wavy-hamza alefs
		set(r, alef)
	}
	for _, r := range []rune{0x649, 0x6CC, 0x6D2, 0x6D3, 0x626, 0x678} { // ى ی ے ۓ ئ
		set(r, yeh)
	}
	for _, r := range []rune{0x624, 0x676, 0x677} { // ؤ ٶ
		set(r, waw)
	}
	for _, r := range []rune{0x629, 0x6C0, 0x6C1, 0x6C2, 0x6C3, 0x6D5, 0x6BE} { // ة ۀ ہ ۂ ە ھ
		set(r, heh)
	}
	for _, r := range []rune{0x6A9, 0x6AA} { // ک ڪ
		set(r, kaf)
	}
	for d := rune(0); d < 10; d++ {
		set(0x660+d, '0'+d) // Arabic-Indic digits
		set(0x6F0+d, '0'+d) // Extended Arabic-Indic (Persian) digits
	}
	set(0x66B, '.')   // Arabic decimal separator
	set(0x66C, comma) // Arabic thousands separator
	set(0x66A, '%')
	set(0x60C, comma) // Arabic comma
	set(0x61B, ';')
	set(0x61F, '?')
	set(0x6D4, '.') // Urdu full stop
	// Resolve chains (ẞ → ß → ss) so that one lookup is enough.
	for r := range t {
		f := t[r]
		if f != 0 && f != dropRune && f&pairBit == 0 && f < foldTableSize && t[f] != 0 {
			t[r] = t[f]
		}
	}
	return t
}

// stripLatinGreekCyrillic returns the base letter of a precomposed Latin,
// Greek or Cyrillic letter with diacritics (é → e, ё → е, ễ → e), or 0 when r has
// none. й and its capital keep their breve: buildFoldTable restores them.
func stripLatinGreekCyrillic(r rune) rune {
	if r < 0xC0 || r >= 0x530 && r < 0x1E00 || r >= 0x2000 {
		return 0
	}
	d := norm.NFD.String(string(r))
	base, size := utf8.DecodeRuneInString(d)
	if size == len(d) || !unicode.IsLetter(base) {
		return 0
	}
	for _, m := range d[size:] {
		if m < 0x300 || m >= 0x370 {
			return 0
		}
	}
	return unicode.ToLower(base)
}
