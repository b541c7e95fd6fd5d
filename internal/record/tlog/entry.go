package tlog

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
)

// EntryHeader is the first line of every entry: the format and its version.
const EntryHeader = "tabadul/event/v1"

// MaxEntrySize bounds an encoded entry; tlog-tiles entry bundles hold
// entries of up to 65535 bytes.
const MaxEntrySize = 64<<10 - 1

// timeLayout is an entry's time: UTC, microseconds.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// An Entry is what the log holds of one event: who did what to which
// subject and when, and the salted commitment to the content — never the
// content.
type Entry struct {
	ID      string
	Type    center.EventType
	Party   center.PartyCode
	User    string
	At      time.Time
	Subject string
	Digest  []byte // SHA-256, 32 bytes
}

// EntryOf returns the entry of an event.
func EntryOf(e center.Event) Entry {
	return Entry{ID: e.ID, Type: e.Type, Party: e.Party, User: e.User, At: e.At, Subject: e.Subject, Digest: e.Digest}
}

// ErrBadEntry is wrapped by every error about an entry's encoding.
var ErrBadEntry = errors.New("tlog: bad entry")

// fields returns the entry's lines' keys and values in order.
func (e Entry) fields() [][2]string {
	return [][2]string{
		{"id", e.ID},
		{"type", string(e.Type)},
		{"party", string(e.Party)},
		{"user", e.User},
		{"at", e.At.UTC().Format(timeLayout)},
		{"subject", e.Subject},
		{"digest", hex.EncodeToString(e.Digest)},
	}
}

// Marshal encodes the entry canonically. It fails if a value holds a
// control character or invalid UTF-8, if the time is not at microsecond
// precision, if a value starts or ends with white space, if the id or
// type is empty, if the digest is not 32 bytes, or
// if the result exceeds MaxEntrySize.
func (e Entry) Marshal() ([]byte, error) {
	if e.ID == "" || e.Type == "" {
		return nil, fmt.Errorf("%w: id and type are required", ErrBadEntry)
	}
	if len(e.Digest) != 32 {
		return nil, fmt.Errorf("%w: digest of %d bytes, want 32", ErrBadEntry, len(e.Digest))
	}
	if e.At.IsZero() || !e.At.Equal(e.At.Truncate(time.Microsecond)) {
		return nil, fmt.Errorf("%w: time %s is not at microsecond precision", ErrBadEntry, e.At)
	}
	var b bytes.Buffer
	b.WriteString(EntryHeader + "\n")
	for _, f := range e.fields() {
		if !validValue(f[1]) {
			return nil, fmt.Errorf("%w: %s %q holds a control character, invalid UTF-8, or surrounding space", ErrBadEntry, f[0], f[1])
		}
		b.WriteString(f[0])
		if f[1] != "" {
			b.WriteByte(' ')
			b.WriteString(f[1])
		}
		b.WriteByte('\n')
	}
	if b.Len() > MaxEntrySize {
		return nil, fmt.Errorf("%w: %d bytes, over %d", ErrBadEntry, b.Len(), MaxEntrySize)
	}
	return b.Bytes(), nil
}

func validValue(s string) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// ParseEntry decodes an entry. It accepts only canonical encodings: the
// bytes that Marshal of the result returns.
func ParseEntry(b []byte) (Entry, error) {
	if len(b) > MaxEntrySize {
		return Entry{}, fmt.Errorf("%w: %d bytes, over %d", ErrBadEntry, len(b), MaxEntrySize)
	}
	s := string(b)
	if !strings.HasSuffix(s, "\n") {
		return Entry{}, fmt.Errorf("%w: no final newline", ErrBadEntry)
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	keys := []string{"id", "type", "party", "user", "at", "subject", "digest"}
	if len(lines) != 1+len(keys) || lines[0] != EntryHeader {
		return Entry{}, fmt.Errorf("%w: want %q and %d fields", ErrBadEntry, EntryHeader, len(keys))
	}
	vals := make([]string, len(keys))
	for i, k := range keys {
		line := lines[1+i]
		switch {
		case line == k:
		case strings.HasPrefix(line, k+" "):
			vals[i] = line[len(k)+1:]
		default:
			return Entry{}, fmt.Errorf("%w: line %d is not %q", ErrBadEntry, i+2, k)
		}
	}
	var e Entry
	e.ID, e.Type, e.Party, e.User, e.Subject = vals[0], center.EventType(vals[1]), center.PartyCode(vals[2]), vals[3], vals[5]
	at, err := time.Parse(timeLayout, vals[4])
	if err != nil {
		return Entry{}, fmt.Errorf("%w: at: %w", ErrBadEntry, err)
	}
	e.At = at.UTC()
	if e.Digest, err = hex.DecodeString(vals[6]); err != nil {
		return Entry{}, fmt.Errorf("%w: digest: %w", ErrBadEntry, err)
	}
	again, err := e.Marshal()
	if err != nil {
		return Entry{}, err
	}
	if !bytes.Equal(again, b) {
		return Entry{}, fmt.Errorf("%w: not in canonical form", ErrBadEntry)
	}
	return e, nil
}
