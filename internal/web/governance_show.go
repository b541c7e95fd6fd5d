package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

// scheduleLength is how many terms after the current one the rotation
// calendar lists.
const scheduleLength = 8

// governanceView is the administration: the rotation calendar, the
// amendments and the chair's bulletins.
type governanceView struct {
	Terms      []termRow
	TermMonths string
	Amendments []amendmentRow
	Bulletins  []bulletinRow
	Officer    bool
	// Chair: the user is an officer of the chairing party, who may publish
	// bulletins.
	Chair    bool
	Bulletin bulletinForm
	// Member: the user is an officer of a member party, who may propose
	// amendments.
	Member   bool
	Proposal proposalForm
	Kinds    []choice
	Parties  []partyOption
}

// bulletinForm is the form of a new bulletin, with its errors.
type bulletinForm struct {
	Title, Body string
	Errors      map[string]template.HTML
}

type termRow struct {
	Party       string
	From, Until string
	FromISO     string
	Current     bool
	SolarFrom   string
	SolarUntil  string
}

type amendmentRow struct {
	ID       string
	Kind     string
	Detail   string
	Proposer string
	Proposed string
	Expires  string
	Status   string
	Open     bool
	Approved []string
	Awaiting []string
	// CanVote: the user is an officer of a party whose vote is awaited.
	CanVote bool
}

type bulletinRow struct {
	Title, Body, Party, Published, PublishedISO string
}

// showGovernance shows the rotation of the chair, the amendments with
// approve and reject for officers whose party's vote is awaited, and the
// bulletins.
func (s *Server) showGovernance(w http.ResponseWriter, r *http.Request, v *visit) error {
	return s.renderGovernance(w, r, v, http.StatusOK, bulletinForm{}, proposalForm{})
}

// renderGovernance renders the governance page with a bulletin form as
// given, and the amendment proposal form.
func (s *Server) renderGovernance(w http.ResponseWriter, r *http.Request, v *visit, status int, form bulletinForm, proposal proposalForm) error {
	ctx := r.Context()
	g, err := record.ReadGovernance(ctx, s.store)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	cur, next, err := govern.Schedule(g.Rotation, g.Acts, now, scheduleLength)
	if err != nil {
		return err
	}
	l := v.L
	view := governanceView{TermMonths: l.N("governance.term_months", g.TermMonths()), Officer: v.who.IsOfficer(),
		Chair: v.who.IsOfficer() && cur.Party == string(v.party()), Bulletin: form,
		Member:   v.who.IsOfficer() && slices.Contains(g.Members(), string(v.party())),
		Proposal: proposal, Kinds: kindOptions(l, proposal.Kind), Parties: memberOptions(g.Directory, l, proposal.Members)}
	term := func(t govern.Term, current bool) termRow {
		row := termRow{Party: partyName(g.Directory, l, center.PartyCode(t.Party)), From: l.Date(t.Start), Until: l.Date(t.End), FromISO: ISO(t.Start), Current: current}
		return row
	}
	if cur.Party != "" {
		view.Terms = append(view.Terms, term(cur, true))
	}
	for _, t := range next {
		view.Terms = append(view.Terms, term(t, false))
	}
	members := g.Members()
	for _, a := range g.Amendments {
		st := a.Status(members, now)
		row := amendmentRow{
			ID: a.ID, Kind: l.T("amendment.kind." + string(a.Kind)), Detail: amendmentDetail(a, g.Directory, l),
			Proposer: partyName(g.Directory, l, center.PartyCode(a.Proposer)),
			Proposed: l.Date(a.ProposedAt), Expires: l.Date(a.ProposedAt.Add(govern.ProposalLifetime)),
			Status: l.T("amendment.status." + string(st)), Open: st == govern.Open,
		}
		for _, vote := range a.Votes {
			if vote.Approve {
				row.Approved = append(row.Approved, partyName(g.Directory, l, center.PartyCode(vote.Party)))
			}
		}
		if st == govern.Open {
			for _, p := range a.Voters(members) {
				if !slices.ContainsFunc(a.Votes, func(vt govern.Vote) bool { return vt.Party == p }) {
					row.Awaiting = append(row.Awaiting, partyName(g.Directory, l, center.PartyCode(p)))
					if v.who.IsOfficer() && p == string(v.party()) {
						row.CanVote = true
					}
				}
			}
		}
		view.Amendments = append(view.Amendments, row)
	}
	bs, err := s.store.Bulletins(ctx, 20)
	if err != nil {
		return err
	}
	for _, b := range bs {
		view.Bulletins = append(view.Bulletins, bulletinRow{Title: b.Title, Body: b.Body,
			Party: partyName(g.Directory, l, b.Party), Published: l.DateTime(b.Published), PublishedISO: ISO(b.Published)})
	}
	return s.render(w, r, v, status, "governance", l.T("governance.title"), view)
}

// amendmentDetail says what an amendment changes, in the locale.
func amendmentDetail(a govern.Amendment, dir center.Directory, l *Locale) string {
	names := func(codes []string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = partyName(dir, l, center.PartyCode(c))
		}
		return strings.Join(out, l.T("list.sep"))
	}
	switch a.Kind {
	case govern.AddMemberAmendment, govern.AddAssociateAmendment:
		return center.Names(a.Names).In(l.Lang)
	case govern.RemovePartyAmendment, govern.SetWitnessAmendment:
		return partyName(dir, l, center.PartyCode(a.Party))
	case govern.SetOrderAmendment:
		return names(a.Order)
	case govern.SetTermAmendment:
		return l.N("governance.term_months", a.Months)
	case govern.SetCommitteeAmendment:
		return names(a.Members)
	case govern.SetWitnessQuorumAmendment:
		return l.Num(a.Quorum)
	}
	return ""
}
