package record

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/parallel"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
)

// Recorder writes every change of state. It is safe for concurrent use.
type Recorder struct {
	store  store.Store
	clock  center.Clock
	limits center.Limits
	// analyzer, if set, prepares each version's text for the search index.
	analyzer Analyzer
	// extractor, if set, analyzes in its stead and links entities.
	extractor Extractor
	// notify, if set, is called after each committed change that
	// appended events (see OnEvents).
	notify atomic.Pointer[func()]
	// outbox, if set, wakes the delivery worker (see OnDeliveries).
	outbox atomic.Pointer[func()]
}

// OnEvents sets fn to be called after every committed change that appended
// events — the transparency log's integrator's cue. fn must return quickly
// and must not block; nil removes it.
func (r *Recorder) OnEvents(fn func()) {
	if fn == nil {
		r.notify.Store(nil)
		return
	}
	r.notify.Store(&fn)
}

// update runs fn through the store's one write transaction and, once it is
// durable, wakes whoever follows the events.
func (r *Recorder) update(ctx context.Context, fn func(store.Tx) error) error {
	err := r.store.Update(ctx, fn)
	if fn := r.notify.Load(); err == nil && fn != nil {
		(*fn)()
	}
	if fn := r.outbox.Load(); err == nil && fn != nil {
		(*fn)()
	}
	return err
}

// NewRecorder returns a Recorder writing to s, reading the time from clock,
// and holding reports to limits.
func NewRecorder(s store.Store, clock center.Clock, limits center.Limits) *Recorder {
	return &Recorder{store: s, clock: clock, limits: limits}
}

// An Analyzer prepares a report's text for the search index and names its
// language when the author did not. The recorder runs it before the write
// transaction, on the caller's goroutine, so that analysis never holds up
// the one goroutine that commits.
type Analyzer interface {
	AnalyzeReport(title, body, language string) (doc store.SearchDoc, detected string)
	// Analysis names the analysis: two analyzers of the same name turn
	// every text into the same tokens. The index records the name it was
	// built with, to be rebuilt when it changes (see Reindex).
	Analysis() string
}

// IndexWith makes the recorder put every report version it records in the
// search index, analyzed by a. Call it before the recorder is used; without
// it, reports are recorded but not indexed.
func (r *Recorder) IndexWith(a Analyzer) *Recorder {
	r.analyzer = a
	return r
}

// analyze runs the analyzer on a normalized draft, filling in its language
// if the author gave none. It returns nil without an analyzer, and for a
// body over the limit, which validation will refuse anyway.
func (r *Recorder) analyze(d *center.Draft) *store.SearchDoc {
	if r.analyzer == nil || len(d.Body) > r.limits.MaxBodyBytes {
		return nil
	}
	doc, detected := r.analyzer.AnalyzeReport(d.Title, d.Body, d.Language)
	if d.Language == "" {
		d.Language = detected
	}
	return &doc
}

// prepareAll normalizes drafts, prepares them as prepare does and checks
// their content (center.DraftCheck), a large batch on every core: the
// write waits for the slowest analysis.
func (r *Recorder) prepareAll(drafts []center.Draft) ([]*store.SearchDoc, []*store.Extraction, []center.DraftCheck) {
	docs := make([]*store.SearchDoc, len(drafts))
	xs := make([]*store.Extraction, len(drafts))
	checks := make([]center.DraftCheck, len(drafts))
	parallel.For(len(drafts), minDraftsPerWorker, func(i int) {
		drafts[i].Normalize()
		// The content's checks need no roster: here, in parallel, not in
		// the one writer's transaction.
		checks[i] = drafts[i].CheckContent(r.limits)
		docs[i], xs[i] = r.prepare(&drafts[i])
	})
	return docs, xs, checks
}

// minDraftsPerWorker is the smallest share of a batch worth a goroutine.
const minDraftsPerWorker = 32

// recordVersion records a version the write path has decided on, in tx:
// its row, its search entry, its entity links, what it owes the
// subscriptions of the parties that may now see it, and its event of type
// typ. prev is the version it follows, nil for a new report. Every path
// that records a report version — submission, revision, import, news
// feeds — goes through it, so none misses a step. It sets rep.Seq.
func (r *Recorder) recordVersion(ctx context.Context, tx store.Tx, rep *center.Report, prev *center.Report, typ center.EventType, user string, doc *store.SearchDoc, x *store.Extraction) error {
	var err error
	if rep.Seq, err = tx.InsertVersion(ctx, *rep); err != nil {
		return err
	}
	var o outbox
	e, err := r.recordInserted(ctx, tx, &o, rep, prev, typ, user, doc, x)
	if err != nil {
		return err
	}
	if err := o.flush(ctx, tx); err != nil {
		return err
	}
	return appendEvent(ctx, tx, e.e, e.content)
}

// insertNewReports inserts the first versions of new reports and sets
// their Seqs: by the batch where the backend can.
func insertNewReports(ctx context.Context, tx store.Tx, reps []center.Report) error {
	if bt, ok := tx.(store.ReportBatchTx); ok && len(reps) > 1 {
		seqs, err := bt.InsertNewReports(ctx, reps)
		if err != nil {
			return err
		}
		for i := range reps {
			reps[i].Seq = seqs[i]
		}
		return nil
	}
	for i := range reps {
		var err error
		if reps[i].Seq, err = tx.InsertVersion(ctx, reps[i]); err != nil {
			return err
		}
	}
	return nil
}

// recordInserted is recordVersion after the version's insert (its Seq is
// set), but for what it adds to the inboxes and the delivery outbox, which
// it leaves in o, and its event, which it returns: a batch of reports
// writes those of them all with one statement a table (outbox.flush,
// appendEvents) instead of three statements a report.
func (r *Recorder) recordInserted(ctx context.Context, tx store.Tx, o *outbox, rep *center.Report, prev *center.Report, typ center.EventType, user string, doc *store.SearchDoc, x *store.Extraction) (pendingEvent, error) {
	if err := index(ctx, tx, rep.Seq, doc); err != nil {
		return pendingEvent{}, err
	}
	if err := link(ctx, tx, *rep, x); err != nil {
		return pendingEvent{}, err
	}
	if err := r.distributeLater(ctx, tx, o, *rep, prev, false, doc); err != nil {
		return pendingEvent{}, err
	}
	return pendingEvent{e: center.Event{Type: typ, Party: rep.Source, User: user, At: rep.Version, Subject: rep.ID}, content: *rep}, nil
}

// index puts a version in the search index, if there is one to put.
func index(ctx context.Context, tx store.Tx, seq int64, doc *store.SearchDoc) error {
	if doc == nil {
		return nil
	}
	return tx.IndexVersion(ctx, seq, *doc)
}

// Limits returns the report limits the recorder enforces.
func (r *Recorder) Limits() center.Limits { return r.limits }

// now returns the clock's time at the store's precision.
func (r *Recorder) now() time.Time { return r.clock.Now().UTC().Truncate(time.Microsecond) }

// metaFounded is set once the center has been founded.
const metaFounded = "founded"

// MetaWitnessQuorum holds the charter's witness quorum, in decimal: how
// many parties' witnesses must cosign a checkpoint of the transparency log;
// "0" or absent means the charter sets none. Found writes it from the
// charter; after that only an approved set_witness_quorum amendment does.
const MetaWitnessQuorum = "witness_quorum"

// ErrAlreadyFounded means the database already holds a center.
var ErrAlreadyFounded = fmt.Errorf("record: center already founded: %w", center.ErrConflict)

// Found creates the center from its charter in an empty database: the
// roster, the rotation and the log's witness policy. It fails with
// ErrAlreadyFounded if the database already holds a center, so that
// concurrent or repeated starts create it once.
func (r *Recorder) Found(ctx context.Context, ch center.Charter) error {
	if err := ValidateCharter(ch); err != nil {
		return err
	}
	rot := RotationOf(ch)
	if err := rot.Validate(); err != nil {
		return fmt.Errorf("record: %w: %w", center.ErrInvalid, err)
	}
	rotJSON, err := json.Marshal(rot)
	if err != nil {
		return fmt.Errorf("record: rotation: %w", err)
	}
	dir := ch.Directory()
	at := r.now()
	return r.update(ctx, func(tx store.Tx) error {
		founded, err := tx.Meta(ctx, metaFounded)
		if err != nil {
			return err
		}
		if founded != "" {
			return ErrAlreadyFounded
		}
		for _, p := range dir.Parties {
			if err := tx.InsertParty(ctx, p); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, center.Event{Type: center.PartyAdded, At: at, Subject: string(p.Code)}, p); err != nil {
				return err
			}
		}
		for _, c := range dir.Committees {
			if err := tx.InsertCommittee(ctx, c); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, center.Event{Type: center.CommitteeAdded, At: at, Subject: c.Code}, c); err != nil {
				return err
			}
		}
		for _, w := range ch.Witnesses {
			if err := putWitness(ctx, tx, center.WitnessRegistered, w, at); err != nil {
				return err
			}
		}
		if err := tx.SetMeta(ctx, metaRotation, string(rotJSON)); err != nil {
			return err
		}
		if err := tx.SetMeta(ctx, MetaWitnessQuorum, strconv.Itoa(ch.WitnessQuorum)); err != nil {
			return err
		}
		if err := tx.SetMeta(ctx, metaFounded, at.Format(time.RFC3339Nano)); err != nil {
			return err
		}
		if a := r.indexAnalyzer(); a != nil {
			// An empty index is built by every analysis.
			if err := tx.SetMeta(ctx, store.MetaIndexAnalysis, a.Analysis()); err != nil {
				return err
			}
		}
		return appendEvent(ctx, tx, center.Event{Type: center.CenterFounded, At: at, Subject: "center"}, ch)
	})
}

// Founded reports whether the database holds a center.
func (r *Recorder) Founded(ctx context.Context) (bool, error) {
	v, err := r.store.Meta(ctx, metaFounded)
	return v != "", err
}

// CreateUser adds a user with the given password (empty: no password
// login). passwordParams sets the argon2id cost.
func (r *Recorder) CreateUser(ctx context.Context, u center.User, password string, params secret.Params) (center.User, error) {
	if err := u.Validate(); err != nil {
		return center.User{}, err
	}
	if password != "" {
		h, err := secret.HashPassword(password, params)
		if err != nil {
			return center.User{}, err
		}
		u.PasswordHash = h
	}
	u.Created = r.now()
	err := r.update(ctx, func(tx store.Tx) error {
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		if _, ok := dir.Party(u.Party); !ok {
			return center.Invalid("party", "unknown party %q", u.Party)
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.UserCreated, Party: u.Party, At: u.Created, Subject: u.Username},
			struct {
				Username string
				Party    center.PartyCode
				Role     center.Role
			}{u.Username, u.Party, u.Role})
	})
	if err != nil {
		return center.User{}, err
	}
	return u, nil
}

// IssueToken creates an API token for a user and returns the token's secret,
// which is not stored and cannot be shown again. ttl 0 means no expiry.
func (r *Recorder) IssueToken(ctx context.Context, username, label string, ttl time.Duration) (string, center.Token, error) {
	if len(label) > 200 {
		return "", center.Token{}, center.Invalid("label", "must be at most 200 bytes")
	}
	plain, hash := secret.NewToken()
	t := center.Token{ID: "token--" + uuid.NewString(), Username: username, Label: label, Hash: hash, Created: r.now()}
	if ttl > 0 {
		exp := t.Created.Add(ttl)
		t.Expires = &exp
	}
	err := r.update(ctx, func(tx store.Tx) error {
		u, err := tx.User(ctx, username)
		if err != nil {
			return fmt.Errorf("record: token for %q: %w", username, err)
		}
		if err := tx.InsertToken(ctx, t); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.TokenIssued, Party: u.Party, User: username, At: t.Created, Subject: t.ID},
			struct{ ID, Username string }{t.ID, username})
	})
	if err != nil {
		return "", center.Token{}, err
	}
	return plain, t, nil
}

// RevokeToken revokes a token now. Revoking a revoked token is a no-op.
func (r *Recorder) RevokeToken(ctx context.Context, t center.Token) error {
	if t.Revoked != nil {
		return nil
	}
	at := r.now()
	t.Revoked = &at
	return r.update(ctx, func(tx store.Tx) error {
		if err := tx.UpdateToken(ctx, t); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.TokenRevoked, User: t.Username, At: at, Subject: t.ID},
			struct{ ID string }{t.ID})
	})
}

// touchInterval bounds how often a token's last-used time is written, so
// that authenticating a request costs no write.
const touchInterval = time.Minute

// TouchToken records that the token was used now, at most once a minute.
func (r *Recorder) TouchToken(ctx context.Context, t center.Token) error {
	at := r.now()
	if t.LastUsed != nil && at.Sub(*t.LastUsed) < touchInterval {
		return nil
	}
	t.LastUsed = &at
	return r.store.Update(ctx, func(tx store.Tx) error { return tx.UpdateToken(ctx, t) })
}

// SubmitReport records a new report from the principal's party.
func (r *Recorder) SubmitReport(ctx context.Context, who center.Principal, d center.Draft) (center.Report, error) {
	out, err := r.SubmitReports(ctx, who, []center.Draft{d})
	if be := (*BatchError)(nil); errors.As(err, &be) {
		err = be.Err // a batch of one: the report is the refused one
	}
	if err != nil {
		return center.Report{}, err
	}
	return out[0], nil
}

// A BatchError is SubmitReports refusing a batch for one of its reports:
// Err says why, Index which (from 0), Of how many the batch held.
type BatchError struct {
	Index, Of int
	Err       error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("record: report %d of %d: %v", e.Index, e.Of, e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// SubmitReports records new reports from the principal's party in one
// write: all of them, or none if any is invalid — the error, a
// *BatchError, then names the first invalid one by its index. A bulk load (an import, a re-indexed
// archive) shares one transaction and one fsync among many reports, where
// concurrent SubmitReport calls share them only as far as they coincide.
func (r *Recorder) SubmitReports(ctx context.Context, who center.Principal, drafts []center.Draft) ([]center.Report, error) {
	docs, xs, checks := r.prepareAll(drafts)
	var out []center.Report
	err := r.update(ctx, func(tx store.Tx) error {
		out = make([]center.Report, 0, len(drafts))
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		now := r.now()
		for i, d := range drafts {
			if err := checks[i].Against(dir); err != nil {
				return &BatchError{Index: i, Of: len(drafts), Err: err}
			}
			out = append(out, newVersion(center.NewReportID(), now, now, who, d, dir))
		}
		if err := insertNewReports(ctx, tx, out); err != nil {
			return err
		}
		var o outbox
		events := make([]pendingEvent, 0, len(drafts))
		for i := range out {
			e, err := r.recordInserted(ctx, tx, &o, &out[i], nil, center.ReportSubmitted, who.User.Username, docs[i], xs[i])
			if err != nil {
				return err
			}
			events = append(events, e)
		}
		if err := o.flush(ctx, tx); err != nil {
			return err
		}
		return appendEvents(ctx, tx, events)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReviseReport records a new version of a report. Only the source party may
// revise; a party that cannot see the report gets center.ErrNotFound.
func (r *Recorder) ReviseReport(ctx context.Context, who center.Principal, id string, d center.Draft) (center.Report, error) {
	d.Normalize()
	doc, x := r.prepare(&d)
	var out center.Report
	err := r.update(ctx, func(tx store.Tx) error {
		prev, err := r.ownLatest(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if prev.Revoked != nil {
			return center.Refuse(center.ErrConflict, "report %s is revoked; a revoked report takes no new versions", id)
		}
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		if err := d.Validate(r.limits, dir); err != nil {
			return err
		}
		now := r.now()
		if !now.After(prev.Version) {
			now = prev.Version.Add(time.Microsecond)
		}
		rep := newVersion(id, prev.Created, now, who, d, dir)
		if err := r.recordVersion(ctx, tx, &rep, &prev, center.ReportRevised, who.User.Username, doc, x); err != nil {
			return err
		}
		out = rep
		return nil
	})
	return out, err
}

// RevokeReport marks every version of a report revoked, keeping them. Only
// the source party may revoke.
func (r *Recorder) RevokeReport(ctx context.Context, who center.Principal, id string) (center.Report, error) {
	var out center.Report
	err := r.update(ctx, func(tx store.Tx) error {
		prev, err := r.ownLatest(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if prev.Revoked != nil {
			return center.Refuse(center.ErrConflict, "report %s is already revoked", id)
		}
		now := r.now()
		if err := tx.MarkRevoked(ctx, id, now); err != nil {
			return err
		}
		prev.Revoked = &now
		out = prev
		if err := r.distribute(ctx, tx, prev, nil, true, nil); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.ReportRevoked, Party: who.Party(), User: who.User.Username, At: now, Subject: id},
			struct {
				ID      string
				Revoked time.Time
			}{id, now})
	})
	return out, err
}

// ownLatest returns the latest version of a report the principal's party
// wrote: ErrNotFound if it may not see the report, ErrForbidden if it may
// see but did not write it.
func (r *Recorder) ownLatest(ctx context.Context, tx store.Tx, who center.Principal, id string) (center.Report, error) {
	if !center.ValidReportID(id) {
		return center.Report{}, fmt.Errorf("record: report %q: %w", id, center.ErrNotFound)
	}
	prev, err := tx.LatestVersion(ctx, id)
	if err != nil {
		return center.Report{}, err
	}
	if !prev.VisibleTo(who.Party()) {
		// A party that saw an earlier version still may not learn of a
		// later one; either way it is not the source, so nothing to do.
		return center.Report{}, fmt.Errorf("record: report %s: %w", id, center.ErrNotFound)
	}
	if prev.Source != who.Party() {
		return center.Report{}, center.Refuse(center.ErrForbidden, "only the source party %s may change report %s", prev.Source, id)
	}
	return prev, nil
}

func newVersion(id string, created, version time.Time, who center.Principal, d center.Draft, dir center.Directory) center.Report {
	tags := d.Tags
	if tags == nil {
		tags = []string{}
	}
	return center.Report{
		ID: id, Version: version, Created: created,
		Source: who.Party(), Author: who.User.Username,
		Title: d.Title, Body: d.Body, Language: d.Language,
		TLP: d.TLP, Distribution: d.Distribution,
		Reliability: d.Reliability, Credibility: d.Credibility,
		Tags: tags, ObservedAt: d.ObservedAt,
		Audience: dir.Audience(who.Party(), d.Distribution),
	}
}

// appendEvent completes e with an id, a salt and the salted digest of
// content, and appends it in tx.
func appendEvent(ctx context.Context, tx store.Tx, e center.Event, content any) error {
	b, err := json.Marshal(content)
	if err != nil {
		return fmt.Errorf("record: event content: %w", err)
	}
	if e.ID == "" { // else drawn beforehand, for rows that name the event
		if e.ID, err = newEventID(); err != nil {
			return err
		}
	}
	e.Salt = make([]byte, 16)
	rand.Read(e.Salt)
	e.Digest = Commitment(e.Salt, b)
	_, err = tx.AppendEvent(ctx, e)
	return err
}

// newEventID returns a new event's id. It is time-ordered (a version 7
// UUID), so that new ids go in at the end of the events' id index rather
// than all over it: a random id dirties a page of the index per event,
// each written out at the commit.
func newEventID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("record: event id: %w", err)
	}
	return "event--" + id.String(), nil
}

// Commitment is the digest an event carries for content: SHA-256 over the
// salt followed by the content's bytes.
func Commitment(salt, content []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(content)
	return h.Sum(nil)
}
