package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

type proposeRequest struct {
	Body struct {
		Kind      string            `json:"kind" enum:"add_member,add_associate,remove_party,set_order,set_term,set_committee,set_witness,set_witness_quorum" doc:"What the amendment changes."`
		Party     string            `json:"party,omitempty" doc:"add_member, add_associate, remove_party, set_witness: the party's code." example:"JO"`
		Names     map[string]string `json:"names,omitempty" doc:"add_*, set_committee: names per language (ar, fa, ru, en)."`
		Order     []string          `json:"order,omitempty" doc:"set_order: every member party, in the new order."`
		Months    int               `json:"months,omitempty" doc:"set_term: the new term length in months."`
		Committee string            `json:"committee,omitempty" doc:"set_committee: the committee's code."`
		Members   []string          `json:"members,omitempty" doc:"set_committee: its parties; none removes it."`
		VKey      string            `json:"vkey,omitempty" doc:"set_witness: the party's new witness key, a c2sp.org/tlog-cosignature verifier key." example:"witness/JO+63b339f0+BNEB/us08gQoGZDQUB/ppqVjbdbGAZs8vkXoSZY7Fflv"`
		URL       string            `json:"url,omitempty" doc:"set_witness: the witness's URL, without /add-checkpoint." example:"https://witness.example.jo"`
		Quorum    int               `json:"quorum,omitempty" doc:"set_witness_quorum: how many parties' witnesses must cosign a log checkpoint; 0 restores the default, ⌊2n/3⌋+1 of the n members." minimum:"0"`
	}
}

type amendmentResponse struct {
	Location string `header:"Location"`
	Body     amendmentView
}

// proposeAmendment records a proposal by an officer of a member party.
func (s *Server) proposeAmendment(ctx context.Context, in *proposeRequest) (*amendmentResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	a, err := s.recorder.ProposeAmendment(ctx, who, govern.Amendment{
		Kind: govern.AmendmentKind(b.Kind), Party: b.Party, Names: b.Names, Order: b.Order,
		Months: b.Months, Committee: b.Committee, Members: b.Members,
		VKey: b.VKey, URL: b.URL, Quorum: b.Quorum,
	})
	if err != nil {
		return nil, err
	}
	return s.amendmentResponse(ctx, a)
}

func (s *Server) amendmentResponse(ctx context.Context, a govern.Amendment) (*amendmentResponse, error) {
	g, err := record.ReadGovernance(ctx, s.store)
	if err != nil {
		return nil, err
	}
	return &amendmentResponse{
		Location: amendmentsPath + "/" + a.ID,
		Body:     viewAmendment(a, g.Members(), s.clock.Now()),
	}, nil
}

const amendmentsPath = "/api/v1/governance/amendments"
