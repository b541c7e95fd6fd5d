package api

import (
	"encoding/base64"
	"errors"
	"strconv"
)

// A cursor continues a list where the previous page ended. On the wire it
// is opaque to clients; its bytes are the unpadded base64url encoding of
// the decimal form of store.ReportPage.Next, a positive int64 with no sign
// and no leading zeros. Exactly one string encodes each position, so a
// client cannot craft an alias of a cursor, and anything else is refused.
//
// A cursor reveals a sequence number of the whole center, which says how
// many changes the center has recorded: the event log tells every party as
// much.

// maxCursorLen bounds the text decoded: 19 digits encode to 26 characters.
const maxCursorLen = 26

var errBadCursor = errors.New("api: malformed cursor")

// encodeCursor returns the cursor for a store position.
func encodeCursor(next int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(next, 10)))
}

// decodeCursor returns the store position of a cursor made by encodeCursor,
// or errBadCursor.
func decodeCursor(s string) (int64, error) {
	if s == "" || len(s) > maxCursorLen {
		return 0, errBadCursor
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	// The decoder skips \r and \n; re-encoding catches those and any other
	// second spelling.
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != s {
		return 0, errBadCursor
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != string(b) {
		return 0, errBadCursor
	}
	return n, nil
}
