package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
)

// DefaultMaxObjectBytes bounds one object of a bundle unless the caller
// sets another limit: a report's description may be 1 MiB, escaped up to
// six times over.
const DefaultMaxObjectBytes = 8 << 20

// ErrInput marks a failure of the whole input: malformed JSON, no bundle,
// an object over the size cap. Nothing of such an input may be recorded.
var ErrInput = errors.New("stix: bad input")

// An Object is one STIX object of a bundle, checked and ready to record.
type Object struct {
	// Index is the object's position in the bundle's objects, from 0.
	Index int
	Type  string
	ID    string
	// SpecVersion is "2.1" (an observable without one is taken as 2.1).
	SpecVersion string
	// Created and Modified are zero when absent; Version is Modified,
	// else Created, else zero.
	Created, Modified, Version time.Time
	// Markings are the object's marking-definition refs, object-level
	// and granular, in order, without duplicates.
	Markings []string
	// JSON is the object as received, compacted: unknown and custom
	// properties are kept exactly.
	JSON []byte
	// Digest is the SHA-256 of the canonical object (top-level keys
	// sorted), the same for the same content in any key order.
	Digest []byte

	props map[string]json.RawMessage
}

// Prop decodes a top-level property into v, reporting whether it is
// present.
func (o Object) Prop(name string, v any) (bool, error) {
	raw, ok := o.props[name]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

// A Rejection is an object refused, with the reason. Reason is in
// English; Format and Args, when set, are what made it, for an interface
// that looks Format up in its translations as it does a
// center.FieldError's. Cause, when set, is the write path's refusal of
// the object (see record.STIXResult), which says it better.
type Rejection struct {
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
	Format string `json:"-"`
	Args   []any  `json:"-"`
	Cause  error  `json:"-"`
}

func (r *Rejection) Error() string {
	if r.ID != "" {
		return fmt.Sprintf("object %d (%s): %s", r.Index, r.ID, r.Reason)
	}
	return fmt.Sprintf("object %d: %s", r.Index, r.Reason)
}

// A Reader streams the objects of a STIX 2.1 bundle token by token, so
// that a bundle of any size needs memory for one object at a time. A
// single top-level object (not a bundle) reads as a bundle of one.
type Reader struct {
	src *countingReader
	dec *json.Decoder
	max int64

	state   int // 0 before, 1 in objects, 2 after objects, 3 done
	index   int
	sawType string
	sawID   string
	// fields holds the top level's other members, in order, for a single
	// object given without a bundle.
	fields  []member
	objects bool
	// checkOnly skips what only recording needs (the compact form and the
	// digest): the first pass of an import.
	checkOnly bool
	// deferParse makes Next return each object's raw JSON unparsed (Index
	// and JSON set), for a caller that parses on another goroutine.
	deferParse bool
}

type member struct {
	key string
	raw json.RawMessage
}

// NewReader reads a bundle from r, refusing any object over maxObject
// bytes (0: DefaultMaxObjectBytes).
func NewReader(r io.Reader, maxObject int64) *Reader {
	if maxObject <= 0 {
		maxObject = DefaultMaxObjectBytes
	}
	src := &countingReader{r: r}
	dec := json.NewDecoder(src)
	dec.UseNumber()
	return &Reader{src: src, dec: dec, max: maxObject}
}

// BytesRead is how much of the input has been read so far.
func (r *Reader) BytesRead() int64 { return r.src.n }

// countingReader counts bytes and, while limit is set, fails once more
// than limit bytes past mark have been read: what keeps one huge value
// from being buffered whole.
type countingReader struct {
	r           io.Reader
	n           int64
	mark, limit int64
}

var errTooBig = errors.New("object over the size cap")

func (c *countingReader) Read(p []byte) (int, error) {
	if c.limit > 0 {
		room := c.mark + c.limit - c.n
		if room <= 0 {
			return 0, errTooBig
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// An InputError says why an input was refused as a whole. It is ErrInput
// to errors.Is; Format and Args make its message, as a Rejection's.
type InputError struct {
	Format string
	Args   []any
}

func (e *InputError) Error() string {
	return ErrInput.Error() + ": " + fmt.Sprintf(e.Format, e.Args...)
}

func (e *InputError) Is(target error) bool { return target == ErrInput }

// Reason is the message alone, without the package's prefix.
func (e *InputError) Reason() string { return fmt.Sprintf(e.Format, e.Args...) }

// inputErr returns an *InputError; format must be a constant string, the
// message's id in the translations.
func inputErr(format string, args ...any) error {
	return &InputError{Format: format, Args: args}
}

func (r *Reader) decodeErr(what center.Phrase, err error) error {
	if errors.Is(err, errTooBig) {
		return inputErr("%s is over the size cap of %d bytes", what, r.max)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return inputErr("%s: the input ends early", what)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return inputErr("malformed JSON at byte %d: %s", se.Offset, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return inputErr("%s: malformed JSON: %s", what, te.Error())
	}
	return fmt.Errorf("stix: reading %s: %w", what, err)
}

// decodeValue reads the next JSON value whole, under the size cap.
func (r *Reader) decodeValue(what center.Phrase) (json.RawMessage, error) {
	// The decoder may already hold buffered bytes beyond the offset; the
	// cap counts from here, with room for one buffer's worth of them.
	r.src.mark, r.src.limit = r.dec.InputOffset(), r.max+64<<10
	var raw json.RawMessage
	err := r.dec.Decode(&raw)
	r.src.limit = 0
	if err != nil {
		return nil, r.decodeErr(what, err)
	}
	if int64(len(raw)) > r.max {
		return nil, inputErr("%s is over the size cap of %d bytes", what, r.max)
	}
	return raw, nil
}

// Next returns the next object. It returns io.EOF after the last one, a
// *Rejection for an object that is refused (reading may go on), and an
// error wrapping ErrInput when the input as a whole is bad.
func (r *Reader) Next() (Object, error) {
	for {
		switch r.state {
		case 0:
			tok, err := r.dec.Token()
			if err != nil {
				return Object{}, r.decodeErr(center.Phrasef("the bundle"), err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return Object{}, inputErr("the input is not a JSON object (a STIX bundle)")
			}
			r.state = 2
		case 1:
			if !r.dec.More() {
				if _, err := r.dec.Token(); err != nil { // ]
					return Object{}, r.decodeErr(center.Phrasef("the bundle's objects"), err)
				}
				r.state = 2
				continue
			}
			raw, err := r.decodeValue(center.Phrasef("object %d", r.index))
			if err != nil {
				return Object{}, err
			}
			i := r.index
			r.index++
			if r.deferParse {
				return Object{Index: i, JSON: raw}, nil
			}
			return parseObject(i, raw, r.checkOnly)
		case 2:
			if !r.dec.More() {
				if _, err := r.dec.Token(); err != nil { // }
					return Object{}, r.decodeErr(center.Phrasef("the bundle"), err)
				}
				if _, err := r.dec.Token(); err != io.EOF {
					return Object{}, inputErr("trailing data after the bundle")
				}
				r.state = 3
				return r.finish()
			}
			tok, err := r.dec.Token()
			if err != nil {
				return Object{}, r.decodeErr(center.Phrasef("the bundle"), err)
			}
			key, _ := tok.(string)
			if key == "objects" && !r.objects {
				tok, err := r.dec.Token()
				if err != nil {
					return Object{}, r.decodeErr(center.Phrasef("the bundle's objects"), err)
				}
				if d, ok := tok.(json.Delim); !ok || d != '[' {
					return Object{}, inputErr(`the bundle's "objects" is not an array`)
				}
				r.objects = true
				r.state = 1
				continue
			}
			raw, err := r.decodeValue(center.Phrasef("property %q of the bundle", key))
			if err != nil {
				return Object{}, err
			}
			switch key {
			case "type":
				if err := json.Unmarshal(raw, &r.sawType); err != nil {
					return Object{}, inputErr(`"type" is not a string`)
				}
			case "id":
				_ = json.Unmarshal(raw, &r.sawID)
			}
			r.fields = append(r.fields, member{key, raw})
		case 3:
			return Object{}, io.EOF
		}
	}
}

// finish checks the top level once it has been read whole.
func (r *Reader) finish() (Object, error) {
	if r.sawType == "bundle" {
		if !bundleIDRE.MatchString(r.sawID) {
			return Object{}, inputErr("the bundle's id %q is not bundle--<uuid>", r.sawID)
		}
		if !r.objects {
			// A bundle may hold no objects at all.
			return Object{}, io.EOF
		}
		for _, f := range r.fields {
			if f.key == "spec_version" {
				var sv string
				_ = json.Unmarshal(f.raw, &sv)
				if sv != "2.1" {
					return Object{}, inputErr("spec_version %q: only STIX 2.1 is accepted", sv)
				}
			}
		}
		return Object{}, io.EOF
	}
	if r.objects {
		return Object{}, inputErr(`an input with "objects" must have "type": "bundle"`)
	}
	if r.sawType == "" {
		return Object{}, inputErr(`the input has no "type": neither a bundle nor a STIX object`)
	}
	// A single object given alone: rebuild it in its own key order.
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range r.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(f.raw)
	}
	b.WriteByte('}')
	r.index = 1
	if r.deferParse {
		return Object{Index: 0, JSON: b.Bytes()}, nil
	}
	return parseObject(0, b.Bytes(), r.checkOnly)
}

var bundleIDRE = regexp.MustCompile(`^bundle--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// The checks below are common/identifier.json's and common/timestamp.json's
// patterns written out by hand: the regular expressions were a tenth of
// an import's time.

// idType returns the type part of a STIX identifier (type--UUID), or ""
// if s is not one: the type is [a-z0-9][a-z0-9-]+[a-z0-9], the UUID has a
// version of 1–5 and the RFC 4122 variant.
func idType(s string) string {
	// The UUID is the last 36 bytes; the type (which may itself hold
	// "--") is what comes before the "--" ahead of them.
	if len(s) < 41 {
		return ""
	}
	i := len(s) - 38
	if s[i] != '-' || s[i+1] != '-' {
		return ""
	}
	typ, u := s[:i], s[i+2:]
	if len(typ) < 3 || !alnumLower(typ[0]) || !alnumLower(typ[len(typ)-1]) {
		return ""
	}
	for j := 1; j < len(typ)-1; j++ {
		if !alnumLower(typ[j]) && typ[j] != '-' {
			return ""
		}
	}
	for j := 0; j < 36; j++ {
		c := u[j]
		switch j {
		case 8, 13, 18, 23:
			if c != '-' {
				return ""
			}
			continue
		case 14:
			if c < '1' || c > '5' {
				return ""
			}
		case 19:
			if !strings.ContainsRune("89abAB", rune(c)) {
				return ""
			}
		}
		if !isHexDigit(c) {
			return ""
		}
	}
	return typ
}

func alnumLower(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// validType is ^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-?$: lowercase words
// joined by single hyphens, starting with a letter, maybe ending in one.
func validType(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '-' {
			if s[i-1] == '-' {
				return false
			}
		} else if !alnumLower(s[i]) {
			return false
		}
	}
	return true
}

// ValidID reports whether s is a STIX identifier: type--UUID.
func ValidID(s string) bool { return idType(s) != "" }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseTimestamp parses a STIX timestamp (RFC 3339, UTC, "Z").
func ParseTimestamp(s string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.s+]Z)", s)
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' ||
		!digits(s[:4]) || !digits(s[5:7]) || !digits(s[8:10]) || !digits(s[11:13]) || !digits(s[14:16]) || !digits(s[17:19]) {
		return bad()
	}
	if len(s) > 20 && (s[19] != '.' || len(s) == 21 || !digits(s[20:len(s)-1])) {
		return bad()
	}
	t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, ":60", ":59", 1))
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}

// timestampProps are the properties of the listed types that hold one
// timestamp; each is checked when present.
var timestampProps = []string{"published", "valid_from", "valid_until", "first_seen", "last_seen",
	"first_observed", "last_observed", "start_time", "stop_time"}

// required lists the properties each known type must have besides the
// common ones.
var required = map[string][]string{
	"report":            {"name", "published", "object_refs"},
	"indicator":         {"pattern", "pattern_type", "valid_from"},
	"observed-data":     {"first_observed", "last_observed", "number_observed"},
	"identity":          {"name"},
	"threat-actor":      {"name"},
	"intrusion-set":     {"name"},
	"campaign":          {"name"},
	"attack-pattern":    {"name"},
	"course-of-action":  {"name"},
	"infrastructure":    {"name"},
	"tool":              {"name"},
	"vulnerability":     {"name"},
	"grouping":          {"context", "object_refs"},
	"relationship":      {"relationship_type", "source_ref", "target_ref"},
	"sighting":          {"sighting_of_ref"},
	"note":              {"content", "object_refs"},
	"opinion":           {"opinion", "object_refs"},
	"malware":           {"is_family"},
	"ipv4-addr":         {"value"},
	"ipv6-addr":         {"value"},
	"domain-name":       {"value"},
	"url":               {"value"},
	"email-addr":        {"value"},
	"mac-addr":          {"value"},
	"mutex":             {"name"},
	"autonomous-system": {"number"},
}

// observables are the STIX 2.1 cyber-observable types, which need neither
// created nor modified.
var observables = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true,
	"email-addr": true, "email-message": true, "file": true, "ipv4-addr": true, "ipv6-addr": true,
	"mac-addr": true, "mutex": true, "network-traffic": true, "process": true, "software": true,
	"url": true, "user-account": true, "windows-registry-key": true, "x509-certificate": true,
}

// parseObject checks one object and returns it ready to record, or a
// *Rejection. With checkOnly, JSON and Digest are left empty.
func parseObject(index int, raw []byte, checkOnly bool) (Object, error) {
	o := Object{Index: index}
	reject := func(format string, args ...any) (Object, error) {
		return Object{}, &Rejection{Index: index, ID: o.ID, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
	}
	if !utf8.Valid(raw) {
		// Go's decoder would quietly turn the bad bytes into U+FFFD; the
		// object would not round-trip unchanged.
		return reject("invalid UTF-8")
	}
	if !checkOnly {
		// Compacted first, so that the properties' values come out
		// compact and the digest can use them as they are.
		var compact bytes.Buffer
		compact.Grow(len(raw))
		if err := json.Compact(&compact, raw); err != nil {
			return reject("not a JSON object")
		}
		raw = compact.Bytes()
		o.JSON = raw
	}
	if err := json.Unmarshal(raw, &o.props); err != nil || o.props == nil {
		return reject("not a JSON object")
	}
	str := func(name string) (string, bool, error) {
		raw, ok := o.props[name]
		if !ok {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, fmt.Errorf("%q must be a string", name)
		}
		return s, true, nil
	}
	id, _, err := str("id")
	if err != nil {
		return reject(`"id" must be a string`)
	}
	if id != "" {
		o.ID = id
	}
	typ, ok, err := str("type")
	switch {
	case err != nil:
		return reject(`"type" must be a string`)
	case !ok:
		return reject(`"type" is required`)
	case len(typ) < 3 || len(typ) > 250 || !validType(typ):
		return reject("type %q is not a STIX type name", typ)
	}
	o.Type = typ
	idt := idType(id)
	switch {
	case id == "":
		return reject(`"id" is required`)
	case idt == "":
		return reject("id %q is not a STIX identifier (type--UUID)", id)
	case idt != typ:
		return reject("id %q does not start with its type %q", id, typ)
	}
	sv, ok, err := str("spec_version")
	if err != nil {
		return reject(`"spec_version" must be a string`)
	}
	if !ok && !observables[typ] {
		return reject(`"spec_version" is required (STIX 2.1 objects carry "2.1")`)
	}
	if ok && sv != "2.1" {
		return reject("spec_version %q: only STIX 2.1 is accepted", sv)
	}
	o.SpecVersion = "2.1"
	for _, name := range []string{"created", "modified"} {
		s, ok, err := str(name)
		if err != nil {
			return reject("%q must be a string", name)
		}
		if !ok {
			continue
		}
		t, err := ParseTimestamp(s)
		if err != nil {
			return reject("%s: timestamp %q is not RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.s+]Z)", name, s)
		}
		if name == "created" {
			o.Created = t
		} else {
			o.Modified = t
		}
	}
	if !observables[typ] {
		if o.Created.IsZero() {
			return reject(`"created" is required`)
		}
		// Marking definitions are immutable: they have no modified.
		if o.Modified.IsZero() && typ != "marking-definition" {
			return reject(`"modified" is required`)
		}
	}
	if !o.Created.IsZero() && !o.Modified.IsZero() && o.Modified.Before(o.Created) {
		return reject("modified %s is before created %s", o.Modified.Format(time.RFC3339Nano), o.Created.Format(time.RFC3339Nano))
	}
	o.Version = o.Modified
	if o.Version.IsZero() {
		o.Version = o.Created
	}
	for _, name := range required[typ] {
		if _, ok := o.props[name]; !ok {
			return reject("a %s needs %q", typ, name)
		}
	}
	for _, name := range timestampProps {
		s, ok, err := str(name)
		if err != nil {
			return reject("%q must be a string", name)
		}
		if _, terr := ParseTimestamp(s); ok && terr != nil {
			return reject("%s: timestamp %q is not RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.s+]Z)", name, s)
		}
	}
	if typ == "report" || typ == "note" || typ == "opinion" || typ == "grouping" {
		var refs []string
		if _, err := o.Prop("object_refs", &refs); err != nil || len(refs) == 0 {
			return reject(`"object_refs" must be a non-empty list of ids`)
		}
		for _, ref := range refs {
			if !ValidID(ref) {
				return reject("object_refs: %q is not a STIX identifier", ref)
			}
		}
	}
	for _, name := range []string{"source_ref", "target_ref", "sighting_of_ref", "created_by_ref"} {
		s, ok, err := str(name)
		if err != nil {
			return reject("%q must be a string", name)
		}
		if ok && !ValidID(s) {
			return reject("%s: %q is not a STIX identifier", name, s)
		}
	}
	var refs []string
	if _, err := o.Prop("object_marking_refs", &refs); err != nil {
		return reject(`"object_marking_refs" must be a list of ids`)
	}
	var granular []struct {
		MarkingRef string `json:"marking_ref"`
	}
	if _, err := o.Prop("granular_markings", &granular); err != nil {
		return reject(`"granular_markings" must be a list of granular markings`)
	}
	for _, g := range granular {
		if g.MarkingRef != "" {
			refs = append(refs, g.MarkingRef)
		}
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "marking-definition--") || !ValidID(ref) {
			return reject("marking ref %q is not a marking-definition id", ref)
		}
		if !slices.Contains(o.Markings, ref) {
			o.Markings = append(o.Markings, ref)
		}
	}
	if checkOnly {
		o.JSON = nil
		return o, nil
	}
	o.Digest = canonicalDigest(o.props)
	return o, nil
}
