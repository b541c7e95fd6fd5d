package api

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/tabadul/tabadul/internal/record/store"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, n := range []int64{1, 9, 10, 123456789, math.MaxInt64} {
		c := encodeCursor(n)
		got, err := decodeCursor(c)
		if err != nil || got != n {
			t.Errorf("decodeCursor(encodeCursor(%d) = %q) = %d, %v", n, c, got, err)
		}
	}
}

func TestCursorRejects(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	cases := []struct{ desc, cursor string }{
		{"empty", ""},
		{"not base64", "!!!"},
		{"padding", base64.URLEncoding.EncodeToString([]byte("12"))},
		{"standard alphabet", base64.RawStdEncoding.EncodeToString([]byte{0xfb, 0xef})},
		{"newline inside", b64([]byte("1234"))[:2] + "\n" + b64([]byte("1234"))[2:]},
		{"non-zero trailing bits", "MTJ"}, // "MTI" is "12"
		{"zero", b64([]byte("0"))},
		{"negative", b64([]byte("-5"))},
		{"plus sign", b64([]byte("+5"))},
		{"leading zero", b64([]byte("05"))},
		{"space", b64([]byte(" 5"))},
		{"beyond int64", b64([]byte("9223372036854775808"))},
		{"too long", b64([]byte("12345678901234567890123"))},
		{"text", b64([]byte("next"))},
		{"binary", b64([]byte{0, 0, 0, 1})},
	}
	for _, tc := range cases {
		if n, err := decodeCursor(tc.cursor); err == nil {
			t.Errorf("%s: decodeCursor(%q) = %d, want an error", tc.desc, tc.cursor, n)
		}
	}
}

func TestSearchCursorRoundTrip(t *testing.T) {
	for _, k := range []store.SearchKey{
		{Seq: 1},
		{Bound: 7, Score: 3.25, Seq: 9},
		{Bound: 7, Older: true, Score: -0.5, Seq: 3},
		{Bound: math.MaxInt64, Score: math.SmallestNonzeroFloat64, Seq: math.MaxInt64},
	} {
		c := encodeSearchCursor(k)
		got, err := decodeSearchCursor(c)
		if err != nil || got != k {
			t.Errorf("decodeSearchCursor(encodeSearchCursor(%+v) = %q) = %+v, %v", k, c, got, err)
		}
	}
}

func TestSearchCursorRejects(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	valid := encodeSearchCursor(store.SearchKey{Bound: 7, Score: 1.5, Seq: 9})
	raw, _ := base64.RawURLEncoding.DecodeString(valid)
	with := func(i int, v byte) string {
		b := slices.Clone(raw)
		b[i] = v
		return b64(b)
	}
	nan := slices.Clone(raw)
	binary.BigEndian.PutUint64(nan[9:17], math.Float64bits(math.NaN()))
	cases := []struct{ desc, cursor string }{
		{"empty", ""},
		{"an offset cursor", encodeCursor(20)},
		{"short", valid[:len(valid)-1]},
		{"long", valid + "A"},
		{"padding", base64.URLEncoding.EncodeToString(raw)},
		{"standard alphabet", base64.RawStdEncoding.EncodeToString(raw)},
		{"older neither 0 nor 1", with(8, 2)},
		{"negative bound", with(0, 0x80)},
		{"negative seq", with(17, 0x80)},
		{"zero seq", b64(append(slices.Clone(raw[:17]), 0, 0, 0, 0, 0, 0, 0, 0))},
		{"NaN score", b64(nan)},
		{"older without a bound", b64(append(append(make([]byte, 8), 1), raw[9:]...))},
	}
	for _, tc := range cases {
		if k, err := decodeSearchCursor(tc.cursor); err == nil {
			t.Errorf("%s: decodeSearchCursor(%q) = %+v, want an error", tc.desc, tc.cursor, k)
		}
	}
}

// FuzzSearchCursor: a search cursor decodes to a valid key, and back to
// itself, or is refused; nothing panics.
func FuzzSearchCursor(f *testing.F) {
	f.Add(encodeSearchCursor(store.SearchKey{Bound: 7, Older: true, Score: 2.5, Seq: 3}))
	f.Add(encodeSearchCursor(store.SearchKey{Seq: 1}))
	f.Add(encodeCursor(20))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := decodeSearchCursor(s)
		if err != nil {
			return
		}
		if !k.Valid() {
			t.Fatalf("%q decodes to an invalid key %+v", s, k)
		}
		if again := encodeSearchCursor(k); again != s {
			t.Fatalf("%q decodes to %+v, which encodes to %q", s, k, again)
		}
	})
}
