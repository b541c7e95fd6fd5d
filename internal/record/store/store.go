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

	// RotationActs returns the recorded rotation acts in order.
	RotationActs(ctx context.Context) ([]govern.Act, error)
	AppendRotationAct(ctx context.Context, a govern.Act) error
	// Amendment returns an amendment, or center.ErrNotFound.
	Amendment(ctx context.Context, id string) (govern.Amendment, error)
	// PutAmendment stores an amendment, replacing one with the same ID.
	PutAmendment(ctx context.Context, a govern.Amendment) error

	// AppendEvent records e and returns its Seq.
	AppendEvent(ctx context.Context, e center.Event) (int64, error)
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
