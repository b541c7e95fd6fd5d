package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/store"
)

// metaRotation holds the charter's rotation, as JSON.
const metaRotation = "rotation"

// RotationOf converts a charter's rotation into govern's terms.
func RotationOf(ch center.Charter) govern.Rotation {
	order := make([]string, len(ch.Rotation.Order))
	for i, p := range ch.Rotation.Order {
		order[i] = string(p)
	}
	return govern.Rotation{
		Order: order, FirstChair: string(ch.Rotation.FirstChair), Start: ch.Rotation.Start.UTC(),
		TermMonths: ch.Rotation.TermMonths, MaxTermMonths: ch.Rotation.MaxTermMonths,
	}
}

// Governance is the state of the center's administration, as recorded.
type Governance struct {
	Rotation   govern.Rotation
	Acts       []govern.Act
	Amendments []govern.Amendment
	Directory  center.Directory
}

// Members returns the codes of the current member parties.
func (g Governance) Members() []string { return codes(g.Directory.Members()) }

// TermMonths is the length of terms that start from now on: the
// charter's, as the last approved amendment set it.
func (g Governance) TermMonths() int {
	m := g.Rotation.TermMonths
	for _, a := range g.Acts {
		if a.Kind == govern.SetTerm {
			m = a.Months
		}
	}
	return m
}

// Chair returns the term that holds at time at.
func (g Governance) Chair(at time.Time) (govern.Term, error) {
	return govern.ChairAt(g.Rotation, g.Acts, at)
}

// ReadGovernance reads the administration's state from r.
func ReadGovernance(ctx context.Context, r store.Reader) (Governance, error) {
	var g Governance
	var err error
	if g.Rotation, g.Acts, g.Directory, err = readRotationState(ctx, r); err != nil {
		return g, err
	}
	g.Amendments, err = r.Amendments(ctx)
	return g, err
}

// rotationSource is what both a transaction and the read pool offer to
// read the rotation's state.
type rotationSource interface {
	Meta(ctx context.Context, key string) (string, error)
	RotationActs(ctx context.Context) ([]govern.Act, error)
	Directory(ctx context.Context) (center.Directory, error)
}

func readRotationState(ctx context.Context, src rotationSource) (govern.Rotation, []govern.Act, center.Directory, error) {
	rot, err := readRotation(ctx, src.Meta)
	if err != nil {
		return rot, nil, center.Directory{}, err
	}
	acts, err := src.RotationActs(ctx)
	if err != nil {
		return rot, nil, center.Directory{}, err
	}
	dir, err := src.Directory(ctx)
	return rot, acts, dir, err
}

func readRotation(ctx context.Context, meta func(context.Context, string) (string, error)) (govern.Rotation, error) {
	var rot govern.Rotation
	v, err := meta(ctx, metaRotation)
	if err != nil {
		return rot, err
	}
	if v == "" {
		return rot, fmt.Errorf("record: the center has no rotation: %w", center.ErrNotFound)
	}
	if err := json.Unmarshal([]byte(v), &rot); err != nil {
		return rot, fmt.Errorf("record: rotation: %w", err)
	}
	return rot, nil
}

// NotChairError is returned when someone other than the chair's officers
// tries a chair power. It names the chair and when its term ends, so the
// caller knows whom to ask and until when.
type NotChairError struct {
	Chair center.PartyCode
	Until time.Time
}

func (e *NotChairError) Error() string {
	return fmt.Sprintf("only officers of the chair party %s may do this; %s chairs until %s",
		e.Chair, e.Chair, e.Until.Format(time.DateOnly))
}

// Is makes a NotChairError an ErrForbidden.
func (e *NotChairError) Is(target error) bool { return target == center.ErrForbidden }

// PublicDetail is the message to show the caller.
func (e *NotChairError) PublicDetail() string { return e.Error() }

// governTx is what the governance methods read inside a transaction.
type governTx struct {
	rot  govern.Rotation
	acts []govern.Act
	dir  center.Directory
	term govern.Term
	// The log's witness policy: the registered witnesses, every key they
	// have had, and the quorum (0: the default).
	witnesses []store.Witness
	keys      []store.WitnessKey
	quorum    int
}

func (r *Recorder) loadGovernance(ctx context.Context, tx store.Tx, at time.Time) (governTx, error) {
	var g governTx
	var err error
	if g.rot, g.acts, g.dir, err = readRotationState(ctx, tx); err != nil {
		return g, err
	}
	g.term, err = govern.ChairAt(g.rot, g.acts, at)
	if errors.Is(err, govern.ErrNotStarted) {
		// Governance by amendment goes on before the first term; only
		// chair powers wait for it (requireChairOfficer refuses them).
		err = nil
	}
	if err != nil {
		return g, err
	}
	if g.witnesses, err = tx.Witnesses(ctx); err != nil {
		return g, err
	}
	if g.keys, err = tx.WitnessKeys(ctx); err != nil {
		return g, err
	}
	g.quorum, err = readQuorum(ctx, tx.Meta)
	return g, err
}

// readQuorum reads the witness quorum as recorded; absent is 0.
func readQuorum(ctx context.Context, meta func(context.Context, string) (string, error)) (int, error) {
	v, err := meta(ctx, MetaWitnessQuorum)
	if err != nil || v == "" {
		return 0, err
	}
	q, err := strconv.Atoi(v)
	if err != nil || q < 0 {
		return 0, fmt.Errorf("record: witness quorum %q in the database is not a count", v)
	}
	return q, nil
}

// requireChairOfficer checks that who is an officer of the chair party.
// Before the rotation starts (term is zero) nobody holds chair powers.
func requireChairOfficer(who center.Principal, term govern.Term) error {
	if term.Party == "" {
		return center.Refuse(center.ErrForbidden, "the rotation has not started; until its first term no party holds chair powers")
	}
	if !who.IsOfficer() || string(who.Party()) != term.Party {
		return &NotChairError{Chair: center.PartyCode(term.Party), Until: term.End}
	}
	return nil
}

// asChair loads the administration's state inside tx and checks that who
// holds chair powers now: the first step of every chair power's write.
func (r *Recorder) asChair(ctx context.Context, tx store.Tx, who center.Principal, now time.Time) (governTx, error) {
	g, err := r.loadGovernance(ctx, tx, now)
	if err != nil {
		return g, err
	}
	return g, requireChairOfficer(who, g.term)
}

// RequireChair returns nil if who is an officer of the party chairing now,
// else a *NotChairError. Every chair power asks it first.
func (r *Recorder) RequireChair(ctx context.Context, who center.Principal) error {
	g, err := ReadGovernance(ctx, r.store)
	if err != nil {
		return err
	}
	term, err := g.Chair(r.now())
	if err != nil && !errors.Is(err, govern.ErrNotStarted) {
		return err
	}
	return requireChairOfficer(who, term)
}

// HandOver ends the chair's term early: the next party in order takes over
// at the next 00:00 UTC. Only the chair's officers may.
func (r *Recorder) HandOver(ctx context.Context, who center.Principal) (govern.Term, error) {
	var next govern.Term
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		g, err := r.asChair(ctx, tx, who, now)
		if err != nil {
			return err
		}
		act := govern.Act{Kind: govern.Handover, At: now, Party: g.term.Party}
		terms, err := govern.Timeline(g.rot, append(g.acts, act), govern.NextMidnight(now).Add(time.Nanosecond))
		if err != nil {
			return governRefusal(center.ErrConflict, "handover refused: ", err)
		}
		next = terms[len(terms)-1]
		if err := tx.AppendRotationAct(ctx, act); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.ChairHandedOver, Party: who.Party(), User: who.User.Username, At: now, Subject: "rotation"}, act)
	})
	return next, err
}

// ProposeAmendment records a proposal by a member party's officer. The
// proposal is checked against the roster and the rotation as they stand.
func (r *Recorder) ProposeAmendment(ctx context.Context, who center.Principal, a govern.Amendment) (govern.Amendment, error) {
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		g, err := r.asMemberOfficer(ctx, tx, who, now)
		if err != nil {
			return err
		}
		a = govern.Amendment{
			ID: "amendment--" + uuid.NewString(), Kind: a.Kind, Proposer: string(who.Party()), ProposedAt: now,
			Party: a.Party, Names: a.Names, Order: a.Order, Months: a.Months, Committee: a.Committee, Members: a.Members,
			VKey: strings.TrimSpace(a.VKey), URL: strings.TrimSpace(a.URL), Quorum: a.Quorum,
			Votes: []govern.Vote{},
		}
		if err := checkAmendment(a, g, now); err != nil {
			return err
		}
		if err := tx.PutAmendment(ctx, a); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.AmendmentProposed, Party: who.Party(), User: who.User.Username, At: now, Subject: a.ID}, a)
	})
	return a, err
}

// VoteOnAmendment records a member party's approval or rejection. The vote
// that completes the approvals also applies the amendment, in the same
// transaction.
func (r *Recorder) VoteOnAmendment(ctx context.Context, who center.Principal, id string, approve bool) (govern.Amendment, error) {
	var out govern.Amendment
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		g, err := r.asMemberOfficer(ctx, tx, who, now)
		if err != nil {
			return err
		}
		a, err := tx.Amendment(ctx, id)
		if err != nil {
			return err
		}
		members := codes(g.dir.Members())
		a, err = govern.CastVote(a, members, string(who.Party()), approve, now)
		if err != nil {
			return voteError(err, who.Party())
		}
		if err := tx.PutAmendment(ctx, a); err != nil {
			return err
		}
		ev := center.Event{Party: who.Party(), User: who.User.Username, At: now, Subject: a.ID}
		ev.Type = center.AmendmentVoted
		if err := appendEvent(ctx, tx, ev, a.Votes[len(a.Votes)-1]); err != nil {
			return err
		}
		out = a
		switch a.Status(members, now) {
		case govern.Rejected:
			ev.Type = center.AmendmentRejected
			return appendEvent(ctx, tx, ev, a.Undecided())
		case govern.Approved:
			if err := checkAmendment(a, g, now); err != nil {
				return governRefusal(center.ErrConflict, "the amendment can no longer take effect: ", err)
			}
			if err := r.applyAmendment(ctx, tx, a, now); err != nil {
				return err
			}
			ev.Type = center.AmendmentApproved
			return appendEvent(ctx, tx, ev, a.Undecided())
		}
		return nil
	})
	return out, err
}

// asMemberOfficer loads the administration's state inside tx and checks
// that who is an officer of a member party: the first step of proposing
// and voting.
func (r *Recorder) asMemberOfficer(ctx context.Context, tx store.Tx, who center.Principal, now time.Time) (governTx, error) {
	g, err := r.loadGovernance(ctx, tx, now)
	if err != nil {
		return g, err
	}
	return g, requireMemberOfficer(who, g.dir)
}

func requireMemberOfficer(who center.Principal, dir center.Directory) error {
	if !who.IsOfficer() {
		return center.Refuse(center.ErrForbidden, "only officers act for their party in governance")
	}
	if !slices.Contains(dir.Members(), who.Party()) {
		return center.Refuse(center.ErrForbidden, "only member parties propose and vote on amendments; %s is not a member", who.Party())
	}
	return nil
}

// voteError words govern's refusal of a vote for the caller.
func voteError(err error, party center.PartyCode) error {
	switch {
	case errors.Is(err, govern.ErrAlreadyVoted):
		return center.Refuse(center.ErrConflict, "%s has already voted on this amendment", party)
	case errors.Is(err, govern.ErrDecided):
		return center.Refuse(center.ErrConflict, "the amendment is no longer open")
	case errors.Is(err, govern.ErrNotVoter):
		return center.Refuse(center.ErrForbidden, "%s does not vote on this amendment", party)
	case errors.Is(err, govern.ErrNotMember):
		return center.Refuse(center.ErrForbidden, "only member parties propose and vote on amendments; %s is not a member", party)
	default:
		return center.Refuse(center.ErrForbidden, "%s", strip(err))
	}
}

// governRefusal is govern's refusal err as a *center.Refusal of kind,
// its reason after prefix. A rule of the rotation that err breaks (a
// *govern.Error) keeps its own message's format and arguments, so that an
// interface can say it in its user's language.
func governRefusal(kind error, prefix string, err error) error {
	var ge *govern.Error
	if errors.As(err, &ge) {
		return &center.Refusal{Kind: kind, Reason: prefix + ge.Error(), Format: ge.Format, Args: ge.Args}
	}
	return center.Refuse(kind, "%s", prefix+strip(err))
}

// governInvalid is govern's refusal err of a field as a
// *center.InvalidError, keeping the message's format like governRefusal.
func governInvalid(field string, err error) error {
	var ge *govern.Error
	if errors.As(err, &ge) {
		return &center.InvalidError{Fields: []center.FieldError{{Field: field, Message: ge.Error(), Format: ge.Format, Args: ge.Args}}}
	}
	return center.Invalid(field, "%s", strip(err))
}

// strip drops govern's package prefix from a message meant for a caller.
func strip(err error) string { return strings.TrimPrefix(err.Error(), "govern: ") }

// rotationAct returns the act an amendment makes on the rotation at time at,
// if any.
func rotationAct(a govern.Amendment, dir center.Directory, at time.Time) (govern.Act, bool) {
	switch a.Kind {
	case govern.AddMemberAmendment:
		return govern.Act{Kind: govern.AddMember, At: at, Party: a.Party}, true
	case govern.RemovePartyAmendment:
		if p, ok := dir.Party(center.PartyCode(a.Party)); ok && p.Kind == center.Member {
			return govern.Act{Kind: govern.RemoveMember, At: at, Party: a.Party}, true
		}
	case govern.SetOrderAmendment:
		return govern.Act{Kind: govern.SetOrder, At: at, Order: a.Order}, true
	case govern.SetTermAmendment:
		return govern.Act{Kind: govern.SetTerm, At: at, Months: a.Months}, true
	}
	return govern.Act{}, false
}

// checkAmendment checks an amendment against the roster and, by replaying
// it, against the rotation's rules.
func checkAmendment(a govern.Amendment, g governTx, at time.Time) error {
	switch a.Kind {
	case govern.AddMemberAmendment, govern.AddAssociateAmendment:
		kind := center.Member
		if a.Kind == govern.AddAssociateAmendment {
			kind = center.Associate
		}
		p := center.Party{Code: center.PartyCode(a.Party), Kind: kind, Names: a.Names}
		if err := p.Validate(); err != nil {
			return err
		}
		if _, ok := g.dir.Party(p.Code); ok {
			return center.Invalid("party", "party %s already takes part", p.Code)
		}
	case govern.RemovePartyAmendment:
		if _, ok := g.dir.Party(center.PartyCode(a.Party)); !ok {
			return center.Invalid("party", "unknown party %q", a.Party)
		}
		// A quorum the remaining parties could not meet would stop the
		// log's checkpoints from being published.
		if left := len(g.dir.Parties) - 1; g.quorum > left {
			return center.Invalid("party", "removing %s would leave %d parties for a witness quorum of %d; lower the quorum first (set_witness_quorum)", a.Party, left, g.quorum)
		}
	case govern.SetOrderAmendment:
		if len(a.Order) == 0 {
			return center.Invalid("order", "the new order is required")
		}
	case govern.SetTermAmendment:
		if a.Months < 1 || a.Months > g.rot.MaxTermMonths {
			return center.Invalid("months", "term of %d months is outside 1..%d", a.Months, g.rot.MaxTermMonths)
		}
	case govern.SetCommitteeAmendment:
		if !center.ValidCommitteeCode(a.Committee) {
			return center.Invalid("committee", "committee code %q must be 1-40 characters of a-z, 0-9 and '-'", a.Committee)
		}
		existing, exists := g.dir.Committee(a.Committee)
		if !exists && len(a.Members) == 0 {
			return center.Invalid("members", "a new committee needs members")
		}
		names := a.Names
		if names == nil {
			names = existing.Names
		}
		dir := g.dir
		dir.Committees = slices.DeleteFunc(slices.Clone(dir.Committees), func(c center.Committee) bool { return c.Code == a.Committee })
		if len(a.Members) > 0 {
			dir.Committees = append(dir.Committees, center.Committee{Code: a.Committee, Names: names, Members: partyCodes(a.Members)})
		}
		if err := dir.Validate(); err != nil {
			return err
		}
	case govern.SetWitnessAmendment:
		w := store.Witness{Party: center.PartyCode(a.Party), VKey: a.VKey, URL: a.URL}
		if err := checkWitness(w, g.dir, g.keys); err != nil {
			return err
		}
		if old, ok := witnessOf(g.witnesses, w.Party); ok && old.VKey == w.VKey {
			return center.Invalid("vkey", "the witness of %s already has this key; to move it to another URL, its operator registers it again", w.Party)
		}
	case govern.SetWitnessQuorumAmendment:
		if n := len(g.dir.Members()); a.Quorum < 0 || a.Quorum > n {
			return center.Invalid("quorum", "a witness quorum of %d is outside 0..%d, the number of member parties (0: the default, ⌊2n/3⌋+1 of them)", a.Quorum, n)
		}
		if a.Quorum == g.quorum {
			return center.Invalid("quorum", "the witness quorum is already %d; the amendment would change nothing", a.Quorum)
		}
	default:
		return center.Invalid("kind", "unknown amendment kind %q", a.Kind)
	}
	if act, ok := rotationAct(a, g.dir, at); ok {
		if _, err := govern.Timeline(g.rot, append(slices.Clone(g.acts), act), govern.AddMonths(at, 2*govern.MaxTermMonths)); err != nil {
			return governInvalid("kind", err)
		}
	}
	return nil
}

// applyAmendment makes an approved amendment's change.
func (r *Recorder) applyAmendment(ctx context.Context, tx store.Tx, a govern.Amendment, at time.Time) error {
	dir, err := tx.Directory(ctx)
	if err != nil {
		return err
	}
	if act, ok := rotationAct(a, dir, at); ok {
		if err := tx.AppendRotationAct(ctx, act); err != nil {
			return err
		}
	}
	switch a.Kind {
	case govern.AddMemberAmendment, govern.AddAssociateAmendment:
		kind := center.Member
		if a.Kind == govern.AddAssociateAmendment {
			kind = center.Associate
		}
		p := center.Party{Code: center.PartyCode(a.Party), Kind: kind, Names: a.Names}
		if err := tx.InsertParty(ctx, p); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.PartyAdded, At: at, Subject: a.Party}, p)
	case govern.RemovePartyAmendment:
		if err := tx.RemoveParty(ctx, center.PartyCode(a.Party), at); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.PartyRemoved, At: at, Subject: a.Party}, a.Party)
	case govern.SetCommitteeAmendment:
		existing, _ := dir.Committee(a.Committee)
		names := a.Names
		if names == nil {
			names = existing.Names
		}
		c := center.Committee{Code: a.Committee, Names: names, Members: partyCodes(a.Members)}
		if err := tx.SetCommittee(ctx, c); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.CommitteeChanged, At: at, Subject: a.Committee}, c)
	case govern.SetWitnessAmendment:
		return putWitness(ctx, tx, center.WitnessSet, store.Witness{Party: center.PartyCode(a.Party), VKey: a.VKey, URL: a.URL}, at)
	case govern.SetWitnessQuorumAmendment:
		return setQuorum(ctx, tx, a.Quorum, at)
	}
	return nil
}

func codes(ps []center.PartyCode) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func partyCodes(ss []string) []center.PartyCode {
	out := make([]center.PartyCode, len(ss))
	for i, s := range ss {
		out[i] = center.PartyCode(s)
	}
	return out
}
