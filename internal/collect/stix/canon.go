package stix

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"slices"
)

// canonicalDigest hashes an object with its top-level keys sorted and its
// values compacted (props come from the compacted object), so that the
// same content sent in another key order or layout is recognized as the
// same version.
func canonicalDigest(props map[string]json.RawMessage) []byte {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(props[k])
	}
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return sum[:]
}
