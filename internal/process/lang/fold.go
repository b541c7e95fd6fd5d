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
	start, end int   // the original bytes it came from: text[start:end]
	nb         int   // its offset in the normalized bytes
	ev         uint8 // language evidence of the original rune (evidence.go)
}

// normalizer holds the normalized text of one Analyze call.
type normalizer struct {
	nr  []nrune
	nb  []byte
	seg []byte // scratch: one segment's normal form
}

// Normalize returns the normalized form of s: the text as it is indexed,
// before tokenization. Separators and punctuation are kept (mapped as
// foldRune says); invalid UTF-8 becomes U+FFFD. Normalize(Normalize(s)) ==
// Normalize(s).
func Normalize(s string) string {
	var n normalizer
	n.run(s)
	return string(n.nb)
}

// run normalizes s into n.nr and n.nb. Runs of s that are already in NFKC
// (all of plain text in the four languages, harakat included) are folded
// rune by rune, each keeping its own byte range; the rest goes through
// norm's iterator one segment (a starter and its marks) at a time, and every
// rune of a segment's normal form gets the whole segment's range.
func (n *normalizer) run(s string) {
	n.nr = n.nr[:0]
	n.nb = n.nb[:0]
	i := 0
	for i < len(s) {
		q := i + norm.NFKC.QuickSpanString(s[i:])
		for i < q {
			r, size := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			n.fold(r, i, i+size)
			i += size
		}
		if i >= len(s) {
			break
		}
		// One segment that is not in NFKC (or invalid UTF-8). The
		// iterator may hand out a long expansion (ﷺ) in several pieces
		// before its position moves past the input it came from.
		var it norm.Iter
		it.InitString(norm.NFKC, s[i:])
		n.seg = n.seg[:0]
		for !it.Done() {
			n.seg = append(n.seg, it.Next()...)
			if it.Pos() > 0 {
				break
			}
		}
		seg := n.seg
		end := i + it.Pos()
		if end <= i { // cannot happen; guards the loop
			end = i + 1
		}
		if !utf8.ValidString(s[i:end]) {
			// Invalid bytes: each is one U+FFFD, never joined to a word.
			// Valid runes before the first one are normalized on their own.
			p := i
			for p < end {
				r, size := utf8.DecodeRuneInString(s[p:end])
				if r == utf8.RuneError && size <= 1 {
					break
				}
				p += size
			}
			if p == i {
				n.fold(utf8.RuneError, i, i+1)
				i++
				continue
			}
			for _, r := range norm.NFKC.String(s[i:p]) {
				n.fold(r, i, p)
			}
			i = p
			continue
		}
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			n.fold(r, i, end)
			seg = seg[size:]
		}
		i = end
	}
}

// fold appends the folded form of r, which came from text[start:end].
// Runes that fold to nothing (marks, tatweel, ZWNJ) pass their evidence to
// the rune before them.
func (n *normalizer) fold(r rune, start, end int) {
	ev := evidenceOf(r)
	a, b, k := foldRune(r)
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

func (n *normalizer) emit(r rune, start, end int, ev uint8) {
	n.nr = append(n.nr, nrune{r: r, start: start, end: end, nb: len(n.nb), ev: ev})
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
