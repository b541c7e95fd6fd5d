// Package store defines the contract between Tabadul's write path and read
// paths and a database backend.
//
// A backend implements [Store]. It executes SQL and nothing else: what is
// written, and who may read it, is decided above it — by the write path in
// package record and the visibility rule in package center. Backends run the
// conformance suite in package storetest unchanged.
package store

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
)

// Store is a center's database.
type Store interface {
	// Update runs fn in a write transaction and returns once the
	// transaction is durable (fsync'd) or has failed.
	//
	// Concurrent calls may share one database transaction and one commit
	// (group commit); each fn still sees its own isolated changes: if fn
	// returns an error, only fn's changes are rolled back and that error is
	// returned. fn runs exactly once, on one goroutine, and must not retain
	// tx after returning. If the shared commit fails, every Update in it
	// returns the error.
	Update(ctx context.Context, fn func(Tx) error) error

	Reader

	// Close stops accepting updates, waits for pending ones, and closes
	// the database.
	Close() error
}

// Tx is a write transaction's view of the database. Reads through a Tx see
// the transaction's own writes.
type Tx interface {
	// Directory returns the current roster.
	Directory(ctx context.Context) (center.Directory, error)
	// Meta returns a center-wide setting, "" if unset.
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error

	InsertParty(ctx context.Context, p center.Party) error
	InsertCommittee(ctx context.Context, c center.Committee) error
	// User returns the user, or center.ErrNotFound.
	User(ctx context.Context, username string) (center.User, error)
	// InsertUser fails with center.ErrConflict if the username is taken.
	InsertUser(ctx context.Context, u center.User) error
	InsertToken(ctx context.Context, t center.Token) error
	// UpdateToken overwrites the token's Revoked and LastUsed fields.
	UpdateToken(ctx context.Context, t center.Token) error

	// LatestVersion returns the newest version of a report regardless of
	// visibility (the write path decides what the caller may do), or
	// center.ErrNotFound.
	LatestVersion(ctx context.Context, id string) (center.Report, error)
	// InsertVersion stores a report version with its Audience and Tags and
	// returns its Seq. Version times of one report strictly increase.
	InsertVersion(ctx context.Context, r center.Report) (int64, error)
	// MarkRevoked marks every version of the report revoked at the time.
	MarkRevoked(ctx context.Context, id string, at time.Time) error

	// RemoveParty takes a party out of the roster and out of every
	// committee; its past stays. Its users can no longer sign in.
	RemoveParty(ctx context.Context, code center.PartyCode, at time.Time) error
	// SetCommittee replaces a committee's names and members, creating it if
	// new and deleting it if c has no members.
	SetCommittee(ctx context.Context, c center.Committee) error

	// InsertBulletin stores a bulletin of the chair.
	InsertBulletin(ctx context.Context, b center.Bulletin) error

	// RotationActs returns the recorded rotation acts in order.
	RotationActs(ctx context.Context) ([]govern.Act, error)
	AppendRotationAct(ctx context.Context, a govern.Act) error
	// Amendment returns an amendment, or center.ErrNotFound.
	Amendment(ctx context.Context, id string) (govern.Amendment, error)
	// PutAmendment stores an amendment, replacing one with the same ID.
	PutAmendment(ctx context.Context, a govern.Amendment) error

	// AppendEvent records e and returns its Seq.
	AppendEvent(ctx context.Context, e center.Event) (int64, error)

	// The transparency log. Only package record/tlog (the integrator, the
	// log's one writer, and the cosigner) calls these, but PutWitness,
	// which only the write path calls.

	// LogReader: reads through a Tx see the transaction's own appends.
	LogReader
	// PendingEvents returns up to limit events not yet in the log, in Seq
	// order.
	PendingEvents(ctx context.Context, limit int) ([]center.Event, error)
	// AppendLog puts the events with the given seqs at log indexes start,
	// start+1, … and stores hashes at the consecutive stored-hash indexes
	// from tlog.StoredHashIndex(0, start). start must be the log's size: a
	// gap or an overlap is center.ErrConflict. Each seq must name a pending
	// event.
	AppendLog(ctx context.Context, start int64, seqs []int64, hashes []tlog.Hash) error
	// PutCheckpoint stores a checkpoint, replacing the one of the same size
	// (its cosignatures and publication may change; its note may not).
	PutCheckpoint(ctx context.Context, c Checkpoint) error
	// PutWitness registers a party's witness, replacing its earlier one,
	// at time at. A key new for the party joins its WitnessKeys from at;
	// the key it replaces is kept, ending at at.
	//
	// Only the write path (package record) calls it, with the event that
	// records the change: the operator's registration or move
	// (Recorder.RegisterWitness), a charter's witnesses (Found) or an
	// approved set_witness amendment. The witnesses are part of the log's
	// policy; a row written any other way is a side channel that
	// tabadul verify --audit names.
	PutWitness(ctx context.Context, w Witness, at time.Time) error

	// ExpiredRevocations returns up to limit reports revoked before the
	// time whose versions are not yet purged, oldest revocation first.
	ExpiredRevocations(ctx context.Context, before time.Time, limit int) ([]string, error)
	// PurgeReport erases the title and body of every version of the report
	// and takes them out of the search index, marking them purged at the
	// time. Everything else about the versions stays.
	PurgeReport(ctx context.Context, id string, at time.Time) error

	// IndexVersion puts a recorded version's analyzed text in the search
	// index, in the transaction that records the version, so that a report
	// is findable the moment its write returns.
	IndexVersion(ctx context.Context, seq int64, doc SearchDoc) error

	ReindexTx
	EntityTx
	DistributeTx
	CollectTx
	TAXIIServerTx
}

// Reader holds the read paths. Every method that returns reports takes the
// viewing party and returns only what the visibility rule lets it see;
// anything else is center.ErrNotFound, never a different error.
type Reader interface {
	// Report returns the newest version of the report that viewer may see.
	Report(ctx context.Context, viewer center.PartyCode, id string) (center.Report, error)
	// Versions returns every version of the report that viewer may see,
	// oldest first, or center.ErrNotFound if there is none.
	Versions(ctx context.Context, viewer center.PartyCode, id string) ([]center.Report, error)
	// Reports lists, newest first, the newest visible version of each
	// report viewer may see that matches q.
	Reports(ctx context.Context, viewer center.PartyCode, q ReportQuery) (ReportPage, error)
	// CountReports counts reports (not versions) in the whole center, for
	// metrics; it reveals nothing to a party.
	CountReports(ctx context.Context) (int64, error)

	Directory(ctx context.Context) (center.Directory, error)
	// User returns the user, or center.ErrNotFound. A user of a removed
	// party is returned Disabled.
	User(ctx context.Context, username string) (center.User, error)
	// Users lists every user, by party then username.
	Users(ctx context.Context) ([]center.User, error)
	// Token returns the token with that id, or center.ErrNotFound.
	Token(ctx context.Context, id string) (center.Token, error)
	// TokenByHash returns the token with that SHA-256 hash, or
	// center.ErrNotFound. It does not check expiry or revocation.
	TokenByHash(ctx context.Context, hash []byte) (center.Token, error)
	// Tokens lists a user's tokens, newest first.
	Tokens(ctx context.Context, username string) ([]center.Token, error)
	// Events returns up to limit events with Seq > after, in order.
	Events(ctx context.Context, after int64, limit int) ([]center.Event, error)
	Meta(ctx context.Context, key string) (string, error)

	// RotationActs returns the recorded rotation acts in order.
	RotationActs(ctx context.Context) ([]govern.Act, error)
	// Amendments returns every amendment, newest first.
	Amendments(ctx context.Context) ([]govern.Amendment, error)
	// Bulletins returns up to limit bulletins, newest first. Every party
	// sees every bulletin.
	Bulletins(ctx context.Context, limit int) ([]center.Bulletin, error)

	// Search ranks the newest version of each report viewer may see that
	// matches q. Visibility is applied inside the query: hits, the total
	// and the facets count only what viewer may see.
	Search(ctx context.Context, viewer center.PartyCode, q SearchQuery) (SearchPage, error)

	// The transparency log. The log is public to every member, so these
	// take no viewer: what they return reveals who acted when, never
	// content. Callers that serve it must authenticate a party.
	LogReader
	// AuditVersions returns up to limit report versions with Seq > after,
	// in Seq order, whoever may see them. It is the operator's offline
	// audit's read (tabadul verify --data --audit), which must see every
	// row to match it against the log; it bypasses the visibility rule, so
	// no request path may call it.
	AuditVersions(ctx context.Context, after int64, limit int) ([]center.Report, error)

	ReindexReader
	EntityReader
	DistributeReader
	DeliveryClaimer
	CollectReader
	TAXIIServerReader
}

// LogReader reads the transparency log's tables.
type LogReader interface {
	// LogSize returns the number of entries in the log.
	LogSize(ctx context.Context) (int64, error)
	// LogHashes returns the stored hashes at the given tlog stored-hash
	// indexes, in the order asked; a missing one is center.ErrNotFound. It
	// implements tlog.HashReader's contract.
	LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// LogEvents returns the events at log indexes [start, end), in index
	// order. An index with no event (a row deleted behind the store's back)
	// is simply missing from the result: callers compare LogEvent.Index.
	LogEvents(ctx context.Context, start, end int64) ([]LogEvent, error)
	// Event returns the event with that id and its place in the log, or
	// center.ErrNotFound.
	Event(ctx context.Context, id string) (LogEvent, error)
	// SubjectEvents returns every event about subject, in Seq order.
	SubjectEvents(ctx context.Context, subject string) ([]LogEvent, error)
	// Checkpoint returns the checkpoint of the given size, or
	// center.ErrNotFound.
	Checkpoint(ctx context.Context, size int64) (Checkpoint, error)
	// LatestCheckpoint returns the largest checkpoint, or only the largest
	// published one; center.ErrNotFound if there is none.
	LatestCheckpoint(ctx context.Context, publishedOnly bool) (Checkpoint, error)
	// Checkpoints returns every checkpoint, smallest first.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// Witnesses returns the registered witnesses by party, a removed
	// party's included (the policy counts only parties of the roster).
	Witnesses(ctx context.Context) ([]Witness, error)
	// WitnessKeys returns every key any party's witness has had, by party
	// and then Since: what the cosignatures of old checkpoints verify
	// with.
	WitnessKeys(ctx context.Context) ([]WitnessKey, error)
}

// A LogEvent is an event and its place in the transparency log.
type LogEvent struct {
	center.Event
	// Index is the event's index in the log, -1 while it is pending.
	Index int64
}

// A Checkpoint is a signed tree head of the log: the center's signed note
// and the cosignatures collected from witnesses.
type Checkpoint struct {
	Size int64
	// Note is the c2sp.org/tlog-checkpoint text with the center's
	// signature, as signed (a c2sp.org/signed-note).
	Note []byte
	// Cosignatures are the witnesses' signature lines, each ending in a
	// newline, to be appended to Note.
	Cosignatures []byte
	// CosignedBy lists the parties whose witnesses cosigned, in roster
	// order.
	CosignedBy []center.PartyCode
	// Published is when the checkpoint met the witness quorum and was
	// published; zero while it waits.
	Published time.Time
}

// Signed returns the note with its cosignatures: what /log/checkpoint
// serves.
func (c Checkpoint) Signed() []byte {
	out := make([]byte, 0, len(c.Note)+len(c.Cosignatures))
	return append(append(out, c.Note...), c.Cosignatures...)
}

// A Witness is a party's log witness, as registered with the center.
type Witness = center.Witness

// A WitnessKey is a key a party's witness has had, and when. A cosignature
// by the key counts only if made before Until.
type WitnessKey struct {
	Party center.PartyCode
	VKey  string
	// Since is when the key was registered or set by amendment; Until is
	// when another key replaced it, zero while it is the party's key.
	Since, Until time.Time
}

// ReportQuery filters and pages a report list. Zero fields do not filter.
type ReportQuery struct {
	Source center.PartyCode
	TLP    center.TLP
	Tag    string
	// Since and Until bound the version time: Since <= Version < Until.
	Since, Until time.Time
	// Revoked, when set, keeps only revoked (true) or unrevoked (false)
	// reports.
	Revoked *bool
	// After continues a list: only entries with Seq < After. 0 starts at
	// the newest.
	After int64
	Limit int // 1..MaxPageSize
}

// MaxPageSize caps ReportQuery.Limit.
const MaxPageSize = 500

// ReportPage is one page of a report list.
type ReportPage struct {
	Items []center.Report
	// Next is the After of the following page, 0 on the last page.
	Next int64
}

// A ReportBatchTx is what a backend's Tx may add so that a batch of new
// reports (Recorder.SubmitReports) is inserted with one statement a table
// for them all, where InsertVersion takes several a report. The write
// path uses it when the Tx has it, and InsertVersion one by one when it
// does not: the outcome is the same.
type ReportBatchTx interface {
	// InsertNewReports does InsertVersion for each of rs, first versions
	// of reports not yet recorded, in order, and returns their Seqs.
	InsertNewReports(ctx context.Context, rs []center.Report) ([]int64, error)
}
