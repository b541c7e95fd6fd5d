package tlog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

// A PartyView is what one party reads from a live center's API with its
// own credentials, for [AuditParty] to match with the log's entries. Like
// all data from the center, it is suspect until checked.
type PartyView struct {
	// Versions are every report version the party may see, as the API
	// shows them: Revoked is set on every version of a revoked report, and
	// a version whose text retention erased has an empty title and body.
	// Purged is not shown by the API and is ignored.
	Versions []center.Report
	// Rotation is the rotation as the charter founded it.
	Rotation govern.Rotation
	// Amendments are every amendment, with its votes and where the API
	// says it stands.
	Amendments []ViewedAmendment
}

// A ViewedAmendment is an amendment and the status the API gives it.
type ViewedAmendment struct {
	govern.Amendment
	Status govern.Status `json:"status"`
}

// ProveFunc fetches the proof of one event as the party may have it (the
// API's GET /api/v1/log/entries/{event_id}/proof): the entry, and the salt
// and the content if the party is entitled to them. AuditParty checks the
// proof's entry against the log's before it uses the salt.
type ProveFunc func(ctx context.Context, eventID string) (Proof, error)

// A PartyReport is what AuditParty found.
type PartyReport struct {
	Problems []Problem
	// Unpublished names the records newer than every entry of the
	// published log that no entry records yet: the center recorded them
	// after its latest published checkpoint, and a later audit checks them.
	Unpublished []string
	// Digests counts the entries whose digest was recomputed from the
	// content they commit to.
	Digests int
}

// AuditParty matches what a party may see of a live center with the
// entries of its published log (entries[i] is the entry at index i, read
// through the tiles and checked against a checkpoint the party's policy
// accepts). It is the party's counterpart of Check's audit, limited to
// what the party's own credentials show:
//
//   - each report version the party may see has its report.submitted or
//     .revised entry, at the version's time, by its source party; its
//     content, as the center gives it with the salt of the entry's digest,
//     commits to that digest and reads as the API shows the version. A
//     revoked report has its report.revoked entry at its revocation time; a
//     version whose text reads as erased, its report.purged entry.
//   - vice versa, each report entry of a report the party may see is
//     matched by what the API shows; an entry of a version the center says
//     the party may not see (it withholds the salt), or of a report the
//     party may not see at all, is skipped, not an error.
//   - each amendment has its proposal entry, each vote its vote entry, and
//     each decision its approval or rejection entry, at the time of the
//     vote that decided it, and vice versa; each entry's digest is
//     recomputed where the party gets the salt (member parties do). The
//     changes an approved amendment made to the roster, the committees and
//     the witness policy have their entries at its approval, and no such
//     entry stands without one.
//   - the rotation as founded is replayed over the acts the logged
//     handovers and approvals made, exactly as Check does: the rules must
//     accept them, and each handover must be the chair's.
//
// The entries' times are not checked for order: the write path does not
// guarantee it (some events take their time before they reach the
// committer, and a wall clock may step back).
//
// A record the API shows without an entry is a problem, unless it is newer
// than every entry of the log: then it is listed as unpublished. Problems
// are reported, not returned; the error is for failing to fetch.
func AuditParty(ctx context.Context, entries []Entry, view PartyView, prove ProveFunc) (PartyReport, error) {
	a := &partyAudit{ctx: ctx, entries: entries, prove: prove, proofs: map[int]partyProof{}, claimed: map[int]bool{},
		bySubject: map[subjectKey][]int{}}
	for i, e := range entries {
		k := subjectKey{e.Type, e.Subject}
		a.bySubject[k] = append(a.bySubject[k], i)
		if e.At.After(a.latest) {
			a.latest = e.At
		}
	}
	if err := a.reports(view.Versions); err != nil {
		return a.rep, err
	}
	if err := a.governance(view); err != nil {
		return a.rep, err
	}
	return a.rep, nil
}

type subjectKey struct {
	t       center.EventType
	subject string
}

type partyAudit struct {
	ctx       context.Context
	entries   []Entry
	prove     ProveFunc
	proofs    map[int]partyProof
	bySubject map[subjectKey][]int
	claimed   map[int]bool
	latest    time.Time
	rep       PartyReport
}

// partyProof is what the center gave of one entry: the salt and content,
// nil if withheld; bad if its proof was refused or of another entry (a
// problem already named).
type partyProof struct {
	salt, content []byte
	bad           bool
}

func (a *partyAudit) add(record, format string, args ...any) {
	a.rep.Problems = append(a.rep.Problems, Problem{Record: record, Detail: fmt.Sprintf(format, args...)})
}

// missing reports a record without its entry: a problem, unless the record
// is newer than the whole published log.
func (a *partyAudit) missing(record string, at time.Time, format string, args ...any) {
	if at.After(a.latest) {
		a.rep.Unpublished = append(a.rep.Unpublished, record)
		return
	}
	a.add(record, format, args...)
}

func (a *partyAudit) name(i int) string {
	e := a.entries[i]
	return fmt.Sprintf("log entry %d (%s %s %s)", i, e.ID, e.Type, e.Subject)
}

func (a *partyAudit) entryName(e Entry) string {
	for _, i := range a.bySubject[subjectKey{e.Type, e.Subject}] {
		if a.entries[i].ID == e.ID {
			return a.name(i)
		}
	}
	return "log entry " + e.ID
}

// find claims the first unclaimed entry of one of the types about subject
// for which match holds.
func (a *partyAudit) find(subject string, match func(Entry) bool, types ...center.EventType) (int, bool) {
	for _, t := range types {
		for _, i := range a.bySubject[subjectKey{t, subject}] {
			if !a.claimed[i] && match(a.entries[i]) {
				a.claimed[i] = true
				return i, true
			}
		}
	}
	return -1, false
}

func atTime(t time.Time) func(Entry) bool { return func(e Entry) bool { return e.At.Equal(t) } }

func anyEntry(Entry) bool { return true }

// secrets returns the salt and content the center gives of entry i, after
// checking that its proof is of that very entry. A proof the center will
// not give, or gives of another entry, is a problem; then ok is false.
func (a *partyAudit) secrets(i int) (partyProof, bool, error) {
	if p, ok := a.proofs[i]; ok {
		return p, !p.bad, nil
	}
	bad := func(format string, args ...any) (partyProof, bool, error) {
		a.add(a.name(i), format, args...)
		a.proofs[i] = partyProof{bad: true}
		return partyProof{}, false, nil
	}
	p, err := a.prove(a.ctx, a.entries[i].ID)
	if err != nil {
		if a.ctx.Err() != nil {
			return partyProof{}, false, err
		}
		return bad("the center gives no proof of it: %v", err)
	}
	want, err := a.entries[i].Marshal()
	if err != nil {
		return partyProof{}, false, err
	}
	if p.EventID != a.entries[i].ID || p.Entry != string(want) {
		return bad("the center's proof of it shows another entry than its log")
	}
	var out partyProof
	if p.Salt != "" {
		if out.salt, err = hex.DecodeString(p.Salt); err != nil {
			return bad("the center gives a salt that is not hex: %v", err)
		}
	}
	if p.Content != "" {
		out.content = []byte(p.Content)
	}
	a.proofs[i] = out
	return out, true, nil
}

// digest recomputes entry i's digest from content, if the party has the
// salt, and names record if it does not match.
func (a *partyAudit) digest(record string, i int, content any) error {
	p, ok, err := a.secrets(i)
	if err != nil || !ok || p.salt == nil {
		return err
	}
	same, err := commits(a.entries[i].Digest, p.salt, content)
	if err != nil {
		return err
	}
	a.rep.Digests++
	if !same {
		a.add(record, "its content does not match the digest logged by %s: the record was changed after it was logged", a.name(i))
	}
	return nil
}

// erased reports whether a version reads as erased by retention.
func erased(v center.Report) bool { return v.Revoked != nil && v.Title == "" && v.Body == "" }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (a *partyAudit) reports(versions []center.Report) error {
	seen := map[string]bool{}
	revoked := map[string]time.Time{}
	purged := map[string]time.Time{} // the revocation time of reports that read as erased
	for _, v := range versions {
		seen[v.ID] = true
		if v.Revoked != nil {
			revoked[v.ID] = *v.Revoked
		}
		if erased(v) {
			purged[v.ID] = *v.Revoked
		}
		rec := fmt.Sprintf("report %s version %s", v.ID, stamp(v.Version))
		i, ok := a.find(v.ID, atTime(v.Version), center.ReportSubmitted, center.ReportRevised)
		if !ok {
			a.missing(rec, v.Version, "no entry of the published log records it: it was written outside the write path, or its time was changed")
			continue
		}
		if e := a.entries[i]; e.Party != v.Source {
			a.add(rec, "a version of a report of %s, logged by %s as %s's", v.Source, a.name(i), e.Party)
		}
		p, ok, err := a.secrets(i)
		if err != nil {
			return err
		}
		switch {
		case !ok:
		case p.salt == nil:
			a.add(rec, "the center withholds the salt of %s from a party that may see the version", a.name(i))
		case erased(v):
			// Retention erased the text the digest commits to; the erasure
			// must be on the log (checked below).
		case p.content == nil:
			a.add(rec, "the center does not give the content that %s commits to", a.name(i))
		case string(record.Commitment(p.salt, p.content)) != string(a.entries[i].Digest):
			a.rep.Digests++
			a.add(rec, "its content does not match the digest logged by %s: the version was changed after it was recorded", a.name(i))
		default:
			a.rep.Digests++
			var c center.Report
			if err := json.Unmarshal(p.content, &c); err != nil {
				a.add(rec, "the content %s commits to is not a report version: %v", a.name(i), err)
			} else if d := versionDiff(v, c); len(d) > 0 {
				a.add(rec, "the API shows its %s other than the content logged by %s", strings.Join(d, ", "), a.name(i))
			}
		}
	}
	ids := make([]string, 0, len(revoked))
	for id := range revoked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t := revoked[id]
		rec := "report " + id + " revocation"
		i, ok := a.find(id, atTime(t), center.ReportRevoked)
		if !ok {
			a.missing(rec, t, "revoked at %s, but no entry of the published log records it", stamp(t))
			continue
		}
		if err := a.digest(rec, i, revocationContent(id, t)); err != nil {
			return err
		}
	}
	for _, id := range ids {
		t, ok := purged[id]
		if !ok {
			continue
		}
		rec := "report " + id + " erasure"
		i, ok := a.find(id, anyEntry, center.ReportPurged)
		if !ok {
			// The API does not show when the text was erased; it was
			// after the revocation.
			a.missing(rec, t, "its text reads as erased, but no report.purged entry records it")
			continue
		}
		if err := a.digest(rec, i, purgeContent(id, a.entries[i].At)); err != nil {
			return err
		}
	}

	// Vice versa, for the reports the party may see.
	for i, e := range a.entries {
		if a.claimed[i] || !seen[e.Subject] {
			continue
		}
		switch e.Type {
		case center.ReportSubmitted, center.ReportRevised:
			p, ok, err := a.secrets(i)
			if err != nil {
				return err
			}
			if ok && p.salt != nil {
				a.add(a.name(i), "records a version the party may see, which the center does not show: it was deleted, or its time changed")
			}
		case center.ReportRevoked:
			a.add(a.name(i), "records a revocation the center does not show at that time")
		case center.ReportPurged:
			a.add(a.name(i), "records the erasure of the text of a report whose versions do not read as erased")
		}
	}
	return nil
}

// versionDiff names the fields the API shows of a version that differ
// from the version as committed.
func versionDiff(api, c center.Report) []string {
	var d []string
	diff := func(name string, same bool) {
		if !same {
			d = append(d, name)
		}
	}
	diff("id", api.ID == c.ID)
	diff("version", api.Version.Equal(c.Version))
	diff("created", api.Created.Equal(c.Created))
	diff("source", api.Source == c.Source)
	diff("author", api.Author == c.Author)
	diff("title", api.Title == c.Title)
	diff("body", api.Body == c.Body)
	diff("language", api.Language == c.Language)
	diff("tlp", api.TLP == c.TLP)
	diff("distribution", api.Distribution.All == c.Distribution.All && api.Distribution.Committee == c.Distribution.Committee &&
		slices.Equal(api.Distribution.Parties, c.Distribution.Parties))
	diff("reliability", api.Reliability == c.Reliability)
	diff("credibility", api.Credibility == c.Credibility)
	diff("tags", slices.Equal(api.Tags, c.Tags))
	diff("observed_at", api.ObservedAt == nil && c.ObservedAt == nil ||
		api.ObservedAt != nil && c.ObservedAt != nil && api.ObservedAt.Equal(*c.ObservedAt))
	return d
}

// decidedAt returns the time of the vote that decided an amendment: the
// first rejection, or else the last approval.
func decidedAt(a govern.Amendment) (time.Time, bool) {
	if len(a.Votes) == 0 {
		return time.Time{}, false
	}
	for _, v := range a.Votes {
		if !v.Approve {
			return v.At, true
		}
	}
	return a.Votes[len(a.Votes)-1].At, true
}

func (a *partyAudit) governance(view PartyView) error {
	byID := map[string]govern.Amendment{}
	approvedAt := map[string]time.Time{}
	for _, am := range view.Amendments {
		byID[am.ID] = am.Amendment
		rec := "amendment " + am.ID
		if i, ok := a.find(am.ID, func(e Entry) bool { return e.At.Equal(am.ProposedAt) && string(e.Party) == am.Proposer }, center.AmendmentProposed); !ok {
			a.missing(rec, am.ProposedAt, "no entry of the published log records its proposal by %s at %s", am.Proposer, stamp(am.ProposedAt))
		} else if err := a.digest(rec+" proposal", i, proposalContent(am.Amendment)); err != nil {
			return err
		}
		for _, v := range am.Votes {
			vrec := fmt.Sprintf("%s vote of %s", rec, v.Party)
			i, ok := a.find(am.ID, func(e Entry) bool { return e.At.Equal(v.At) && string(e.Party) == v.Party }, center.AmendmentVoted)
			if !ok {
				a.missing(vrec, v.At, "no entry of the published log records it at %s", stamp(v.At))
				continue
			}
			if err := a.digest(vrec, i, v); err != nil {
				return err
			}
		}
		// The decision, by the votes: the first rejection, or the last of
		// the approvals once every voter approved. Which votes sufficed
		// depends on the members then, so the log's decision entry, if
		// any, is matched by its time and checked against the status the
		// API shows.
		t, voted := decidedAt(am.Amendment)
		typ := center.AmendmentApproved
		if slices.ContainsFunc(am.Votes, func(v govern.Vote) bool { return !v.Approve }) {
			typ = center.AmendmentRejected
		}
		i, logged := -1, false
		if voted {
			i, logged = a.find(am.ID, atTime(t), typ)
		}
		switch {
		case logged:
			want := govern.Approved
			if typ == center.AmendmentRejected {
				want = govern.Rejected
			} else {
				approvedAt[am.ID] = t
			}
			if am.Status != want {
				a.add(rec, "the log records it %s by the vote at %s (%s), but the API shows it %s", want, stamp(t), a.name(i), am.Status)
			}
			if err := a.digest(rec+" decision", i, decisionContent(am.Amendment)); err != nil {
				return err
			}
		case am.Status == govern.Approved || am.Status == govern.Rejected:
			if !voted {
				a.add(rec, "%s with no votes", am.Status)
				continue
			}
			a.missing(rec, t, "%s by the vote at %s, but no entry of the published log records the decision then", am.Status, stamp(t))
		}
	}

	// The changes approved amendments made beyond the rotation.
	founded := time.Time{}
	if is := a.bySubject[subjectKey{center.CenterFounded, "center"}]; len(is) > 0 {
		founded = a.entries[is[0]].At
	}
	for _, am := range view.Amendments {
		t, ok := approvedAt[am.ID]
		if !ok {
			continue
		}
		rec := "amendment " + am.ID + " change"
		var typ center.EventType
		var subject string
		var content any
		switch am.Kind {
		case govern.AddMemberAmendment, govern.AddAssociateAmendment:
			kind := center.Member
			if am.Kind == govern.AddAssociateAmendment {
				kind = center.Associate
			}
			typ, subject, content = center.PartyAdded, am.Party, center.Party{Code: center.PartyCode(am.Party), Kind: kind, Names: am.Names}
		case govern.RemovePartyAmendment:
			typ, subject, content = center.PartyRemoved, am.Party, am.Party
		case govern.SetCommitteeAmendment:
			// Its content holds the committee's names as they were, which
			// the API does not show: matched by presence only.
			typ, subject = center.CommitteeChanged, am.Committee
		case govern.SetWitnessAmendment:
			typ, subject, content = center.WitnessSet, am.Party, witnessContent(center.PartyCode(am.Party), am.VKey, am.URL)
		case govern.SetWitnessQuorumAmendment:
			typ, subject, content = center.WitnessQuorumSet, quorumSubject, quorumContent(am.Quorum)
		default:
			continue
		}
		i, ok := a.find(subject, atTime(t), typ)
		if !ok {
			a.add(rec, "approved at %s, but no %s entry records the change it made", stamp(t), typ)
			continue
		}
		if content != nil {
			if err := a.digest(rec, i, content); err != nil {
				return err
			}
		}
	}

	// The rotation, replayed over the logged acts.
	var handovers []Entry
	for i, e := range a.entries {
		if e.Type == center.ChairHandedOver {
			a.claimed[i] = true
			handovers = append(handovers, e)
			if err := a.digest(a.name(i), i, govern.Act{Kind: govern.Handover, At: e.At, Party: string(e.Party)}); err != nil {
				return err
			}
		}
	}
	checkRotation(view.Rotation, rotationActs(view.Rotation, a.entries, byID), handovers, a.entryName, a.add)
	checkWitnessHistory(a.entries, a.entryName, a.add)

	// Vice versa: every governance entry found its record.
	for i, e := range a.entries {
		if a.claimed[i] {
			continue
		}
		switch e.Type {
		case center.AmendmentProposed, center.AmendmentVoted:
			a.add(a.name(i), "the API shows no such amendment or vote: it was deleted or changed")
		case center.AmendmentApproved, center.AmendmentRejected:
			a.add(a.name(i), "the API does not show the amendment decided by the vote at that time")
		case center.PartyAdded, center.CommitteeAdded:
			if !e.At.Equal(founded) {
				a.add(a.name(i), "changes the roster after the founding, but no approved amendment made the change")
			}
		case center.PartyRemoved, center.CommitteeChanged, center.WitnessSet, center.WitnessQuorumSet:
			a.add(a.name(i), "no approved amendment made the change it records")
		}
	}
	return nil
}

// quorumSubject is the subject of witness.quorum.set entries.
const quorumSubject = "witness_quorum"
