package lang

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestDecodeAtAgreesWithUTF8: decodeAt's inline path for two-byte runes
// decodes every pair of bytes, at the end of a text or not, as
// utf8.DecodeRuneInString does: overlong forms, lone continuation bytes
// and truncated sequences included.
func TestDecodeAtAgreesWithUTF8(t *testing.T) {
	check := func(s string, i int) {
		t.Helper()
		r, n := decodeAt(s, i)
		wr, wn := utf8.DecodeRuneInString(s[i:])
		if r != wr || n != wn {
			t.Fatalf("decodeAt(%q, %d) = (%U, %d), want (%U, %d)", s, i, r, n, wr, wn)
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}), 0)
		for d := range 256 {
			s := string([]byte{'x', byte(c), byte(d)})
			check(s, 1)
			check(s, 2)
			check(s+"\u0628", 1)
		}
	}
	for _, s := range []string{"\u200c", "\u2019", "\U0001F600", "ﷺ", "\xe2\x80", "\xf0\x9f\x98"} {
		check(s, 0)
	}
}

// TestLetterScriptAgreesWithUnicode: the class table's scripts, and the
// path past the table, say what unicode.IsLetter and scriptOf say.
func TestLetterScriptAgreesWithUnicode(t *testing.T) {
	for r := rune(0); r < 0x11000; r++ {
		want := scriptNone
		if unicode.IsLetter(r) {
			want = scriptOf(r)
		}
		if got := letterScript(r); got != want {
			t.Fatalf("letterScript(%U) = %d, want %d", r, got, want)
		}
		if got := isLetter(r); got != unicode.IsLetter(r) {
			t.Fatalf("isLetter(%U) = %v", r, got)
		}
		if got := isDigit(r); got != unicode.IsDigit(r) {
			t.Fatalf("isDigit(%U) = %v", r, got)
		}
		if got := isMark(r); got != unicode.IsMark(r) {
			t.Fatalf("isMark(%U) = %v", r, got)
		}
	}
}
