package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// Request bodies are decoded by encoding/json, which is lenient where a
// center should not be: it replaces invalid UTF-8 and unpaired UTF-16
// surrogate escapes with U+FFFD, storing text the author never wrote, and
// it takes the last of two keys that differ only in case (huma's schema
// check takes the first), so two readers of one body could disagree on
// what it says. strictJSON refuses all three. Keys that differ from a
// field's name only in case are accepted, as huma and encoding/json both
// do, as long as they are not doubled.

var (
	errInvalidUTF8   = errors.New("api: request body is not valid UTF-8")
	errLoneSurrogate = errors.New("api: request body escapes half of a UTF-16 surrogate pair")
)

// strictJSON is huma's JSON format with the checks above. encoding/json
// already refuses trailing data after the value.
func strictJSON() huma.Format {
	return huma.Format{
		Marshal:   huma.DefaultJSONFormat.Marshal,
		Unmarshal: strictUnmarshal,
	}
}

func strictUnmarshal(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errInvalidUTF8
	}
	// Decode first, so that malformed JSON gets encoding/json's message;
	// the checks below then only meet well-formed JSON.
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	if hasLoneSurrogate(data) {
		return errLoneSurrogate
	}
	return checkKeys(data)
}

// hasLoneSurrogate reports whether a well-formed JSON text has a \u escape
// of a UTF-16 surrogate that is not half of a high-low pair.
func hasLoneSurrogate(data []byte) bool {
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			inString = c == '"'
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(data) && data[i+1] != 'u' {
				i++ // a one-character escape, \" included
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				return false // not well-formed; cannot happen after Unmarshal
			}
			i += 5
			if !utf16.IsSurrogate(r) {
				continue
			}
			if r >= 0xDC00 {
				return true // a low half first
			}
			if i+2 >= len(data) || data[i+1] != '\\' || data[i+2] != 'u' {
				return true // a high half alone
			}
			low, ok := hex4(data, i+3)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 6
		}
	}
	return false
}

// hex4 parses the four hex digits at data[i:i+4].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 16)
	return rune(n), err == nil
}

// checkKeys refuses an object with two keys equal under Unicode case
// folding, which is how encoding/json and huma match keys to fields. It
// runs on a text json.Unmarshal accepted, so it reads it byte by byte,
// telling only brackets, commas and strings apart: encoding/json's
// Decoder.Token, which decodes every value it passes, took longer than
// decoding the body itself (BENCHMARKS.md, "Report submission").
func checkKeys(data []byte) error {
	// The keys seen in each open container: nil for an array.
	var open []map[string]bool
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			open = append(open, map[string]bool{})
			expectKey = true
		case '[':
			open = append(open, nil)
		case '}', ']':
			open = open[:len(open)-1]
		case ',':
			expectKey = open[len(open)-1] != nil
		case '"':
			end, escaped := i+1, false
			for ; end < len(data) && data[end] != '"'; end++ {
				if data[end] == '\\' {
					escaped = true
					end++
				}
			}
			if end >= len(data) {
				return fmt.Errorf("api: request body: a string without its closing quote")
			}
			if expectKey {
				key := string(data[i+1 : end])
				if escaped {
					if err := json.Unmarshal(data[i:end+1], &key); err != nil {
						return fmt.Errorf("api: request body: %w", err)
					}
				}
				k := foldKey(key)
				if open[len(open)-1][k] {
					return fmt.Errorf("api: request body repeats the key %q", key)
				}
				open[len(open)-1][k] = true
				expectKey = false
			}
			i = end
		}
	}
	return nil
}

// foldKey maps s to one representative of its case-folding class, so that
// "TLP", "tlp" and "Tlp" (and "tagſ" and "tags") collide.
func foldKey(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		out = append(out, least)
	}
	return string(out)
}
