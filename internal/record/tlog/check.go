package tlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// A Problem is one thing a check found wrong, naming the record.
type Problem struct {
	// Record names what is wrong: "event event--…", "report report--…
	// version …", "checkpoint 12", "stored hash 40".
	Record string
	Detail string
}

func (p Problem) String() string { return p.Record + ": " + p.Detail }

// CheckOptions say what Check checks beyond the log itself.
type CheckOptions struct {
	// Audit matches every record against its entry and back, checks each
	// entry's digest against the record's content, and replays governance
	// entries against the rotation rules.
	Audit bool
	// Policy, if set, is a pinned policy the latest published checkpoint
	// must satisfy; otherwise the center's registered witnesses and the
	// charter's quorum are used.
	Policy torchwood.Policy
}

// CheckReport is what Check found.
type CheckReport struct {
	Size, Pending int64
	Checkpoints   int
	// Later counts the checkpoints of entries appended while the check
	// ran, past the Size it read: not verified by this check.
	Later int
	// Published is the latest published checkpoint; Size 0 if none.
	Published store.Checkpoint
	Problems  []Problem
}

// chunk is how many rows a check reads at a time.
const chunk = 1024

// Check replays the log from a center's database, as its operator sees it:
// every entry is rebuilt from its event row and must hash to the stored
// leaf; every stored hash must follow from the leaves; every checkpoint
// must carry the center's signature over the tree of its size, and its
// cosignatures must verify. With opts.Audit it also checks the records
// against the log (see CheckOptions). Problems are reported, not returned
// as an error; the error is for failing to read.
func Check(ctx context.Context, r store.Reader, opts CheckOptions) (CheckReport, error) {
	var rep CheckReport
	add := func(record, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Record: record, Detail: fmt.Sprintf(format, args...)})
	}
	size, err := r.LogSize(ctx)
	if err != nil {
		return rep, err
	}
	rep.Size = size

	// The stored hashes, and the same recomputed from the stored leaves.
	count := tlog.StoredHashCount(size)
	stored := make(memHashes, count)
	for lo := int64(0); lo < count; lo += chunk {
		ids := make([]int64, 0, chunk)
		for id := lo; id < min(lo+chunk, count); id++ {
			ids = append(ids, id)
		}
		hs, err := r.LogHashes(ctx, ids)
		if errors.Is(err, center.ErrNotFound) {
			hs = make([]tlog.Hash, len(ids))
			for i, id := range ids {
				if h, err := r.LogHashes(ctx, []int64{id}); err == nil {
					hs[i] = h[0]
				} else {
					add(fmt.Sprintf("stored hash %d", id), "missing from the database")
				}
			}
		} else if err != nil {
			return rep, err
		}
		copy(stored[lo:], hs)
	}
	recomputed := make(memHashes, 0, count)
	for i := range size {
		leaf := stored[tlog.StoredHashIndex(0, i)]
		hs, err := tlog.StoredHashesForRecordHash(i, leaf, recomputed)
		if err != nil {
			return rep, fmt.Errorf("tlog: recompute the tree: %w", err)
		}
		for _, h := range hs {
			id := int64(len(recomputed))
			if h != stored[id] {
				level, n := tlog.SplitStoredHashIndex(id)
				add(fmt.Sprintf("stored hash %d", id), "the tree hash at level %d, index %d does not follow from the leaves below it: log_hashes was changed", level, n)
			}
			recomputed = append(recomputed, h)
		}
	}

	// Every entry, from its event row, against its stored leaf.
	indexOf := map[string]int64{}
	lastSeq := int64(0)
	for lo := int64(0); lo < size; lo += chunk {
		evs, err := r.LogEvents(ctx, lo, min(lo+chunk, size))
		if err != nil {
			return rep, err
		}
		next := lo
		for _, e := range evs {
			for ; next < e.Index; next++ {
				add(fmt.Sprintf("log entry %d", next), "no event row holds it: an event was deleted")
			}
			next = e.Index + 1
			indexOf[e.ID] = e.Index
			name := eventName(e)
			b, err := EntryOf(e.Event).Marshal()
			if err != nil {
				add(name, "cannot be encoded as an entry: %v", err)
				continue
			}
			if tlog.RecordHash(b) != stored[tlog.StoredHashIndex(0, e.Index)] {
				add(name, "its row does not match the entry logged at index %d: edited, or moved there from another index", e.Index)
			}
			if e.Seq < lastSeq {
				add(name, "recorded (seq %d) before the entry at the index below it (seq %d): the log order was changed", e.Seq, lastSeq)
			}
			lastSeq = e.Seq
		}
		for ; next < min(lo+chunk, size); next++ {
			add(fmt.Sprintf("log entry %d", next), "no event row holds it: an event was deleted")
		}
	}

	// Pending events: every event without an index.
	var events []center.Event
	for after := int64(0); ; {
		evs, err := r.Events(ctx, after, chunk)
		if err != nil {
			return rep, err
		}
		events = append(events, evs...)
		if len(evs) < chunk {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	rep.Pending = int64(len(events)) - int64(len(indexOf))

	if err := checkCheckpoints(ctx, r, &rep, recomputed, opts.Policy, retirements(events, indexOf), add); err != nil {
		return rep, err
	}
	if opts.Audit {
		if err := audit(ctx, r, events, indexOf, add); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func eventName(e store.LogEvent) string {
	if e.Index >= 0 {
		return fmt.Sprintf("event %s (log index %d, %s %s)", e.ID, e.Index, e.Type, e.Subject)
	}
	return fmt.Sprintf("event %s (pending, %s %s)", e.ID, e.Type, e.Subject)
}

// retirements returns, for each party and time a set_witness amendment
// replaced that party's witness key, the log index of the event that
// records it: no checkpoint that holds that entry was ever sent to the key
// it replaced.
func retirements(events []center.Event, indexOf map[string]int64) map[retirement]int64 {
	out := map[retirement]int64{}
	for _, e := range events {
		if e.Type != center.WitnessSet {
			continue
		}
		i, ok := indexOf[e.ID]
		if !ok {
			i = math.MaxInt64 // pending: no checkpoint holds it yet
		}
		out[retirement{center.PartyCode(e.Subject), e.At.UnixMicro()}] = i
	}
	return out
}

type retirement struct {
	party center.PartyCode
	at    int64 // Unix microseconds
}

func checkCheckpoints(ctx context.Context, r store.Reader, rep *CheckReport, tree memHashes, pinned torchwood.Policy,
	retired map[retirement]int64, add func(string, string, ...any)) error {
	cps, err := r.Checkpoints(ctx)
	if err != nil {
		return err
	}
	rep.Checkpoints = len(cps)
	if len(cps) == 0 {
		return nil
	}
	logV, _, err := VerifierKey(ctx, r)
	if err != nil {
		add("log key", "checkpoints exist but the center has no log key: %v", err)
		return nil
	}
	// Every key a party's witness has had: a checkpoint cosigned before a
	// key was replaced by amendment still verifies with it.
	keys, err := r.WitnessKeys(ctx)
	if err != nil {
		return err
	}
	verifiers := []note.Verifier{logV}
	keyOf := map[string]*witnessKey{}
	for _, k := range keys {
		v, err := torchwood.NewCosignatureVerifier(k.VKey)
		if err != nil {
			add("witness key of "+string(k.Party), "bad verifier key %q: %v", k.VKey, err)
			continue
		}
		id := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		wk, ok := keyOf[id]
		if !ok {
			wk = &witnessKey{party: k.Party}
			keyOf[id] = wk
			verifiers = append(verifiers, v)
		}
		if wk.party != k.Party {
			add("witness key of "+string(k.Party), "also the key of %s's witness: one witness cannot count for two parties", wk.party)
			continue
		}
		last := int64(math.MaxInt64)
		if !k.Until.IsZero() {
			// A key the log does not say was replaced counts for no
			// checkpoint; --audit names the missing event.
			last = retired[retirement{k.Party, k.Until.UnixMicro()}]
		}
		wk.upTo = append(wk.upTo, last)
	}
	policy, err := ReadWitnessPolicy(ctx, r)
	if err != nil {
		return err
	}
	for _, cp := range cps {
		name := fmt.Sprintf("checkpoint %d", cp.Size)
		n, err := note.Open(cp.Note, note.VerifierList(logV))
		if err != nil {
			add(name, "the center's signature does not verify: %v", err)
			continue
		}
		c, err := torchwood.ParseCheckpoint(n.Text)
		if err != nil || c.N != cp.Size || c.Origin != logV.Name() {
			add(name, "malformed, or not of this log and size")
			continue
		}
		if cp.Size > rep.Size {
			// The log may have grown, and been checkpointed, while this
			// check read it: the reads are not one snapshot. Only a log
			// that still holds fewer entries than a checkpoint was rolled
			// back.
			now, err := r.LogSize(ctx)
			if err != nil {
				return err
			}
			if now >= cp.Size {
				rep.Later++
				continue
			}
			add(name, "signed for %d entries, but the log holds %d: the database was rolled back or entries deleted", cp.Size, now)
			continue
		}
		if h, err := tlog.TreeHash(cp.Size, tree); err != nil || h != c.Hash {
			add(name, "its tree hash does not match the log's first %d entries: history was rewritten", cp.Size)
		}
		if len(cp.Cosignatures) == 0 {
			continue
		}
		cn, err := note.Open(cp.Signed(), note.VerifierList(verifiers...))
		if err != nil {
			add(name, "its cosignatures do not verify: %v", err)
			continue
		}
		var by []center.PartyCode
		for _, s := range cn.Sigs {
			wk, ok := keyOf[fmt.Sprintf("%s+%08x", s.Name, s.Hash)]
			if !ok {
				continue // the center's own signature
			}
			if !wk.counts(cp.Size) {
				add(name, "carries a cosignature by a former key of %s's witness, on entries logged after an amendment replaced it", wk.party)
				continue
			}
			by = append(by, wk.party)
		}
		if len(cn.UnverifiedSigs) > 0 {
			add(name, "%d cosignature(s) by keys not registered", len(cn.UnverifiedSigs))
		}
		for _, p := range cp.CosignedBy {
			if !slices.Contains(by, p) {
				add(name, "claims a cosignature by %s's witness that it does not carry", p)
			}
		}
		if !cp.Published.IsZero() {
			rep.Published = cp
			if !policy.Met(by) {
				add(name, "published with cosignatures by %v, short of the quorum of %d", by, policy.Quorum)
			}
		}
	}
	if pinned != nil && rep.Published.Size > 0 {
		if _, _, err := torchwood.VerifyCheckpoint(rep.Published.Signed(), pinned); err != nil {
			add(fmt.Sprintf("checkpoint %d", rep.Published.Size), "does not satisfy the pinned policy: %v", err)
		}
	}
	return nil
}

// witnessKey is a witness's key as checkCheckpoints knows it: its party
// and, for each period it was that party's key, the log index of the entry
// that ended it (math.MaxInt64 while it lasts).
type witnessKey struct {
	party center.PartyCode
	upTo  []int64
}

// counts reports whether the key's cosignature on a checkpoint of size n
// counts: the checkpoint was made before an amendment replaced the key,
// that is, it does not hold the entry recording the replacement. The
// witness's own timestamp would not do: a replaced, perhaps compromised,
// key can sign any time.
func (k *witnessKey) counts(n int64) bool {
	for _, last := range k.upTo {
		if n <= last {
			return true
		}
	}
	return false
}

// audit matches the records against the events and the events against the
// records, and replays the governance acts.
func audit(ctx context.Context, r store.Reader, events []center.Event, indexOf map[string]int64, add func(string, string, ...any)) error {
	name := func(e center.Event) string {
		i, ok := indexOf[e.ID]
		if !ok {
			i = -1
		}
		return eventName(store.LogEvent{Event: e, Index: i})
	}
	// Events by (type, subject), each claimed at most once.
	type key struct {
		t       center.EventType
		subject string
	}
	bySubject := map[key][]center.Event{}
	for _, e := range events {
		k := key{e.Type, e.Subject}
		bySubject[k] = append(bySubject[k], e)
	}
	claimed := map[string]bool{}
	// find claims the event of one of the types about subject for which
	// match holds.
	find := func(subject string, match func(center.Event) bool, types ...center.EventType) (center.Event, bool) {
		for _, t := range types {
			for _, e := range bySubject[key{t, subject}] {
				if !claimed[e.ID] && match(e) {
					claimed[e.ID] = true
					return e, true
				}
			}
		}
		return center.Event{}, false
	}
	at := func(t time.Time) func(center.Event) bool { return func(e center.Event) bool { return e.At.Equal(t) } }
	anyTime := func(center.Event) bool { return true }
	digest := func(record string, e center.Event, content any) {
		b, err := json.Marshal(content)
		if err != nil {
			add(record, "cannot encode its content: %v", err)
			return
		}
		if string(record2(e.Salt, b)) != string(e.Digest) {
			add(record, "its content does not match the digest logged by %s: the row was edited", name(e))
		}
	}

	// Report versions, revocations and erasures by retention.
	revoked := map[string]time.Time{}
	purged := map[string]time.Time{}
	for after := int64(0); ; {
		vs, err := r.AuditVersions(ctx, after, chunk)
		if err != nil {
			return err
		}
		for _, v := range vs {
			rec := fmt.Sprintf("report %s version %s", v.ID, v.Version.Format(time.RFC3339Nano))
			e, ok := find(v.ID, at(v.Version), center.ReportSubmitted, center.ReportRevised)
			if v.Purged != nil {
				// Retention erased its text, so the digest cannot be
				// recomputed; the erasure must itself be on the log (checked
				// below, once per report), after a revocation.
				purged[v.ID] = *v.Purged
				if v.Revoked == nil || v.Revoked.After(*v.Purged) {
					add(rec, "its text was erased though it was not revoked first")
				}
			}
			if !ok {
				add(rec, "no event records it: it was written outside the write path")
			} else if v.Purged == nil {
				content, err := ReportContent(v)
				if err != nil {
					return err
				}
				if string(record2(e.Salt, content)) != string(e.Digest) {
					add(rec, "its content does not match the digest logged by %s: the row was edited", name(e))
				}
			}
			if v.Revoked != nil {
				revoked[v.ID] = *v.Revoked
			}
		}
		if len(vs) < chunk {
			break
		}
		after = vs[len(vs)-1].Seq
	}
	for id, t := range revoked {
		rec := "report " + id + " revocation"
		if e, ok := find(id, at(t), center.ReportRevoked); !ok {
			add(rec, "no event records it")
		} else {
			digest(rec, e, revocationContent(id, t))
		}
	}

	for id, t := range purged {
		rec := "report " + id + " erasure"
		if e, ok := find(id, at(t), center.ReportPurged); !ok {
			add(rec, "its text was erased but no report.purged event records it")
		} else {
			digest(rec, e, purgeContent(id, t))
		}
	}

	// Users and their tokens.
	users, err := r.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		rec := "user " + u.Username
		if e, ok := find(u.Username, anyTime, center.UserCreated); !ok {
			add(rec, "no event records its creation")
		} else {
			digest(rec, e, struct {
				Username string
				Party    center.PartyCode
				Role     center.Role
			}{u.Username, u.Party, u.Role})
		}
		toks, err := r.Tokens(ctx, u.Username)
		if err != nil {
			return err
		}
		for _, t := range toks {
			rec := "token " + t.ID
			if e, ok := find(t.ID, anyTime, center.TokenIssued); !ok {
				add(rec, "no event records its issue")
			} else {
				digest(rec, e, struct{ ID, Username string }{t.ID, t.Username})
			}
			if t.Revoked != nil {
				if e, ok := find(t.ID, at(*t.Revoked), center.TokenRevoked); !ok {
					add(rec, "no event records its revocation")
				} else {
					digest(rec+" revocation", e, struct{ ID string }{t.ID})
				}
			}
		}
	}

	// The roster: every party and committee has the event that made it.
	dir, err := r.Directory(ctx)
	if err != nil {
		return err
	}
	for _, p := range dir.Parties {
		adds := bySubject[key{center.PartyAdded, string(p.Code)}]
		if len(adds) == 0 {
			add("party "+string(p.Code), "no event records its admission")
			continue
		}
		last := adds[len(adds)-1]
		digest("party "+string(p.Code), last, p)
		for _, e := range adds {
			claimed[e.ID] = true
		}
	}
	for _, c := range dir.Committees {
		if _, ok := find(c.Code, anyTime, center.CommitteeChanged, center.CommitteeAdded); !ok {
			add("committee "+c.Code, "no event records it")
		}
		for _, t := range []center.EventType{center.CommitteeAdded, center.CommitteeChanged} {
			for _, e := range bySubject[key{t, c.Code}] {
				claimed[e.ID] = true
			}
		}
	}

	// Governance: amendments and their votes, handovers, and the rotation
	// rules replayed over the recorded acts.
	amendments, err := r.Amendments(ctx)
	if err != nil {
		return err
	}
	for _, a := range amendments {
		rec := "amendment " + a.ID
		if e, ok := find(a.ID, anyTime, center.AmendmentProposed); !ok {
			add(rec, "no event records its proposal")
		} else {
			digest(rec, e, proposalContent(a))
		}
		for _, v := range a.Votes {
			vrec := fmt.Sprintf("%s vote of %s", rec, v.Party)
			e, ok := find(a.ID, func(e center.Event) bool { return e.At.Equal(v.At) && string(e.Party) == v.Party }, center.AmendmentVoted)
			if !ok {
				add(vrec, "no event records it")
				continue
			}
			digest(vrec, e, v)
		}
		for _, t := range []center.EventType{center.AmendmentApproved, center.AmendmentRejected} {
			if e, ok := find(a.ID, anyTime, t); ok {
				digest(rec+" decision", e, decisionContent(a))
			}
		}
	}
	acts, err := r.RotationActs(ctx)
	if err != nil {
		return err
	}
	for _, a := range acts {
		if a.Kind != govern.Handover {
			continue
		}
		rec := "handover at " + a.At.Format(time.RFC3339Nano)
		if e, ok := find("rotation", at(a.At), center.ChairHandedOver); !ok {
			add(rec, "no event records it")
		} else {
			digest(rec, e, a)
		}
	}
	rot, err := readRotation(ctx, r)
	if err != nil {
		return err
	}
	// The acts the rotation follows must be those the logged handovers and
	// approvals made, no more and no fewer.
	byID := map[string]govern.Amendment{}
	for _, a := range amendments {
		byID[a.ID] = a
	}
	entries := make([]Entry, len(events))
	for i, e := range events {
		entries[i] = EntryOf(e)
	}
	entryName := func(e Entry) string { return name(center.Event{ID: e.ID, Type: e.Type, Subject: e.Subject}) }
	logged := rotationActs(rot, entries, byID)
	for _, a := range acts {
		if i := slices.IndexFunc(logged, func(l govern.Act) bool { return sameAct(a, l) }); i >= 0 {
			logged = slices.Delete(logged, i, i+1)
		} else {
			add(fmt.Sprintf("rotation act %s at %s", a.Kind, a.At.Format(time.RFC3339Nano)), "no logged handover or approved amendment made it: it was written outside the write path")
		}
	}
	for _, a := range logged {
		add(fmt.Sprintf("rotation act %s at %s", a.Kind, a.At.Format(time.RFC3339Nano)), "made by a logged handover or approved amendment, but missing from the rotation's acts")
	}
	var handovers []Entry
	for _, e := range entries {
		if e.Type == center.ChairHandedOver {
			handovers = append(handovers, e)
		}
	}
	checkRotation(rot, acts, handovers, entryName, add)

	if err := auditWitnesses(ctx, r, events, amendments, name, digest, add); err != nil {
		return err
	}
	if err := auditReceipts(ctx, r, events, name, digest, add); err != nil {
		return err
	}

	// Vice versa: every event of the kinds matched above must have found
	// its record. (Committee and party events are matched by presence only:
	// a committee or a party may since have been removed. Events of kinds
	// this audit does not know yet are left alone.)
	for _, e := range events {
		if claimed[e.ID] {
			continue
		}
		switch e.Type {
		case center.ReportSubmitted, center.ReportRevised:
			add(name(e), "the report version it records is missing: a row was deleted or its time changed")
		case center.ChairHandedOver:
			add(name(e), "the rotation act it records is missing")
		case center.ReportRevoked, center.ReportPurged, center.UserCreated, center.TokenIssued, center.TokenRevoked,
			center.AmendmentProposed, center.AmendmentVoted, center.AmendmentApproved, center.AmendmentRejected:
			add(name(e), "the record it describes is missing or was changed: a row was deleted or edited")
		}
	}
	return nil
}

// auditWitnesses checks the log's witness policy against its events, both
// ways. Each witness row must be what its party's latest witness event
// committed to, and every party with witness events must have a row. A
// party's witness is registered once (by the charter or the operator);
// after that the operator may only move it, and only an approved
// set_witness amendment gives it a new key: every witness.set event must be
// an approved amendment's, committing to what the amendment set, at the
// time of its approval, and likewise every witness.quorum.set event; the
// quorum must be what the latest of those set. Every key in the key
// history must have the event that registered or set it, at its Since.
func auditWitnesses(ctx context.Context, r store.Reader, events []center.Event, amendments []govern.Amendment,
	name func(center.Event) string, digest func(string, center.Event, any), add func(string, string, ...any)) error {
	byParty := map[center.PartyCode][]center.Event{}
	var parties []center.PartyCode
	var quorums []center.Event
	approvedAt := map[string]time.Time{}
	for _, e := range events {
		switch e.Type {
		case center.WitnessRegistered, center.WitnessMoved, center.WitnessSet:
			p := center.PartyCode(e.Subject)
			if _, ok := byParty[p]; !ok {
				parties = append(parties, p)
			}
			byParty[p] = append(byParty[p], e)
		case center.WitnessQuorumSet:
			quorums = append(quorums, e)
		case center.AmendmentApproved:
			approvedAt[e.Subject] = e.At
		}
	}
	content := func(w store.Witness) any { return witnessContent(w.Party, w.VKey, w.URL) }

	// The amendments' changes.
	byAmendment := map[string]bool{}
	for _, a := range amendments {
		var evs []center.Event
		var want any
		switch a.Kind {
		case govern.SetWitnessAmendment:
			evs = byParty[center.PartyCode(a.Party)]
			want = content(store.Witness{Party: center.PartyCode(a.Party), VKey: a.VKey, URL: a.URL})
		case govern.SetWitnessQuorumAmendment:
			evs, want = quorums, quorumContent(a.Quorum)
		default:
			continue
		}
		at, ok := approvedAt[a.ID]
		if !ok {
			continue
		}
		i := slices.IndexFunc(evs, func(e center.Event) bool {
			return (e.Type == center.WitnessSet || e.Type == center.WitnessQuorumSet) && e.At.Equal(at) && !byAmendment[e.ID]
		})
		if i < 0 {
			add("amendment "+a.ID, "approved, but no event records the change of the witness policy it made")
			continue
		}
		byAmendment[evs[i].ID] = true
		digest("amendment "+a.ID+" change", evs[i], want)
	}
	for _, e := range slices.Concat(slices.Concat(mapsInOrder(byParty, parties)...), quorums) {
		if (e.Type == center.WitnessSet || e.Type == center.WitnessQuorumSet) && !byAmendment[e.ID] {
			add(name(e), "changes the witness policy, but no approved amendment made it")
		}
	}

	// Each party's history: registered once, first.
	var history []Entry
	for _, e := range events {
		history = append(history, EntryOf(e))
	}
	checkWitnessHistory(history, func(e Entry) string { return name(center.Event{ID: e.ID, Type: e.Type, Subject: e.Subject}) }, add)

	// The rows, against the latest event of their party, and back.
	ws, err := r.Witnesses(ctx)
	if err != nil {
		return err
	}
	has := map[center.PartyCode]bool{}
	for _, w := range ws {
		has[w.Party] = true
		rec := "witness of " + string(w.Party)
		evs := byParty[w.Party]
		if len(evs) == 0 {
			add(rec, "no event records it: it was written outside the write path")
			continue
		}
		digest(rec, evs[len(evs)-1], content(w))
	}
	for _, p := range parties {
		if !has[p] {
			evs := byParty[p]
			add(name(evs[len(evs)-1]), "the witness it records is missing: a row was deleted")
		}
	}

	// The key history: each key came with the event that registered or set
	// it, and the current key is the row's.
	keys, err := r.WitnessKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		rec := fmt.Sprintf("witness key of %s since %s", k.Party, k.Since.Format(time.RFC3339Nano))
		if !slices.ContainsFunc(byParty[k.Party], func(e center.Event) bool {
			return e.Type != center.WitnessMoved && e.At.Equal(k.Since)
		}) {
			add(rec, "no event records it: it was written outside the write path")
		}
		if k.Until.IsZero() {
			if i := slices.IndexFunc(ws, func(w store.Witness) bool { return w.Party == k.Party }); i < 0 || ws[i].VKey != k.VKey {
				add(rec, "is the current key of %s in the key history, but not of its witness", k.Party)
			}
		}
	}
	for _, p := range parties {
		for _, e := range byParty[p] {
			if e.Type == center.WitnessMoved {
				continue
			}
			if !slices.ContainsFunc(keys, func(k store.WitnessKey) bool { return k.Party == p && k.Since.Equal(e.At) }) {
				add(name(e), "the witness key it records is missing from the key history")
			}
		}
	}

	// The quorum: what the latest amendment set. Without one it is the
	// charter's, which center.founded committed to as a whole.
	if len(quorums) > 0 {
		v, err := r.Meta(ctx, record.MetaWitnessQuorum)
		if err != nil {
			return err
		}
		q, err := strconv.Atoi(v)
		if err != nil {
			add("witness quorum", "%q is not a count", v)
		} else {
			digest("witness quorum", quorums[len(quorums)-1], quorumContent(q))
		}
	}
	return nil
}

// mapsInOrder returns m's values in the order of keys.
func mapsInOrder[K comparable, V any](m map[K]V, keys []K) []V {
	out := make([]V, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func record2(salt, content []byte) []byte { return record.Commitment(salt, content) }

func readRotation(ctx context.Context, r store.Reader) (govern.Rotation, error) {
	g, err := record.ReadGovernance(ctx, r)
	return g.Rotation, err
}
