package record

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// STIXRecorded is the event of one batch of STIX objects recorded by a
// party. Its content commits to each object version's id, version time,
// canonical digest and date_added; report versions imported in the batch
// have their own report events.
const STIXRecorded center.EventType = "stix.recorded"

// A STIXImport is one batch of STIX objects a party records. The whole
// batch is one write: its objects, its report versions and its events
// commit together or not at all.
type STIXImport struct {
	// Distribution shares every object of the batch, as for a report.
	Distribution center.Distribution
	// DefaultTLP marks objects that carry no TLP marking of their own.
	DefaultTLP center.TLP
	Objects    []STIXInput
	// AllOrNothing refuses the whole batch, recording nothing, if any
	// object is rejected; otherwise rejected objects are left out and the
	// rest recorded.
	AllOrNothing bool
}

// A STIXInput is one object version to record, already checked by its
// parser.
type STIXInput struct {
	ID, Type, SpecVersion string
	// Version is the object's modified (else created) time; zero for an
	// observable without either.
	Version time.Time
	// TLP is the object's own marking; "" means the batch's DefaultTLP.
	TLP center.TLP
	// JSON is the object as received, compacted; Digest its canonical
	// SHA-256.
	JSON, Digest []byte
	// Report, for a STIX report, is the Tabadul report it is a version of
	// (its id is the object's id); the recorder fills in its TLP and
	// distribution.
	Report *center.Draft
}

// STIXOutcome is what became of one object of an import.
type STIXOutcome uint8

// The outcomes of an object.
const (
	// STIXImported: the first version of the object from this party.
	STIXImported STIXOutcome = iota + 1
	// STIXNewVersion: a newer version of an object the party holds.
	STIXNewVersion
	// STIXUnchanged: the same or an older version than the one held;
	// ignored.
	STIXUnchanged
	// STIXRejected: refused, with a reason.
	STIXRejected
)

func (o STIXOutcome) String() string {
	switch o {
	case STIXImported:
		return "imported"
	case STIXNewVersion:
		return "new version"
	case STIXUnchanged:
		return "unchanged"
	case STIXRejected:
		return "rejected"
	}
	return "unknown"
}

// STIXResult holds the outcome of each object of an import, in order, and
// for each rejected object its reason, in English, and its cause: the
// center's refusal (a *center.InvalidError or *center.Refusal), which an
// interface says in its user's language.
type STIXResult struct {
	Outcomes []STIXOutcome
	Reasons  []string
	Causes   []error
	// Added is each recorded object's date_added (zero for the others).
	Added []time.Time
}

// ErrSTIXRejected is returned by an AllOrNothing import that rejected an
// object; the result says which and why.
var ErrSTIXRejected = fmt.Errorf("record: stix objects rejected: %w", center.ErrInvalid)

// ImportSTIX records a batch of STIX objects for the principal's party,
// in one write. Versioning is per party: a version newer than the one the
// party holds is recorded, an older or equal one is ignored and counted,
// different content at the same version is rejected. A STIX report
// becomes a version of the Tabadul report with the same id, indexed and
// logged as a submitted report; only its source party may add versions.
//
// Every object recorded shares the batch's visibility decision: the
// audience Directory.Audience gives for the party and the distribution.
func (r *Recorder) ImportSTIX(ctx context.Context, who center.Principal, imp STIXImport) (STIXResult, error) {
	n := len(imp.Objects)
	docs := make([]*store.SearchDoc, n)
	xs := make([]*store.Extraction, n)
	for i := range imp.Objects {
		if d := imp.Objects[i].Report; d != nil {
			d.Normalize()
			docs[i], xs[i] = r.prepare(d)
		}
	}
	var res STIXResult
	err := r.update(ctx, func(tx store.Tx) error {
		res = STIXResult{Outcomes: make([]STIXOutcome, n), Reasons: make([]string, n), Causes: make([]error, n), Added: make([]time.Time, n)}
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		party := who.Party()
		if _, ok := dir.Party(party); !ok {
			return center.Invalid("party", "unknown party %q", party)
		}
		ids := make([]string, n)
		for i, o := range imp.Objects {
			ids[i] = o.ID
		}
		held, err := tx.LatestSTIXVersions(ctx, party, ids)
		if err != nil {
			return err
		}
		// The distribution is checked once per TLP, by the same rule as a
		// report's (TLP:RED must name its recipients, parties must exist).
		shareErr := map[center.TLP]error{}
		share := func(t center.TLP) error {
			if e, ok := shareErr[t]; ok {
				return e
			}
			d := center.Draft{Title: "-", Body: "-", TLP: t, Distribution: imp.Distribution}
			d.Normalize()
			e := d.Validate(r.limits, dir)
			shareErr[t] = e
			return e
		}
		audience := dir.Audience(party, imp.Distribution)
		now := r.now()
		var rows []store.STIXObject
		var rowIndex []int
		reject := func(i int, cause error, format string, args ...any) {
			res.Outcomes[i], res.Reasons[i], res.Causes[i] = STIXRejected, fmt.Sprintf(format, args...), cause
		}
		for i, o := range imp.Objects {
			tlp := o.TLP
			if tlp == "" {
				tlp = imp.DefaultTLP
			}
			if err := share(tlp); err != nil {
				reject(i, err, "TLP:%s with distribution %s: %s", tlp, imp.Distribution, reason(err))
				continue
			}
			outcome := STIXImported
			if prev, ok := held[o.ID]; ok {
				switch {
				case o.Version.Before(prev.Modified):
					res.Outcomes[i] = STIXUnchanged
					continue
				case o.Version.Equal(prev.Modified):
					if string(prev.Digest) == string(o.Digest) {
						res.Outcomes[i] = STIXUnchanged
					} else {
						cause := center.Refuse(center.ErrConflict, "conflicting content: version %s is held with other content", stixTime(o.Version))
						reject(i, cause, "%s", cause)
					}
					continue
				}
				outcome = STIXNewVersion
			}
			row := store.STIXObject{ID: o.ID, Type: o.Type, SpecVersion: o.SpecVersion, Modified: o.Version,
				Source: party, TLP: tlp, Distribution: imp.Distribution, Audience: audience,
				Digest: o.Digest, JSON: o.JSON}
			if o.Report != nil {
				out, err := r.importReport(ctx, tx, who, dir, o, tlp, imp.Distribution, docs[i], xs[i], now, outcome == STIXNewVersion)
				switch {
				case errors.Is(err, errUnchanged):
					res.Outcomes[i] = STIXUnchanged
					continue
				case err != nil && isRefusal(err):
					reject(i, err, "%s", reason(err))
					continue
				case err != nil:
					return err
				}
				if out.Version.After(now) {
					now = out.Version
				}
				row.Report, row.ReportSeq, row.Audience = out.ID, out.Seq, out.Audience
			}
			held[o.ID] = store.STIXVersion{ID: o.ID, Modified: o.Version, Source: party, Digest: o.Digest}
			res.Outcomes[i] = outcome
			rows = append(rows, row)
			rowIndex = append(rowIndex, i)
		}
		if imp.AllOrNothing {
			for _, oc := range res.Outcomes {
				if oc == STIXRejected {
					return ErrSTIXRejected
				}
			}
		}
		if len(rows) == 0 {
			return nil
		}
		added, err := tx.InsertSTIX(ctx, now, rows)
		if err != nil {
			return err
		}
		type entry struct {
			ID       string `json:"id"`
			Modified string `json:"modified,omitempty"`
			Digest   string `json:"digest"`
			Added    string `json:"date_added"`
		}
		content := make([]entry, len(rows))
		for k, i := range rowIndex {
			res.Added[i] = added[k]
			content[k] = entry{rows[k].ID, stixTime(rows[k].Modified), hex.EncodeToString(rows[k].Digest), stixTime(added[k])}
		}
		return appendEvent(ctx, tx, center.Event{Type: STIXRecorded, Party: party, User: who.User.Username, At: now,
			Subject: "stix-batch--" + uuid.NewString()}, content)
	})
	if err != nil && !errors.Is(err, ErrSTIXRejected) {
		return STIXResult{}, err
	}
	return res, err
}

var errUnchanged = errors.New("record: unchanged")

// importReport records a STIX report as a version of the Tabadul report
// with its id: a new report, or a new version of one the party wrote.
// newer says the party holds an older STIX version of it.
func (r *Recorder) importReport(ctx context.Context, tx store.Tx, who center.Principal, dir center.Directory,
	o STIXInput, tlp center.TLP, dist center.Distribution, doc *store.SearchDoc, x *store.Extraction, now time.Time, newer bool) (center.Report, error) {
	d := *o.Report
	d.TLP, d.Distribution = tlp, dist
	d.Normalize()
	if !center.ValidReportID(o.ID) {
		return center.Report{}, center.Invalid("id", "report id %q must be report--<lowercase uuid>", o.ID)
	}
	if err := d.Validate(r.limits, dir); err != nil {
		return center.Report{}, err
	}
	prev, err := tx.LatestVersion(ctx, o.ID)
	typ := center.ReportSubmitted
	created := now
	switch {
	case errors.Is(err, center.ErrNotFound):
	case err != nil:
		return center.Report{}, err
	default:
		if prev.Source != who.Party() {
			return center.Report{}, center.Refuse(center.ErrForbidden, "report %s belongs to another party", o.ID)
		}
		if prev.Revoked != nil {
			return center.Report{}, center.Refuse(center.ErrConflict, "report %s is revoked; a revoked report takes no new versions", o.ID)
		}
		// A report first written in Tabadul (exported, then imported
		// back) holds no STIX version: its version time decides.
		if !newer && !o.Version.After(prev.Version) {
			return center.Report{}, errUnchanged
		}
		typ, created = center.ReportRevised, prev.Created
		if !now.After(prev.Version) {
			now = prev.Version.Add(time.Microsecond)
		}
	}
	rep := newVersion(o.ID, created, now, who, d, dir)
	var before *center.Report
	if typ == center.ReportRevised {
		before = &prev
	}
	return rep, r.recordVersion(ctx, tx, &rep, before, typ, who.User.Username, doc, x)
}

// isRefusal reports whether err is the caller's fault (a reason to reject
// one object), not the store's.
func isRefusal(err error) bool {
	return errors.Is(err, center.ErrInvalid) || errors.Is(err, center.ErrForbidden) ||
		errors.Is(err, center.ErrConflict) || errors.Is(err, center.ErrNotFound)
}

// reason renders a refusal in one line.
func reason(err error) string {
	var inv *center.InvalidError
	if errors.As(err, &inv) {
		var parts []string
		for _, f := range inv.Fields {
			parts = append(parts, f.Field+": "+f.Message)
		}
		return strings.Join(parts, "; ")
	}
	var ref *center.Refusal
	if errors.As(err, &ref) {
		return ref.Reason
	}
	return err.Error()
}

// stixTime renders a time as STIX does, to the microsecond; "" for zero.
func stixTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// STIXRevoked is the event of a party withdrawing one of its STIX object
// versions.
const STIXRevoked center.EventType = "stix.revoked"

// RevokeSTIX withdraws the principal's party's version of a STIX object:
// it is kept, and the log keeps its history, but it is no longer served.
// Only the source party may revoke; a version it does not hold is
// center.ErrNotFound.
func (r *Recorder) RevokeSTIX(ctx context.Context, who center.Principal, id string, modified time.Time) error {
	at := r.now()
	return r.update(ctx, func(tx store.Tx) error {
		if err := tx.RevokeSTIX(ctx, who.Party(), id, modified, at); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: STIXRevoked, Party: who.Party(), User: who.User.Username, At: at, Subject: id},
			struct {
				ID       string `json:"id"`
				Modified string `json:"modified,omitempty"`
				Revoked  string `json:"revoked"`
			}{id, stixTime(modified), stixTime(at)})
	})
}
