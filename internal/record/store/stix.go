package store

import (
	"context"
	"slices"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// A STIXObject is one version of a STIX 2.1 object as the center holds it:
// the object's exact JSON, what identifies its version, and the visibility
// decision it was recorded with.
//
// Visibility works as for reports: Audience is Directory.Audience(Source,
// Distribution) at the time the version was recorded, and every read path
// filters on it. An object imported together with a report (Report set)
// shares that report version's decision.
type STIXObject struct {
	// Added is the server's date_added: unique across all objects and
	// strictly increasing in the order versions were recorded, at
	// microsecond precision. The store assigns it.
	Added time.Time
	// ID is the object's STIX id ("type--uuid"); Type its type.
	ID, Type string
	// SpecVersion is "2.1" for everything the center accepts; kept for
	// TAXII's match[spec_version].
	SpecVersion string
	// Modified is the object's version: its modified property, else its
	// created, else the zero time (a cyber-observable without either has
	// one version).
	Modified time.Time
	// Source is the party that recorded the object.
	Source       center.PartyCode
	TLP          center.TLP
	Distribution center.Distribution
	Audience     []center.PartyCode
	// Report is the Tabadul report this object is a version of (a STIX
	// report imported as a Tabadul report), and ReportSeq that version's
	// Seq; "" and 0 for every other object.
	Report    string
	ReportSeq int64
	// Digest is the SHA-256 of the object's canonical form (top-level keys
	// sorted, values compact), which tells a re-sent version from a
	// conflicting one at the same Modified.
	Digest []byte
	// JSON is the object exactly as received, compacted.
	JSON []byte
	// Revoked is when the source party withdrew this version; a revoked
	// version is kept but no longer served.
	Revoked *time.Time
}

// VisibleTo applies the visibility rule to one stored object version.
func (o STIXObject) VisibleTo(p center.PartyCode) bool {
	return p != "" && (o.Source == p || slices.Contains(o.Audience, p))
}

// A STIXVersion identifies a stored version without its content: what the
// write path needs to decide whether an incoming version is new.
type STIXVersion struct {
	ID       string
	Modified time.Time
	Source   center.PartyCode
	Digest   []byte
	Report   string
}

// STIXTx records STIX objects. Only package record calls it, with the
// events that record the change.
type STIXTx interface {
	// LatestSTIXVersions returns, for each id that source has recorded a
	// version of, that party's version with the newest Modified (the write
	// path decides what may be done with it). Ids without one are absent.
	// Versioning is per source party: two parties may hold the same
	// object, each its own versions.
	LatestSTIXVersions(ctx context.Context, source center.PartyCode, ids []string) (map[string]STIXVersion, error)
	// InsertSTIX stores object versions in order, assigning each its Added:
	// the later of at and one microsecond after the newest Added stored,
	// so Added strictly increases even if the clock steps back. It returns
	// the Added assigned to each. A version with an ID, Source and Modified
	// already stored is center.ErrConflict. All objs have the same Source.
	InsertSTIX(ctx context.Context, at time.Time, objs []STIXObject) ([]time.Time, error)
	// RevokeSTIX marks source's version of id at modified revoked at the
	// time; center.ErrNotFound if there is no such unrevoked version.
	RevokeSTIX(ctx context.Context, source center.PartyCode, id string, modified, at time.Time) error
}

// STIXReader reads STIX objects. Every method takes the viewing party and
// returns only versions whose stored audience holds it; anything else is
// absent (or center.ErrNotFound), never a different error.
type STIXReader interface {
	// STIXObjects returns up to q.Limit visible versions with Added >
	// q.AddedAfter, ascending by Added, and whether more follow.
	STIXObjects(ctx context.Context, viewer center.PartyCode, q STIXQuery) (STIXPage, error)
	// STIXObjectVersions returns every visible version of id, oldest
	// Modified first, or center.ErrNotFound if none is visible.
	STIXObjectVersions(ctx context.Context, viewer center.PartyCode, id string) ([]STIXObject, error)
}

// STIXQuery filters and pages a read of STIX objects. Zero fields do not
// filter.
type STIXQuery struct {
	// AddedAfter keeps versions added strictly after it.
	AddedAfter time.Time
	// IDs and Types keep versions with any of the ids and any of the types.
	IDs, Types []string
	// Versions keeps the versions with one of these Modified times
	// (TAXII's match[version] with timestamps).
	Versions []time.Time
	// Source keeps versions recorded by that party.
	Source center.PartyCode
	// LatestOnly keeps, of each object, only its newest stored version
	// (and only if viewer may see that one).
	LatestOnly bool
	// WithRevoked includes revoked versions (TAXII shows them as deleted
	// history; exports never do).
	WithRevoked bool
	// Limit is 1..MaxSTIXPageSize.
	Limit int
}

// MaxSTIXPageSize caps STIXQuery.Limit.
const MaxSTIXPageSize = 10000

// A STIXPage is one page of STIX object versions.
type STIXPage struct {
	Objects []STIXObject
	// More says versions matching the query follow the last one.
	More bool
}
