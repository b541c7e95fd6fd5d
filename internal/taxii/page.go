package taxii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// The layout of a next token (see the package comment).
const (
	tokenFormat  = 1
	tokenMACSize = 16
	tokenSize    = 1 + 8 + tokenMACSize
)

// A pager makes and opens next tokens under one key.
type pager struct{ key []byte }

func (p pager) mac(payload []byte, party center.PartyCode, bound string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write(payload)
	m.Write([]byte(party))
	m.Write([]byte{0})
	m.Write([]byte(bound))
	return m.Sum(nil)[:tokenMACSize]
}

// token returns the next token that continues after the version added at
// last, for party's query bound.
func (p pager) token(last time.Time, party center.PartyCode, bound string) string {
	b := make([]byte, 1+8, tokenSize)
	b[0] = tokenFormat
	binary.BigEndian.PutUint64(b[1:], uint64(last.UnixMicro()))
	b = append(b, p.mac(b, party, bound)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// open returns where a next token continues from, or a 400 if it was not
// made by this center for this party and query.
func (p pager) open(tok string, party center.PartyCode, bound string) (time.Time, error) {
	bad := refuse(http.StatusBadRequest, "Bad next", "next is not a token this server gave for this query; start again without it")
	if len(tok) != base64.RawURLEncoding.EncodedLen(tokenSize) {
		return time.Time{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenSize || b[0] != tokenFormat {
		return time.Time{}, bad
	}
	if !hmac.Equal(b[9:], p.mac(b[:9], party, bound)) {
		return time.Time{}, bad
	}
	us := int64(binary.BigEndian.Uint64(b[1:9]))
	if us <= 0 {
		return time.Time{}, bad
	}
	return time.UnixMicro(us).UTC(), nil
}
