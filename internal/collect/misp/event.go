// Package misp imports MISP events and MISP feeds.
//
// An event is converted to a STIX 2.1 bundle following MISP's own
// converter (misp-stix) where it can, and recorded through the STIX
// importer, so that versioning, markings and visibility work exactly as
// for STIX. MISP UUIDs become the STIX ids (report--<event uuid>,
// indicator--<attribute uuid>), which makes re-imports idempotent. The
// mapping table is in docs/misp.md.
package misp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// flex is a scalar MISP writes as a string, a number, a boolean or null
// depending on the version and the path: "analysis": "2" and
// "analysis": 2 alike.
type flex string

func (f *flex) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flex(s)
	case b[0] == '{' || b[0] == '[':
		return errorf("a scalar was expected, got %.20s", b)
	default:
		*f = flex(b) // number or boolean, as written
	}
	return nil
}

func (f flex) int() (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(string(f)), 10, 64)
	return n, err == nil
}

func (f flex) bool() bool {
	switch strings.ToLower(strings.TrimSpace(string(f))) {
	case "true", "1":
		return true
	}
	return false
}

// Tag is a MISP tag; only its name matters here.
type Tag struct {
	Name flex `json:"name"`
}

// Org is a MISP organisation.
type Org struct {
	Name flex `json:"name"`
	UUID flex `json:"uuid"`
}

// Attribute is one MISP attribute.
type Attribute struct {
	UUID           flex  `json:"uuid"`
	Type           flex  `json:"type"`
	Category       flex  `json:"category"`
	Value          flex  `json:"value"`
	ToIDs          flex  `json:"to_ids"`
	Comment        flex  `json:"comment"`
	Timestamp      flex  `json:"timestamp"`
	Distribution   flex  `json:"distribution"`
	Deleted        flex  `json:"deleted"`
	ObjectRelation flex  `json:"object_relation"`
	FirstSeen      flex  `json:"first_seen"`
	LastSeen       flex  `json:"last_seen"`
	Tag            []Tag `json:"Tag"`
	Sighting       []any `json:"Sighting"`
}

// Object is a MISP object: a template's attributes grouped.
type Object struct {
	UUID         flex        `json:"uuid"`
	Name         flex        `json:"name"`
	MetaCategory flex        `json:"meta-category"`
	Timestamp    flex        `json:"timestamp"`
	Distribution flex        `json:"distribution"`
	Comment      flex        `json:"comment"`
	Deleted      flex        `json:"deleted"`
	Attribute    []Attribute `json:"Attribute"`
}

// Cluster is a galaxy cluster (a threat actor, a malware family, an
// ATT&CK technique…).
type Cluster struct {
	UUID        flex `json:"uuid"`
	Type        flex `json:"type"`
	Value       flex `json:"value"`
	Description flex `json:"description"`
}

// Galaxy is a galaxy with its clusters.
type Galaxy struct {
	Type    flex      `json:"type"`
	Name    flex      `json:"name"`
	Cluster []Cluster `json:"GalaxyCluster"`
}

// Event is a MISP event, with or without its "Event" wrapper.
type Event struct {
	UUID             flex        `json:"uuid"`
	Info             flex        `json:"info"`
	Date             flex        `json:"date"`
	Timestamp        flex        `json:"timestamp"`
	Published        flex        `json:"published"`
	PublishTimestamp flex        `json:"publish_timestamp"`
	ThreatLevelID    flex        `json:"threat_level_id"`
	Analysis         flex        `json:"analysis"`
	Distribution     flex        `json:"distribution"`
	Orgc             *Org        `json:"Orgc"`
	Org              *Org        `json:"Org"`
	Tag              []Tag       `json:"Tag"`
	Attribute        []Attribute `json:"Attribute"`
	Object           []Object    `json:"Object"`
	Galaxy           []Galaxy    `json:"Galaxy"`
}

// ParseEvents reads one event or a list of events, each with or without
// the "Event" wrapper (a list from the REST API: [{"Event": {…}}, …]).
func ParseEvents(b []byte) ([]Event, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, errorf("empty input")
	}
	var raws []json.RawMessage
	switch b[0] {
	case '[':
		if err := json.Unmarshal(b, &raws); err != nil {
			return nil, errorf("malformed JSON: %v", err)
		}
	case '{':
		// {"response": [...]} is what a MISP search returns.
		var resp struct {
			Response []json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(b, &resp); err == nil && resp.Response != nil {
			raws = resp.Response
		} else {
			raws = []json.RawMessage{b}
		}
	default:
		return nil, errorf("the input is neither an event nor a list of events")
	}
	out := make([]Event, 0, len(raws))
	for i, raw := range raws {
		var wrapped struct {
			Event *json.RawMessage `json:"Event"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, errorf("event %d: malformed JSON: %v", i, err)
		}
		body := raw
		if wrapped.Event != nil {
			body = *wrapped.Event
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil {
			var me *Error
			if errors.As(err, &me) { // a value of the wrong shape
				return nil, me
			}
			return nil, errorf("event %d: malformed JSON: %v", i, err)
		}
		if ev.UUID == "" {
			return nil, errorf("event %d has no uuid", i)
		}
		if strings.TrimSpace(string(ev.Info)) == "" {
			return nil, errorf("event %s has no info", ev.UUID)
		}
		out = append(out, ev)
	}
	return out, nil
}

// An Error says what is wrong with MISP input, in English; Format and Args
// make its message, as a stix.Rejection's, for an interface that says it
// in its user's language.
type Error struct {
	Format string
	Args   []any
}

func (e *Error) Error() string { return "misp: " + fmt.Sprintf(e.Format, e.Args...) }

// errorf returns an *Error; format must be a constant string, the
// message's id in the translations.
func errorf(format string, args ...any) error { return &Error{Format: format, Args: args} }
