package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzReader feeds arbitrary bytes to the bundle reader. It must never
// panic or loop; every object it accepts must be well-formed, keep its
// content, and read the same again from its own JSON.
func FuzzReader(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rd := NewReader(bytes.NewReader(b), 1<<16)
		for range 10000 {
			o, err := rd.Next()
			if err == io.EOF || errors.Is(err, ErrInput) {
				return
			}
			var rej *Rejection
			if errors.As(err, &rej) {
				if rej.Reason == "" {
					t.Fatal("a rejection without a reason")
				}
				continue
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !ValidID(o.ID) || !json.Valid(o.JSON) || !utf8.Valid(o.JSON) || len(o.Digest) != 32 {
				t.Fatalf("accepted a bad object: %q", o.JSON)
			}
			again, err := parseObject(0, o.JSON, false)
			if err != nil || !bytes.Equal(again.Digest, o.Digest) || !bytes.Equal(again.JSON, o.JSON) {
				t.Fatalf("object does not read the same again: %v", err)
			}
		}
		t.Fatal("more than 10000 objects from a small input")
	})
}
