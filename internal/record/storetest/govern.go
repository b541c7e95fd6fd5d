package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/testkit"
)

func chairNow(t *testing.T, f *fixture) govern.Term {
	t.Helper()
	g, err := record.ReadGovernance(f.ctx, f.s)
	if err != nil {
		t.Fatal(err)
	}
	term, err := g.Chair(f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return term
}

func testGovernance(t *testing.T, f *fixture) {
	f.found()
	// Before the charter's start date nobody holds chair powers, but the
	// members may already amend.
	start := f.clock.Now()
	f.clock.Set(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	if err := f.rec.RequireChair(f.ctx, testkit.Officer("IQ")); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("RequireChair before the start = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.HandOver(f.ctx, testkit.Officer("IQ")); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("HandOver before the start = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("SY"), govern.Amendment{Kind: govern.SetTermAmendment, Months: 3}); err != nil {
		t.Errorf("proposing before the start: %v", err)
	}
	f.clock.Set(start)
	if term := chairNow(t, f); term.Party != "IQ" || !term.End.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("chair = %+v, want IQ until 2027-03-01", term)
	}
	// Only the chair's officers hold chair powers; the refusal names the chair.
	for _, who := range []center.Principal{testkit.Analyst("IQ"), testkit.Officer("SY"), testkit.Officer("JO")} {
		err := f.rec.RequireChair(f.ctx, who)
		var nc *record.NotChairError
		if !errors.As(err, &nc) || !errors.Is(err, center.ErrForbidden) || nc.Chair != "IQ" {
			t.Errorf("RequireChair(%s) = %v, want NotChairError naming IQ", who.User.Username, err)
		}
	}
	if err := f.rec.RequireChair(f.ctx, testkit.Officer("IQ")); err != nil {
		t.Errorf("RequireChair(iq-officer) = %v", err)
	}
	if _, err := f.rec.PublishBulletin(f.ctx, testkit.Officer("SY"), "t", "b", "en"); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("SY publishing = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.PublishBulletin(f.ctx, testkit.Officer("IQ"), "", "b", "en"); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("empty bulletin = %v, want ErrInvalid", err)
	}
	bul, err := f.rec.PublishBulletin(f.ctx, testkit.Officer("IQ"), " Meeting ", "Next meeting in Baghdad.", "EN")
	if err != nil {
		t.Fatal(err)
	}
	if bs, err := f.s.Bulletins(f.ctx, 10); err != nil || len(bs) != 1 || bs[0].ID != bul.ID || bs[0].Title != "Meeting" ||
		bs[0].Language != "en" || bs[0].Party != "IQ" || !bs[0].Published.Equal(f.clock.Now()) {
		t.Errorf("Bulletins = %+v, %v", bs, err)
	}
	if _, err := f.rec.HandOver(f.ctx, testkit.Officer("SY")); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("SY handing over = %v, want ErrForbidden", err)
	}
	f.clock.Set(time.Date(2027, 1, 15, 14, 0, 0, 0, time.UTC))
	next, err := f.rec.HandOver(f.ctx, testkit.Officer("IQ"))
	if err != nil {
		t.Fatal(err)
	}
	if next.Party != "SY" || !next.Start.Equal(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("handover gives %+v, want SY from 2027-01-16", next)
	}
	if _, err := f.rec.HandOver(f.ctx, testkit.Officer("IQ")); !errors.Is(err, center.ErrConflict) {
		t.Errorf("second handover = %v, want ErrConflict", err)
	}
	f.clock.Set(time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC))
	if term := chairNow(t, f); term.Party != "SY" {
		t.Fatalf("after handover chair = %s, want SY", term.Party)
	}

	// Amendments: any member's officer proposes; all members approve.
	setTerm := govern.Amendment{Kind: govern.SetTermAmendment, Months: 1}
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Analyst("IQ"), setTerm); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("analyst proposing = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("JO"), setTerm); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("associate proposing = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), govern.Amendment{Kind: govern.SetTermAmendment, Months: 4}); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("term over max = %v, want ErrInvalid", err)
	}
	a, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), setTerm)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []center.PartyCode{"IQ", "SY", "IR"} {
		got, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), a.ID, true)
		if err != nil || len(got.Votes) != i+1 {
			t.Fatalf("vote by %s: %v", p, err)
		}
	}
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("IQ"), a.ID, true); !errors.Is(err, center.ErrConflict) {
		t.Errorf("double vote = %v, want ErrConflict", err)
	}
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("JO"), a.ID, true); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("associate voting = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("RU"), "amendment--nope", true); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("vote on unknown = %v, want ErrNotFound", err)
	}
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("RU"), a.ID, true); err != nil {
		t.Fatal(err)
	}
	g, err := record.ReadGovernance(f.ctx, f.s)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Amendments) != 2 || g.Amendments[0].Status(g.Members(), f.clock.Now()) != govern.Approved {
		t.Fatalf("amendments = %+v", g.Amendments)
	}
	// SY's term keeps its length; the term after it is one month.
	_, next8, err := govern.Schedule(g.Rotation, g.Acts, f.clock.Now(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if next8[0].Party != "IR" || !next8[0].Start.Equal(time.Date(2027, 4, 16, 0, 0, 0, 0, time.UTC)) ||
		!next8[0].End.Equal(time.Date(2027, 5, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("next term = %+v, want IR 2027-04-16..2027-05-16", next8[0])
	}
	// A rejection ends a proposal; a decided proposal takes no votes.
	b, _ := f.rec.ProposeAmendment(f.ctx, testkit.Officer("RU"), govern.Amendment{Kind: govern.SetTermAmendment, Months: 2})
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("IR"), b.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("IQ"), b.ID, true); !errors.Is(err, center.ErrConflict) {
		t.Errorf("vote on rejected = %v, want ErrConflict", err)
	}
	// Proposals expire after 30 days.
	c, _ := f.rec.ProposeAmendment(f.ctx, testkit.Officer("RU"), govern.Amendment{Kind: govern.SetTermAmendment, Months: 2})
	f.clock.Advance(31 * 24 * time.Hour)
	if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer("IQ"), c.ID, true); !errors.Is(err, center.ErrConflict) {
		t.Errorf("vote on expired = %v, want ErrConflict", err)
	}
}

func testAmendmentsChangeTheRoster(t *testing.T, f *fixture) {
	f.found()
	approveAll := func(a govern.Amendment, voters ...center.PartyCode) {
		t.Helper()
		a, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), a)
		if err != nil {
			t.Fatalf("propose %s: %v", a.Kind, err)
		}
		for _, p := range voters {
			if _, err := f.rec.VoteOnAmendment(f.ctx, testkit.Officer(p), a.ID, true); err != nil {
				t.Fatalf("vote %s on %s: %v", p, a.Kind, err)
			}
		}
	}
	quad := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	approveAll(govern.Amendment{Kind: govern.AddMemberAmendment, Party: "TR", Names: map[string]string{"en": "Türkiye", "ar": "تركيا"}}, quad...)
	dir, _ := f.s.Directory(f.ctx)
	if p, ok := dir.Party("TR"); !ok || p.Kind != center.Member {
		t.Fatalf("TR not added as member: %+v", dir.Parties)
	}
	// What was decided stays decided: the new member never voted on the
	// amendment that admitted it, which is approved all the same.
	if g, _ := record.ReadGovernance(f.ctx, f.s); g.Amendments[0].Status(g.Members(), f.clock.Now()) != govern.Approved || g.Amendments[0].DecidedAt == nil {
		t.Errorf("after TR joined, its admission reads %s", g.Amendments[0].Status(g.Members(), f.clock.Now()))
	}
	// A member joins at the end of the order.
	g, _ := record.ReadGovernance(f.ctx, f.s)
	_, next, _ := govern.Schedule(g.Rotation, g.Acts, f.clock.Now(), 5)
	if next[3].Party != "TR" {
		t.Errorf("schedule after adding TR = %+v", next)
	}
	// Removing SY needs all others, TR included, but not SY.
	approveAll(govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "SY"}, "IQ", "IR", "RU", "TR")
	dir, _ = f.s.Directory(f.ctx)
	if _, ok := dir.Party("SY"); ok {
		t.Fatal("SY still in the roster")
	}
	if c, _ := dir.Committee("quad"); slices.Contains(c.Members, "SY") {
		t.Error("SY still in committee quad")
	}
	if _, err := f.rec.SubmitReport(f.ctx, testkit.Analyst("IQ"), draft("x", center.TLPGreen, toParties("SY"))); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("sharing with a removed party = %v, want ErrInvalid", err)
	}
	approveAll(govern.Amendment{Kind: govern.SetCommitteeAmendment, Committee: "european", Names: map[string]string{"en": "European states"}, Members: []string{"RU", "TR"}}, "IQ", "IR", "RU", "TR")
	dir, _ = f.s.Directory(f.ctx)
	if c, ok := dir.Committee("european"); !ok || !slices.Equal(c.Members, []center.PartyCode{"RU", "TR"}) {
		t.Errorf("committee european = %+v", c)
	}
	bad := []struct {
		name string
		a    govern.Amendment
	}{
		{"add existing", govern.Amendment{Kind: govern.AddMemberAmendment, Party: "IQ", Names: map[string]string{"en": "Iraq"}}},
		{"add without names", govern.Amendment{Kind: govern.AddAssociateAmendment, Party: "EG"}},
		{"remove unknown", govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "XX"}},
		{"order missing a member", govern.Amendment{Kind: govern.SetOrderAmendment, Order: []string{"IQ", "IR"}}},
		{"committee of unknown", govern.Amendment{Kind: govern.SetCommitteeAmendment, Committee: "x", Members: []string{"XX"}}},
		{"unknown kind", govern.Amendment{Kind: "dissolve"}},
	}
	for _, tt := range bad {
		if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), tt.a); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", tt.name, err)
		}
	}
	// Down to two members, a removal is refused: the chair could not rotate.
	approveAll(govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "TR"}, "IQ", "IR", "RU")
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "RU"}); err != nil {
		t.Fatalf("removing RU with three members: %v", err)
	}
	approveAll(govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "IR"}, "IQ", "RU")
	if _, err := f.rec.ProposeAmendment(f.ctx, testkit.Officer("IQ"), govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "RU"}); !errors.Is(err, center.ErrInvalid) {
		t.Errorf("removing one of the last two members = %v, want ErrInvalid", err)
	}
}
