package api

import (
	"encoding/base64"
	"math"
	"testing"
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
