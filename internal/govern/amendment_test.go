package govern

import (
	"errors"
	"testing"
	"time"
)

func TestAmendmentVoting(t *testing.T) {
	members := []string{"IQ", "SY", "IR", "RU"}
	t0 := day("2027-01-10")
	add := Amendment{ID: "a", Kind: AddMemberAmendment, Proposer: "IQ", ProposedAt: t0, Party: "JO"}
	remove := Amendment{ID: "r", Kind: RemovePartyAmendment, Proposer: "IQ", ProposedAt: t0, Party: "SY"}
	type vote struct {
		party   string
		approve bool
		after   time.Duration
		wantErr error
	}
	tests := []struct {
		name  string
		a     Amendment
		votes []vote
		want  Status
	}{
		{"open until all approve", add, []vote{{"IQ", true, 0, nil}, {"SY", true, 0, nil}, {"IR", true, 0, nil}}, Open},
		{"approved by all", add, []vote{{"IQ", true, 0, nil}, {"SY", true, 0, nil}, {"IR", true, 0, nil}, {"RU", true, 0, nil}}, Approved},
		{"one rejection ends it", add, []vote{{"IQ", true, 0, nil}, {"SY", false, 0, nil}, {"IR", true, 0, ErrDecided}}, Rejected},
		{"double vote", add, []vote{{"IQ", true, 0, nil}, {"IQ", true, 0, ErrAlreadyVoted}}, Open},
		{"associate cannot vote", add, []vote{{"JO", true, 0, ErrNotMember}}, Open},
		{"expires after 30 days", add, []vote{{"IQ", true, 0, nil}, {"SY", true, 31 * 24 * time.Hour, ErrDecided}}, Expired},
		{"removal needs all others", remove, []vote{{"IQ", true, 0, nil}, {"IR", true, 0, nil}, {"RU", true, 0, nil}}, Approved},
		{"the removed party does not vote", remove, []vote{{"SY", false, 0, ErrNotVoter}}, Open},
		{"decided amendments take no votes", remove, []vote{{"IQ", true, 0, nil}, {"IR", true, 0, nil}, {"RU", true, 0, nil}, {"RU", true, 0, ErrDecided}}, Approved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			at := t0
			for _, v := range tt.votes {
				at = at.Add(v.after + time.Minute)
				got, err := CastVote(a, members, v.party, v.approve, at)
				if !errors.Is(err, v.wantErr) {
					t.Fatalf("vote by %s: %v, want %v", v.party, err, v.wantErr)
				}
				if err == nil {
					a = got
				} else if len(got.Votes) != len(a.Votes) {
					t.Fatal("a refused vote changed the amendment")
				}
			}
			if st := a.Status(members, at); st != tt.want {
				t.Errorf("status = %s, want %s", st, tt.want)
			}
		})
	}
}
