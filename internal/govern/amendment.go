package govern

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ProposalLifetime is how long an amendment stays open for votes.
const ProposalLifetime = 30 * 24 * time.Hour

// AmendmentKind names what an amendment changes.
type AmendmentKind string

// What amendments may change.
const (
	AddMemberAmendment    AmendmentKind = "add_member"
	AddAssociateAmendment AmendmentKind = "add_associate"
	RemovePartyAmendment  AmendmentKind = "remove_party"
	SetOrderAmendment     AmendmentKind = "set_order"
	SetTermAmendment      AmendmentKind = "set_term"
	SetCommitteeAmendment AmendmentKind = "set_committee"
	// SetWitnessAmendment replaces a party's transparency-log witness: its
	// cosignature verifier key and URL.
	SetWitnessAmendment AmendmentKind = "set_witness"
	// SetWitnessQuorumAmendment sets how many parties' witnesses must
	// cosign a log checkpoint; 0 restores the default of ⌊2n/3⌋+1 of the n
	// member parties.
	SetWitnessQuorumAmendment AmendmentKind = "set_witness_quorum"
)

// Status is where an amendment stands.
type Status string

// The statuses of an amendment. Every status but Open is final.
const (
	Open     Status = "open"
	Approved Status = "approved"
	Rejected Status = "rejected"
	Expired  Status = "expired"
)

// A Vote is one member party's decision on an amendment.
type Vote struct {
	Party   string    `json:"party"`
	Approve bool      `json:"approve"`
	At      time.Time `json:"at"`
}

// An Amendment is a proposed change to the charter: the roster, the
// rotation, a committee or the transparency log's witness policy.
type Amendment struct {
	ID         string        `json:"id"`
	Kind       AmendmentKind `json:"kind"`
	Proposer   string        `json:"proposer"` // a member party
	ProposedAt time.Time     `json:"proposed_at"`
	// Party is the party added or removed, or whose witness is set.
	Party string `json:"party,omitempty"`
	// Names are the added party's or committee's names per language.
	Names map[string]string `json:"names,omitempty"`
	// Order is the new rotation order.
	Order []string `json:"order,omitempty"`
	// Months is the new term length.
	Months int `json:"months,omitempty"`
	// Committee and Members set a committee's membership (creating it if
	// new; no members removes it).
	Committee string   `json:"committee,omitempty"`
	Members   []string `json:"members,omitempty"`
	// VKey and URL are the party's new witness (set_witness): its
	// c2sp.org/tlog-cosignature verifier key and its submission prefix.
	VKey string `json:"vkey,omitempty"`
	URL  string `json:"url,omitempty"`
	// Quorum is the new witness quorum (set_witness_quorum); 0 means the
	// default.
	Quorum int    `json:"quorum,omitempty"`
	Votes  []Vote `json:"votes"`
	// Outcome and DecidedAt are set by the vote that decides the
	// amendment, so that its status stays what it was then, whatever the
	// roster becomes: a member added later has not "failed to vote" on
	// what was decided before it joined.
	Outcome   Status     `json:"outcome,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

// Voters returns the member parties whose approval the amendment needs:
// every member, less the party a removal removes.
func (a Amendment) Voters(members []string) []string {
	if a.Kind == RemovePartyAmendment {
		return slices.DeleteFunc(slices.Clone(members), func(p string) bool { return p == a.Party })
	}
	return slices.Clone(members)
}

// Status returns where the amendment stands at time now, given the current
// member parties: rejected by any rejection, approved once every voter has
// approved, expired after ProposalLifetime, else open.
func (a Amendment) Status(members []string, now time.Time) Status {
	if a.Outcome != "" {
		return a.Outcome
	}
	approved := map[string]bool{}
	for _, v := range a.Votes {
		if !v.Approve {
			return Rejected
		}
		approved[v.Party] = true
	}
	voters := a.Voters(members)
	if len(voters) > 0 && !slices.ContainsFunc(voters, func(p string) bool { return !approved[p] }) {
		return Approved
	}
	if !now.Before(a.ProposedAt.Add(ProposalLifetime)) {
		return Expired
	}
	return Open
}

// Errors of voting, for callers to branch on.
var (
	ErrNotMember    = errors.New("govern: only member parties propose and vote")
	ErrAlreadyVoted = errors.New("govern: this party has already voted")
	ErrDecided      = errors.New("govern: the amendment is no longer open")
	ErrNotVoter     = errors.New("govern: this party does not vote on this amendment")
)

// Undecided returns the amendment without its recorded outcome: the
// content its events commit to, which the outcome merely summarizes.
func (a Amendment) Undecided() Amendment {
	a.Outcome, a.DecidedAt = "", nil
	return a
}

// CastVote returns the amendment with party's vote added, after checking
// that party may vote now.
func CastVote(a Amendment, members []string, party string, approve bool, at time.Time) (Amendment, error) {
	if !slices.Contains(members, party) {
		return a, fmt.Errorf("%w: %s", ErrNotMember, party)
	}
	if st := a.Status(members, at); st != Open {
		return a, fmt.Errorf("%w: it is %s", ErrDecided, st)
	}
	if !slices.Contains(a.Voters(members), party) {
		return a, fmt.Errorf("%w: %s", ErrNotVoter, party)
	}
	if slices.ContainsFunc(a.Votes, func(v Vote) bool { return v.Party == party }) {
		return a, fmt.Errorf("%w: %s", ErrAlreadyVoted, party)
	}
	a.Votes = append(slices.Clone(a.Votes), Vote{Party: party, Approve: approve, At: at})
	if st := a.Status(members, at); st == Approved || st == Rejected {
		a.Outcome, a.DecidedAt = st, &at
	}
	return a, nil
}
