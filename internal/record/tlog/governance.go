package tlog

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

// This file holds what the two audits share: the operator's, from the
// database ([Check]), and a party's, from a live center's API
// ([AuditParty]). Each says once what content an entry commits to, which
// acts on the rotation the logged governance entries made, and how the
// rotation is replayed over them.

// The content each kind of entry commits to, as the write path (package
// record) encodes it with encoding/json. A report version's is
// [ReportContent].

// proposalContent is what a governance.amendment.proposed entry commits
// to: the amendment as proposed, with no votes.
func proposalContent(a govern.Amendment) govern.Amendment {
	a = a.Undecided()
	a.Votes = []govern.Vote{}
	return a
}

// decisionContent is what governance.amendment.approved and .rejected
// entries commit to: the amendment with every vote cast on it.
func decisionContent(a govern.Amendment) govern.Amendment { return a.Undecided() }

// revocationContent is what a report.revoked entry commits to.
func revocationContent(id string, at time.Time) any {
	return struct {
		ID      string
		Revoked time.Time
	}{id, at}
}

// purgeContent is what a report.purged entry commits to.
func purgeContent(id string, at time.Time) any {
	return struct {
		ID     string
		Purged time.Time
	}{id, at}
}

// witnessContent is what the witness.registered, .moved and .set entries
// commit to.
func witnessContent(party center.PartyCode, vkey, url string) any {
	return struct {
		Party     center.PartyCode
		VKey, URL string
	}{party, vkey, url}
}

// quorumContent is what a witness.quorum.set entry commits to.
func quorumContent(q int) any { return struct{ Quorum int }{q} }

// commits reports whether digest is the commitment to content with salt.
func commits(digest, salt []byte, content any) (bool, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return false, fmt.Errorf("tlog: encode content: %w", err)
	}
	return string(record.Commitment(salt, b)) == string(digest), nil
}

// rotationActs returns the acts on the rotation that the governance
// entries made, in log order: each governance.handover entry's, and the act
// each approved amendment made as it took effect, at its approval — the
// rule of the write path (record's rotationAct): add_member adds a member,
// set_order and set_term change the order and the term, and remove_party
// removes a party from the rotation if it was a member then. Who was a
// member follows from the rotation as founded (its order lists exactly the
// founding members) and the amendments approved before. amendments maps
// ids to amendments; an approval of an amendment not in it makes no act
// (the caller names it).
func rotationActs(rot govern.Rotation, entries []Entry, amendments map[string]govern.Amendment) []govern.Act {
	members := map[string]bool{}
	for _, p := range rot.Order {
		members[p] = true
	}
	var acts []govern.Act
	for _, e := range entries {
		switch e.Type {
		case center.ChairHandedOver:
			acts = append(acts, govern.Act{Kind: govern.Handover, At: e.At, Party: string(e.Party)})
		case center.AmendmentApproved:
			a, ok := amendments[e.Subject]
			if !ok {
				continue
			}
			switch a.Kind {
			case govern.AddMemberAmendment:
				members[a.Party] = true
				acts = append(acts, govern.Act{Kind: govern.AddMember, At: e.At, Party: a.Party})
			case govern.RemovePartyAmendment:
				if members[a.Party] {
					delete(members, a.Party)
					acts = append(acts, govern.Act{Kind: govern.RemoveMember, At: e.At, Party: a.Party})
				}
			case govern.SetOrderAmendment:
				acts = append(acts, govern.Act{Kind: govern.SetOrder, At: e.At, Order: a.Order})
			case govern.SetTermAmendment:
				acts = append(acts, govern.Act{Kind: govern.SetTerm, At: e.At, Months: a.Months})
			}
		}
	}
	return acts
}

// sameAct reports whether two acts are the same change at the same time.
func sameAct(a, b govern.Act) bool {
	return a.Kind == b.Kind && a.At.Equal(b.At) && a.Party == b.Party && slices.Equal(a.Order, b.Order) && a.Months == b.Months
}

// checkRotation replays the rotation over acts as the center does
// (govern.Timeline) and checks that the rules accept them, and that each
// handover entry was made by the party chairing when it was made, as the
// acts before it have the rotation stand.
func checkRotation(rot govern.Rotation, acts []govern.Act, handovers []Entry, name func(Entry) string, add func(string, string, ...any)) {
	if _, err := govern.Timeline(rot, acts, govern.AddMonths(latestAct(acts, rot.Start), 2*govern.MaxTermMonths)); err != nil {
		add("rotation", "the recorded acts break the rotation rules: %v", err)
	}
	for _, e := range handovers {
		var before []govern.Act
		for _, a := range acts {
			if a.At.Before(e.At) {
				before = append(before, a)
			}
		}
		term, err := govern.ChairAt(rot, before, e.At)
		if err != nil {
			add(name(e), "the rotation cannot be replayed to it: %v", err)
		} else if term.Party != string(e.Party) {
			add(name(e), "a handover by %s while %s held the chair", e.Party, term.Party)
		}
	}
}

func latestAct(acts []govern.Act, start time.Time) time.Time {
	t := start
	for _, a := range acts {
		if a.At.After(t) {
			t = a.At
		}
	}
	return t
}

// checkWitnessHistory checks each party's witness entries in log order: a
// witness is registered once, first; after that the operator may only move
// it, and only an amendment sets a new key.
func checkWitnessHistory(entries []Entry, name func(Entry) string, add func(string, string, ...any)) {
	seen := map[string]bool{}
	for _, e := range entries {
		switch e.Type {
		case center.WitnessRegistered:
			if seen[e.Subject] {
				add(name(e), "registers a witness for %s, which already had one: a new key takes an amendment (set_witness)", e.Subject)
			}
		case center.WitnessMoved:
			if !seen[e.Subject] {
				add(name(e), "moves a witness of %s that was never registered", e.Subject)
			}
		case center.WitnessSet:
		default:
			continue
		}
		seen[e.Subject] = true
	}
}
