package store

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// A TAXIIStatus is the status resource of one TAXII "add objects" request:
// what became of each object of the envelope. It is kept in the database,
// so any node of the center can answer a poll of it, and after a restart.
type TAXIIStatus struct {
	// ID is the status resource's id (a UUID).
	ID string
	// Party made the request; only its users may read the status.
	Party    center.PartyCode
	Username string
	// Requested is when the request arrived; Updated when the status last
	// changed.
	Requested, Updated time.Time
	// Total is how many objects the envelope held: always
	// len(Successes) + len(Failures) + len(Pendings).
	Total                         int
	Successes, Failures, Pendings []TAXIIStatusDetail
}

// Complete reports whether no object of the request is pending.
func (s TAXIIStatus) Complete() bool { return len(s.Pendings) == 0 }

// A TAXIIStatusDetail is one object of a status resource.
type TAXIIStatusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// TAXIIServerTx records what the TAXII server keeps besides STIX objects. Only
// package record calls it.
type TAXIIServerTx interface {
	// PutTAXIIStatus stores a status resource, replacing the one with its
	// ID if there is one.
	PutTAXIIStatus(ctx context.Context, s TAXIIStatus) error
	// SetTAXIIDistribution sets how the objects a party adds through TAXII
	// are shared.
	SetTAXIIDistribution(ctx context.Context, party center.PartyCode, d center.Distribution) error
}

// TAXIIServerReader reads what the TAXII server serves. As for every reader,
// the viewer's party bounds what is returned: a version or status it may
// not see is absent (or center.ErrNotFound), never another error.
type TAXIIServerReader interface {
	// TAXIIObjects returns up to q.Limit STIX object versions the viewer
	// may see, unrevoked, matching q, with Added > q.AddedAfter, ascending
	// by Added, and whether more follow. Its cost does not grow with how
	// many versions precede q.AddedAfter. The versions carry what TAXII
	// serves (Added, ID, Type, SpecVersion, Modified, Source, TLP, JSON);
	// their Distribution, Audience and Digest are left empty.
	TAXIIObjects(ctx context.Context, viewer center.PartyCode, q TAXIIQuery) (STIXPage, error)
	// TAXIIStatus returns the status resource with the id if viewer's
	// party made it; center.ErrNotFound otherwise.
	TAXIIStatus(ctx context.Context, viewer center.PartyCode, id string) (TAXIIStatus, error)
	// TAXIIDistribution returns how a party's TAXII additions are shared,
	// and false if the party has not set it.
	TAXIIDistribution(ctx context.Context, party center.PartyCode) (center.Distribution, bool, error)
}

// TAXIIQuery is TAXII's filtering of a collection. Zero fields do not
// filter, except Versions, whose zero value keeps the last version.
type TAXIIQuery struct {
	AddedAfter time.Time
	// IDs and Types keep versions with any of the ids and any of the types.
	IDs, Types []string
	// Source keeps versions recorded by that party (a from-XX collection).
	Source center.PartyCode
	// SpecVersions keeps versions of any of the STIX versions.
	SpecVersions []string
	Versions     VersionMatch
	// Limit is 1..MaxSTIXPageSize.
	Limit int
}

// VersionMatch is TAXII's match[version]: a version is kept if any of its
// fields selects it. "first" and "last" are of the versions the viewer
// may see of one object from one source, revoked ones left out; Modified
// holds exact version times (a version without modified or created is
// matched by its Added).
type VersionMatch struct {
	All, First, Last bool
	Exact            []time.Time
}

// IsZero reports whether no version was asked for, which means Last.
func (v VersionMatch) IsZero() bool { return !v.All && !v.First && !v.Last && len(v.Exact) == 0 }
