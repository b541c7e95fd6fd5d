package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxEnvelopeObjects bounds the objects of one envelope, whatever their
// size: each gets a line of the status resource.
const maxEnvelopeObjects = 100000

// An envelopeObject is one object of a POSTed envelope, not yet checked:
// its raw JSON, and its id and version as far as they can be read, for
// the status resource.
type envelopeObject struct {
	raw         json.RawMessage
	id, version string
}

// parseEnvelope reads a TAXII 2.1 envelope (section 3.7): a JSON object
// whose "objects" is an array of JSON objects; its other members (more,
// next, or a bundle's type and id) are ignored. A body that is not one is
// a 400 and nothing is recorded.
func parseEnvelope(body []byte) ([]envelopeObject, error) {
	bad := func(format string, args ...any) error {
		return refuse(http.StatusBadRequest, "Bad envelope", format, args...)
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, bad("the body is not a TAXII envelope (a JSON object with \"objects\")")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var env struct {
		Objects *[]json.RawMessage `json:"objects"`
	}
	if err := dec.Decode(&env); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, bad("the body is not a TAXII envelope: %q must be an array of STIX objects", "objects")
		}
		return nil, bad("the body is not JSON: %s", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("trailing data after the envelope")
	}
	if env.Objects == nil {
		return nil, bad(`the envelope has no "objects"`)
	}
	if len(*env.Objects) > maxEnvelopeObjects {
		return nil, bad("the envelope holds %d objects, over %d", len(*env.Objects), maxEnvelopeObjects)
	}
	out := make([]envelopeObject, len(*env.Objects))
	for i, raw := range *env.Objects {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, bad("object %d is not a JSON object", i)
		}
		var head struct {
			ID       any `json:"id"`
			Modified any `json:"modified"`
			Created  any `json:"created"`
		}
		_ = json.Unmarshal(raw, &head)
		o := envelopeObject{raw: raw}
		o.id, _ = head.ID.(string)
		if m, ok := head.Modified.(string); ok {
			o.version = m
		} else if c, ok := head.Created.(string); ok {
			o.version = c
		}
		out[i] = o
	}
	return out, nil
}
