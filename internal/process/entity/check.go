package entity

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Limits on what a party may propose.
const (
	MaxNameBytes = 200
	MaxAliases   = 64
)

var idRE = regexp.MustCompile(`^(location|organization|group|person|event)--[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

// CheckID returns a center.InvalidError unless id
// has the form type--name (location--IQ, group--isis, person--<uuid>).
func CheckID(id string) error {
	if !idRE.MatchString(id) {
		return center.Invalid("id", "is not an entity id (type--name)")
	}
	return nil
}

// ValidID reports whether id has an entity id's form.
func ValidID(id string) bool { return idRE.MatchString(id) }

// NewID returns a fresh id for a proposed entity of type t.
func NewID(t store.EntityType) string { return string(t) + "--" + uuid.NewString() }

// ValidType reports whether t is one of the entity types.
func ValidType(t store.EntityType) bool { return slices.Contains(store.EntityTypes, t) }

// CheckName validates a name as written: valid UTF-8, no control
// characters, not blank, at most MaxNameBytes, and with something for the
// analyzer to match.
func CheckName(field, name string) error {
	switch {
	case !utf8.ValidString(name):
		return center.Invalid(field, "is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return center.Invalid(field, "is empty")
	case len(name) > MaxNameBytes:
		return center.Invalid(field, "is longer than %d bytes", MaxNameBytes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return center.Invalid(field, "holds a control character")
	case len(lang.Analyze(name, "").Tokens) == 0:
		return center.Invalid(field, "has no letters or digits to match")
	}
	return nil
}

// CheckAlias validates an alias's language and name.
func CheckAlias(a store.Alias) error {
	if !slices.Contains(Languages, a.Lang) {
		return center.Invalid("lang", "must be one of ar, fa, ru, en")
	}
	return CheckName("name", a.Name)
}

// STIXType returns the STIX 2.1 object type an entity of type t is
// exchanged as.
func STIXType(t store.EntityType) string {
	switch t {
	case store.Location:
		return "location"
	case store.Organization, store.Person:
		return "identity"
	case store.Group:
		return "intrusion-set"
	case store.EventEntity:
		return "grouping"
	}
	return ""
}
