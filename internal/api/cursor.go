package api

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/tabadul/tabadul/internal/record/store"
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

// A search cursor is a store.SearchKey: the unpadded base64url encoding
// of its fields in a fixed binary layout (bound, older, score bits, seq),
// so that exactly one string encodes each key. It reveals a seq and a
// score of a hit the caller was shown, and the window's bound, a seq of
// a report the caller may see.
const searchCursorBytes = 8 + 1 + 8 + 8

// encodeSearchCursor returns the cursor for a search key.
func encodeSearchCursor(k store.SearchKey) string {
	b := make([]byte, 0, searchCursorBytes)
	b = binary.BigEndian.AppendUint64(b, uint64(k.Bound))
	older := byte(0)
	if k.Older {
		older = 1
	}
	b = append(b, older)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(k.Score))
	b = binary.BigEndian.AppendUint64(b, uint64(k.Seq))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeSearchCursor returns the search key of a cursor made by
// encodeSearchCursor, or errBadCursor.
func decodeSearchCursor(s string) (store.SearchKey, error) {
	if len(s) != base64.RawURLEncoding.EncodedLen(searchCursorBytes) {
		return store.SearchKey{}, errBadCursor
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != searchCursorBytes || base64.RawURLEncoding.EncodeToString(b) != s || b[8] > 1 {
		return store.SearchKey{}, errBadCursor
	}
	k := store.SearchKey{
		Bound: int64(binary.BigEndian.Uint64(b[0:8])),
		Older: b[8] == 1,
		Score: math.Float64frombits(binary.BigEndian.Uint64(b[9:17])),
		Seq:   int64(binary.BigEndian.Uint64(b[17:25])),
	}
	if !k.Valid() {
		return store.SearchKey{}, errBadCursor
	}
	return k, nil
}
