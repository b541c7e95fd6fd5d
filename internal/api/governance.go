package api

import (
	"slices"
	"time"

	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

// termView is one term in the chair.
type termView struct {
	Party     string    `json:"party" doc:"The chairing party's code." example:"IQ"`
	TermStart time.Time `json:"term_start" doc:"First instant of the term, 00:00 UTC."`
	TermEnd   time.Time `json:"term_end" doc:"First instant after the term, 00:00 UTC."`
	Early     bool      `json:"early,omitempty" doc:"The term ended before its full length, by a handover or the chair's removal."`
}

func viewTerm(t govern.Term) termView {
	return termView{Party: t.Party, TermStart: t.Start, TermEnd: t.End, Early: t.Early}
}

// rotationView is the charter's rule for the chair, as amended. Order and
// CharterTermMonths, with the fields no amendment changes, are the
// rotation as founded: a party replays every term from them and the
// logged acts (tabadul verify --url --audit).
type rotationView struct {
	FirstChair        string    `json:"first_chair"`
	Start             time.Time `json:"start"`
	TermMonths        int       `json:"term_months" doc:"Term length of the terms that start from now on."`
	MaxTermMonths     int       `json:"max_term_months"`
	Order             []string  `json:"order" doc:"The order in which the members chair, as the charter founded it; approved amendments (set_order, add_member, remove_party) change it from their terms on."`
	CharterTermMonths int       `json:"charter_term_months" doc:"The term length the charter founded; approved set_term amendments change it."`
}

// amendmentView is an amendment with where it stands.
type amendmentView struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind" enum:"add_member,add_associate,remove_party,set_order,set_term,set_committee,set_witness,set_witness_quorum"`
	Proposer   string            `json:"proposer"`
	ProposedAt time.Time         `json:"proposed_at"`
	ExpiresAt  time.Time         `json:"expires_at"`
	Status     string            `json:"status" enum:"open,approved,rejected,expired"`
	Party      string            `json:"party,omitempty"`
	Names      map[string]string `json:"names,omitempty"`
	Order      []string          `json:"order,omitempty"`
	Months     int               `json:"months,omitempty"`
	Committee  string            `json:"committee,omitempty"`
	Members    []string          `json:"members,omitempty"`
	VKey       string            `json:"vkey,omitempty"`
	URL        string            `json:"url,omitempty"`
	Quorum     *int              `json:"quorum,omitempty" doc:"set_witness_quorum (only, where 0 is a value): the new witness quorum; 0 is the default, ⌊2n/3⌋+1 of the n members."`
	Votes      []govern.Vote     `json:"votes"`
	DecidedAt  *time.Time        `json:"decided_at,omitempty" doc:"When the vote that approved or rejected it was cast."`
	// Awaiting lists the member parties whose vote is still needed.
	Awaiting []string `json:"awaiting,omitempty"`
}

func viewAmendment(a govern.Amendment, members []string, now time.Time) amendmentView {
	st := a.Status(members, now)
	v := amendmentView{
		ID: a.ID, Kind: string(a.Kind), Proposer: a.Proposer, ProposedAt: a.ProposedAt,
		ExpiresAt: a.ProposedAt.Add(govern.ProposalLifetime), Status: string(st),
		Party: a.Party, Names: a.Names, Order: a.Order, Months: a.Months, Committee: a.Committee, Members: a.Members,
		VKey: a.VKey, URL: a.URL,
		Votes: a.Votes, DecidedAt: a.DecidedAt,
	}
	if a.Kind == govern.SetWitnessQuorumAmendment {
		q := a.Quorum
		v.Quorum = &q
	}
	if v.Votes == nil {
		v.Votes = []govern.Vote{}
	}
	if st == govern.Open {
		for _, p := range a.Voters(members) {
			if !slices.ContainsFunc(a.Votes, func(v govern.Vote) bool { return v.Party == p }) {
				v.Awaiting = append(v.Awaiting, p)
			}
		}
	}
	return v
}

// governanceView is the administration's state at one moment.
type governanceView struct {
	Now        time.Time       `json:"now" doc:"The server's time the answer holds for."`
	Chair      *termView       `json:"chair" doc:"The chair now; null before the rotation's first term."`
	Schedule   []termView      `json:"schedule" doc:"The next terms, as they stand now."`
	Rotation   rotationView    `json:"rotation"`
	Members    []string        `json:"members" doc:"The member parties, who chair in turn and vote on amendments."`
	Amendments []amendmentView `json:"amendments" doc:"Every amendment, newest first."`
}

// scheduleLength is how many terms after the current one the governance
// view lists.
const scheduleLength = 8

func viewGovernance(g record.Governance, now time.Time) (governanceView, error) {
	cur, next, err := govern.Schedule(g.Rotation, g.Acts, now, scheduleLength)
	if err != nil {
		return governanceView{}, err
	}
	v := governanceView{
		Now: now, Members: g.Members(),
		Rotation: rotationView{FirstChair: g.Rotation.FirstChair, Start: g.Rotation.Start,
			TermMonths: g.TermMonths(), MaxTermMonths: g.Rotation.MaxTermMonths,
			Order: slices.Clone(g.Rotation.Order), CharterTermMonths: g.Rotation.TermMonths},
		Schedule:   make([]termView, len(next)),
		Amendments: make([]amendmentView, len(g.Amendments)),
	}
	if cur.Party != "" {
		c := viewTerm(cur)
		v.Chair = &c
	}
	for i, t := range next {
		v.Schedule[i] = viewTerm(t)
	}
	for i, a := range g.Amendments {
		v.Amendments[i] = viewAmendment(a, v.Members, now)
	}
	return v, nil
}
