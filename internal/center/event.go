package center

import "time"

// EventType names a kind of change of state.
type EventType string

// The changes of state the center records. Each is written by the one write
// path together with the state it describes, and later becomes a leaf of the
// transparency log.
const (
	CenterFounded   EventType = "center.founded"
	PartyAdded      EventType = "party.added"
	CommitteeAdded  EventType = "committee.added"
	UserCreated     EventType = "user.created"
	TokenIssued     EventType = "token.issued"
	TokenRevoked    EventType = "token.revoked"
	ReportSubmitted EventType = "report.submitted"
	ReportRevised   EventType = "report.revised"
	ReportRevoked   EventType = "report.revoked"

	ChairHandedOver   EventType = "governance.handover"
	AmendmentProposed EventType = "governance.amendment.proposed"
	AmendmentVoted    EventType = "governance.amendment.voted"
	AmendmentApproved EventType = "governance.amendment.approved"
	AmendmentRejected EventType = "governance.amendment.rejected"
	PartyRemoved      EventType = "party.removed"
	CommitteeChanged  EventType = "committee.changed"
	BulletinPublished EventType = "bulletin.published"
	RetentionSet      EventType = "retention.set"
	ReportPurged      EventType = "report.purged"

	// The transparency log's witness policy. A party's first witness is
	// registered by the operator (or named by the charter); the operator
	// may move it to a new URL; only an amendment gives it a new key or
	// changes the quorum.
	WitnessRegistered EventType = "witness.registered"
	WitnessMoved      EventType = "witness.moved"
	WitnessSet        EventType = "witness.set"        // by a set_witness amendment
	WitnessQuorumSet  EventType = "witness.quorum.set" // by a set_witness_quorum amendment
)

// An Event is the record of one change of state. It carries who did what to
// which subject and when, and a digest of the content — never the content
// itself, because every party will be able to read every event.
type Event struct {
	Seq     int64     `json:"seq"` // assigned by the store, increasing
	ID      string    `json:"id"`  // "event--<uuid>"
	Type    EventType `json:"type"`
	Party   PartyCode `json:"party,omitempty"` // acting party
	User    string    `json:"user,omitempty"`  // acting user
	At      time.Time `json:"at"`
	Subject string    `json:"subject"` // id of what changed
	// Digest is SHA-256(Salt || content), a commitment to the change's
	// content (for a report version, its JSON as the API returns it). The
	// random salt keeps anyone who sees the digest from confirming a
	// guessed text; it is given only to parties entitled to the content, who
	// can then prove exactly what was recorded.
	Digest []byte `json:"digest,omitempty"`
	Salt   []byte `json:"-"`
}
