package store

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// EntityType is what an entity of the registry is.
type EntityType string

// The entity types, each with the STIX 2.1 object it is exported as.
const (
	Location     EntityType = "location"     // STIX location
	Organization EntityType = "organization" // STIX identity, identity_class organization
	Group        EntityType = "group"        // STIX intrusion-set (threat-actor for its members)
	Person       EntityType = "person"       // STIX identity, identity_class individual
	EventEntity  EntityType = "event"        // STIX grouping (context "suspicious-activity")
)

// EntityTypes lists the types in the order they are documented.
var EntityTypes = []EntityType{Location, Organization, Group, Person, EventEntity}

// EntityStatus is where an entity or an alias stands in curation.
type EntityStatus string

// The statuses. A proposal waits as proposed until the chair's officers
// accept or reject it; a merged entity lives on only as a pointer to the
// one it was merged into.
const (
	Proposed EntityStatus = "proposed"
	Accepted EntityStatus = "accepted"
	Rejected EntityStatus = "rejected"
	Merged   EntityStatus = "merged"
)

// An Alias is one name of an entity in one language ("" for a name used
// in every script, such as an acronym).
type Alias struct {
	Lang string `json:"lang"`
	Name string `json:"name"`
	// Status is Proposed or Accepted; a rejected alias is deleted.
	Status     EntityStatus     `json:"status"`
	ProposedBy center.PartyCode `json:"proposed_by,omitempty"`
	// Norm and Key are the name normalized and its stems joined by
	// spaces, filled in by the write path for the registry's lookup.
	Norm string `json:"-"`
	Key  string `json:"-"`
}

// An Entity is a named thing of the registry: a place, an organization, a
// group, a person or an event, with its names in the four languages.
// Entities are not report content: every party sees every accepted one.
// A pending proposal is seen only by its proposer and the chair.
type Entity struct {
	ID     string       `json:"id"`
	Type   EntityType   `json:"type"`
	Name   string       `json:"name"` // the canonical name
	Status EntityStatus `json:"status"`
	// MergedInto names the entity a merged one now is.
	MergedInto string `json:"merged_into,omitempty"`
	// ProposedBy is the party that proposed it; empty for the seed.
	ProposedBy center.PartyCode `json:"proposed_by,omitempty"`
	// Source says where a seeded entity's names come from.
	Source  string    `json:"source,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Aliases []Alias   `json:"aliases"`
}

// A Mention is a place in a report version's text (title, a newline, then
// the body; byte offsets) that names an entity, through one of its aliases
// (Alias holds the alias's analyzed key, the stems joined by spaces).
type Mention struct {
	Entity string `json:"entity"`
	Alias  string `json:"alias"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
}

// An Observable is an indicator found in a version's text, refanged and in
// canonical form: Kind is ip, domain, url, email, hash or cve.
type Observable struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Extraction is what the extractor found in one report version, before the
// write transaction: the mentions and observables to link, and the
// near-duplicate signature (nil for a text too short to compare).
type Extraction struct {
	Mentions    []Mention
	Observables []Observable
	// Signature is a MinHash of the text's shingles; Bands are its
	// locality-sensitive bands, the keys near-duplicates are found by.
	Signature []uint32
	Bands     []int64
}

// A DupCandidate is a recorded version sharing a band with a new one.
type DupCandidate struct {
	Seq       int64
	ReportID  string
	Signature []uint32
}

// A DupEdge links a new version to a recorded near-duplicate.
type DupEdge struct {
	Seq        int64
	Similarity float64
}

// Similarity estimates the Jaccard similarity of two texts from their
// MinHash signatures: the share of positions where they agree.
func Similarity(a, b []uint32) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// NearDuplicateThreshold is the estimated similarity from which two
// versions are near-duplicates.
const NearDuplicateThreshold = 0.5

// EntityQuery looks entities up by name.
type EntityQuery struct {
	// Names are analyzed forms of the query (normalized text, and its
	// stems joined by spaces): an entity matches if an alias's normalized
	// form or key equals one or starts with it. Empty: no name condition.
	Names []string
	// Status keeps only entities of that status; empty keeps every one.
	Status EntityStatus
	// Limit caps the answer; 0 (for the center's own use, never a
	// request's) returns every match.
	Limit int
}

// EntityTx holds the registry's writes and the extraction's links. Only
// the write path (package record) calls them, with the event that records
// the change.
type EntityTx interface {
	// Entity returns an entity of any status with its aliases, or
	// center.ErrNotFound.
	Entity(ctx context.Context, id string) (Entity, error)
	// PutEntity stores e and replaces its aliases with e.Aliases. An
	// alias (language and name) that another accepted entity has accepted
	// is center.ErrConflict; pending names never conflict, so that a
	// refusal reveals nothing another party proposed.
	PutEntity(ctx context.Context, e Entity) error
	// MoveLinks moves the recorded mentions of entity from to entity into
	// (all of them if aliases is nil, else those made through one of the
	// alias keys), keeping each report's links consistent.
	MoveLinks(ctx context.Context, from, into string, aliases []string) error
	// DupCandidates returns the recorded versions that share a band with
	// bands, at most limit of them, newest first, whoever may see them: it
	// serves the write path's clustering, never a reader.
	DupCandidates(ctx context.Context, bands []int64, limit int) ([]DupCandidate, error)
	// PutExtraction links a version just recorded in this transaction to
	// its mentions, observables and near-duplicates, and stores its
	// signature and bands for later versions to be compared with.
	PutExtraction(ctx context.Context, seq int64, x Extraction, dups []DupEdge) error
}

// An Item is something reports share: an entity or an observable. Key is
// "entity:<id>" or "<kind>:<value>".
type Item struct {
	Key   string `json:"key"`
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// ItemPostings are the reports viewer may see that share an item with a
// report: Count of them (at most the limit asked, +1 meaning "more"), and
// the newest of them by report id.
type ItemPostings struct {
	Item    Item
	Count   int
	Reports []string
}

// DayCount is how many reports were recorded on a day (UTC).
type DayCount struct {
	Day   string `json:"day"` // 2006-01-02
	Count int    `json:"count"`
}

// ItemCount is an item and how many reports hold it.
type ItemCount struct {
	Item  Item `json:"item"`
	Count int  `json:"count"`
}

// MaxTimeline bounds an entity's timeline: it counts the newest
// MaxTimeline reports mentioning it, so that a country named in most
// reports costs a bounded read.
const MaxTimeline = 10000

// EntityActivity is what the reports viewer may see say of an entity.
type EntityActivity struct {
	// Reports counts them, up to MaxTimeline; Capped says there are more.
	Reports int
	Capped  bool
	// Timeline counts them per day of their newest visible version.
	Timeline []DayCount
	// CoOccurring counts the other entities mentioned with it, most
	// frequent first, over the newest Window reports.
	CoOccurring []ItemCount
	Window      int
	// Recent are the newest reports' ids.
	Recent []string
}

// A DupNeighbor is a report whose visible version is a near-duplicate of
// another's.
type DupNeighbor struct {
	ReportID   string
	Source     center.PartyCode
	Similarity float64
}

// EntityReader holds the registry's lookups and the correlation's reads.
// Every method that says anything about reports takes the viewing party
// and counts, lists and links only the newest version of each report that
// viewer may see (its report_views row, the visibility rule's stored
// decision): what viewer may not see changes none of its answers. A report
// viewer may not see is center.ErrNotFound.
type EntityReader interface {
	// Entity returns an entity of any status with its aliases, or
	// center.ErrNotFound. The registry is not report content; callers
	// apply the rule on pending proposals (EntityVisibleTo).
	Entity(ctx context.Context, id string) (Entity, error)
	// Entities looks entities up by name, best match first (exact before
	// prefix), with their aliases.
	Entities(ctx context.Context, q EntityQuery) ([]Entity, error)
	// ReportLinks returns the mentions and observables of the version of
	// the report viewer sees.
	ReportLinks(ctx context.Context, viewer center.PartyCode, reportID string) ([]Mention, []Observable, error)
	// RelatedPostings returns, for each item of the version of the report
	// viewer sees, the other reports viewer may see that hold it: at most
	// perItem of them, newest first, and their count up to perItem+1.
	RelatedPostings(ctx context.Context, viewer center.PartyCode, reportID string, perItem int) ([]ItemPostings, error)
	// EntityActivity returns what viewer's reports say of an entity, its
	// co-occurrences over the newest window of them, and the newest
	// recent ones.
	EntityActivity(ctx context.Context, viewer center.PartyCode, entityID string, window, recent int) (EntityActivity, error)
	// ReportsByID returns the newest version viewer may see of each of
	// the listed reports, in the order listed; a report viewer may not see
	// (or that does not exist) is left out.
	ReportsByID(ctx context.Context, viewer center.PartyCode, ids []string) ([]center.Report, error)
	// NearDuplicates returns the reports whose visible version was
	// recorded as a near-duplicate of the version of reportID viewer sees
	// (either way round).
	NearDuplicates(ctx context.Context, viewer center.PartyCode, reportID string) ([]DupNeighbor, error)
}

// EntityVisibleTo reports whether party may see an entity: every party an
// accepted or merged one, only the proposer and the chair's party a
// pending or rejected proposal.
func EntityVisibleTo(e Entity, party, chair center.PartyCode) bool {
	switch e.Status {
	case Accepted, Merged:
		return true
	}
	return party != "" && (party == e.ProposedBy || party == chair)
}

// AliasVisibleTo is EntityVisibleTo's rule for one alias.
func AliasVisibleTo(a Alias, party, chair center.PartyCode) bool {
	return a.Status == Accepted || party != "" && (party == a.ProposedBy || party == chair)
}
