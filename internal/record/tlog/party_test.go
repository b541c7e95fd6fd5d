package tlog_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

// governed builds a center with a history of every kind the party audit
// matches: reports submitted, revised, narrowed to other parties, revoked
// and erased by retention; amendments approved and rejected; a handover.
// It returns the report IQ cannot see the last version of.
func governed(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t, sqlite.Options{NoSync: true})
	ctx := f.ctx
	draft := func(title string, d center.Distribution) center.Draft {
		return center.Draft{Title: title, Body: "text of " + title, Language: "en", TLP: center.TLPGreen, Distribution: d, Tags: []string{"x"}}
	}
	all := center.Distribution{All: true}
	reps := f.submit("IQ", 2)
	f.clock.Advance(time.Minute)
	if _, err := f.rec.ReviseReport(ctx, testkit.Analyst("IQ"), reps[0].ID, draft("revised", all)); err != nil {
		t.Fatal(err)
	}
	// SY's report: its first version shared with all, its second only with IR.
	sy, err := f.rec.SubmitReport(ctx, testkit.Analyst("SY"), draft("from SY", all))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.rec.ReviseReport(ctx, testkit.Analyst("SY"), sy.ID, draft("for IR only", center.Distribution{Parties: []center.PartyCode{"IR"}})); err != nil {
		t.Fatal(err)
	}
	// A report IQ never sees.
	if _, err := f.rec.SubmitReport(ctx, testkit.Analyst("RU"), draft("for IR", center.Distribution{Parties: []center.PartyCode{"IR"}})); err != nil {
		t.Fatal(err)
	}
	if err := f.rec.SetRetention(ctx, testkit.Officer("IQ"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.RevokeReport(ctx, testkit.Analyst("IQ"), reps[1].ID); err != nil {
		t.Fatal(err)
	}

	f.clock.Advance(time.Minute)
	f.amend(govern.Amendment{Kind: govern.SetTermAmendment, Months: 2})
	f.clock.Advance(time.Minute)
	f.amend(govern.Amendment{Kind: govern.SetCommitteeAmendment, Committee: "pair", Names: map[string]string{"en": "Pair"}, Members: []string{"IQ", "SY"}})
	f.clock.Advance(time.Minute)
	rejected, err := f.rec.ProposeAmendment(ctx, testkit.Officer("SY"), govern.Amendment{Kind: govern.SetOrderAmendment, Order: []string{"IQ", "IR", "SY", "RU"}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.rec.VoteOnAmendment(ctx, testkit.Officer("RU"), rejected.ID, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.rec.HandOver(ctx, testkit.Officer("IQ")); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(48 * time.Hour) // SY chairs; the revoked report's text expires
	if n, err := f.rec.PurgeExpired(ctx); err != nil || n != 1 {
		t.Fatalf("PurgeExpired = %d, %v", n, err)
	}
	f.amend(govern.Amendment{Kind: govern.RemovePartyAmendment, Party: "JO"})
	f.clock.Advance(time.Minute)
	f.amend(govern.Amendment{Kind: govern.SetWitnessQuorumAmendment, Quorum: 2})
	f.integrate()
	return f, sy.ID
}

// entries reads the whole log as a party reads it through the tiles.
func (f *fixture) entries() []xtlog.Entry {
	f.t.Helper()
	size, err := f.st.LogSize(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	evs, err := f.st.LogEvents(f.ctx, 0, size)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]xtlog.Entry, len(evs))
	for i, e := range evs {
		out[i] = xtlog.EntryOf(e.Event)
	}
	return out
}

// viewOf is what party p reads from the API of f's center.
func (f *fixture) viewOf(p center.PartyCode) xtlog.PartyView {
	f.t.Helper()
	var v xtlog.PartyView
	all, err := f.st.AuditVersions(f.ctx, 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, r := range all {
		if !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	for _, id := range ids {
		vs, err := f.st.Versions(f.ctx, p, id)
		if errors.Is(err, center.ErrNotFound) {
			continue
		}
		if err != nil {
			f.t.Fatal(err)
		}
		for _, r := range vs {
			r.Purged, r.Audience, r.Seq = nil, nil, 0 // not shown by the API
			v.Versions = append(v.Versions, r)
		}
	}
	g, err := record.ReadGovernance(f.ctx, f.st)
	if err != nil {
		f.t.Fatal(err)
	}
	v.Rotation = g.Rotation
	for _, a := range g.Amendments {
		v.Amendments = append(v.Amendments, xtlog.ViewedAmendment{Amendment: a, Status: a.Status(g.Members(), f.clock.Now())})
	}
	return v
}

// proverFor proves events as the API does for party p: the salt to an
// entitled party, and a version's content to a party that may see it.
func (f *fixture) proverFor(p center.PartyCode) xtlog.ProveFunc {
	return func(ctx context.Context, id string) (xtlog.Proof, error) {
		e, err := f.st.Event(ctx, id)
		if err != nil {
			return xtlog.Proof{}, err
		}
		entitled := true
		var version *center.Report
		switch e.Type {
		case center.ReportSubmitted, center.ReportRevised:
			vs, _ := f.st.Versions(ctx, p, e.Subject)
			i := slices.IndexFunc(vs, func(v center.Report) bool { return v.Version.Equal(e.At) })
			if entitled = i >= 0; entitled {
				version = &vs[i]
			}
		case center.ReportRevoked:
			_, err := f.st.Report(ctx, p, e.Subject)
			entitled = err == nil
		}
		pr, err := xtlog.Prove(ctx, f.st, e, entitled)
		if err != nil {
			return pr, err
		}
		if version != nil && version.Purged == nil {
			b, err := xtlog.ReportContent(*version)
			if err != nil {
				return pr, err
			}
			pr.Content = string(b)
		}
		return pr, nil
	}
}

func problems(ps []xtlog.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// TestAuditPartyAgreesWithCheck: on an untouched center the operator's
// audit and every party's find nothing wrong, the party's recomputing the
// digests it is entitled to.
func TestAuditPartyAgreesWithCheck(t *testing.T) {
	f, _ := governed(t)
	rep, err := xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{Audit: true})
	if err != nil || len(rep.Problems) != 0 {
		t.Fatalf("Check: %v%s", err, problems(rep.Problems))
	}
	for _, p := range []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"} {
		got, err := xtlog.AuditParty(f.ctx, f.entries(), f.viewOf(p), f.proverFor(p))
		if err != nil || len(got.Problems) != 0 || len(got.Unpublished) != 0 {
			t.Errorf("AuditParty as %s: %v, unpublished %v%s", p, err, got.Unpublished, problems(got.Problems))
		}
		if got.Digests < 5 {
			t.Errorf("AuditParty as %s recomputed %d digests", p, got.Digests)
		}
	}
}

// TestAuditPartyNamesWhatTheCenterChanged: each way the center's answers
// can disagree with its log is named, as a problem about the record.
func TestAuditPartyNamesWhatTheCenterChanged(t *testing.T) {
	f, syID := governed(t)
	base := f.viewOf("IQ")
	entries := f.entries()
	prove := f.proverFor("IQ")
	var set, term govern.Amendment
	for _, a := range base.Amendments {
		switch a.Kind {
		case govern.SetTermAmendment:
			term = a.Amendment
		case govern.SetCommitteeAmendment:
			set = a.Amendment
		}
	}
	version := func(v xtlog.PartyView, title string) *center.Report {
		i := slices.IndexFunc(v.Versions, func(r center.Report) bool { return r.Title == title })
		if i < 0 {
			t.Fatalf("no version %q", title)
		}
		return &v.Versions[i]
	}
	amendment := func(v xtlog.PartyView, id string) *xtlog.ViewedAmendment {
		i := slices.IndexFunc(v.Amendments, func(a xtlog.ViewedAmendment) bool { return a.ID == id })
		return &v.Amendments[i]
	}
	tests := []struct {
		desc   string
		change func(v *xtlog.PartyView, prove *xtlog.ProveFunc)
		names  string
	}{
		{"a version's text shown changed", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) { version(*v, "revised").Body = "forged" },
			"the API shows its body other than the content logged"},
		{"a version's committed content changed", func(_ *xtlog.PartyView, p *xtlog.ProveFunc) {
			inner := *p
			*p = func(ctx context.Context, id string) (xtlog.Proof, error) {
				pr, err := inner(ctx, id)
				pr.Content = strings.Replace(pr.Content, "text of revised", "forged", 1)
				return pr, err
			}
		}, "its content does not match the digest"},
		{"a version's time changed", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) {
			version(*v, "revised").Version = version(*v, "revised").Version.Add(-time.Second)
		}, "no entry of the published log records it"},
		{"a version hidden", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) {
			v.Versions = slices.DeleteFunc(v.Versions, func(r center.Report) bool { return r.Title == "revised" })
		}, "which the center does not show"},
		{"a revocation hidden", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) {
			for i := range v.Versions {
				if v.Versions[i].Title == "" {
					v.Versions[i].Revoked, v.Versions[i].Title, v.Versions[i].Body = nil, "restored", "restored"
				}
			}
		}, "records a revocation the center does not show"},
		{"an amendment's terms changed", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) { amendment(*v, term.ID).Months = 1 },
			"amendment " + term.ID + " proposal: its content does not match the digest"},
		{"a vote's time changed", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) {
			a := amendment(*v, set.ID)
			a.Votes = slices.Clone(a.Votes)
			a.Votes[1].At = a.Votes[1].At.Add(time.Second)
		}, "amendment " + set.ID + " vote of SY: no entry of the published log records it"},
		{"an approval hidden", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) { amendment(*v, set.ID).Status = govern.Open },
			"the log records it approved by the vote at "},
		{"an amendment hidden", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) {
			v.Amendments = slices.DeleteFunc(v.Amendments, func(a xtlog.ViewedAmendment) bool { return a.ID == term.ID })
		}, "the API shows no such amendment or vote"},
		{"the rotation misstated", func(v *xtlog.PartyView, _ *xtlog.ProveFunc) { v.Rotation.FirstChair = "SY" },
			"a handover by IQ while SY held the chair"},
		{"a salt withheld", func(_ *xtlog.PartyView, p *xtlog.ProveFunc) {
			inner := *p
			*p = func(ctx context.Context, id string) (xtlog.Proof, error) {
				pr, err := inner(ctx, id)
				pr.Salt = ""
				return pr, err
			}
		}, "withholds the salt"},
		{"a proof of another entry", func(_ *xtlog.PartyView, p *xtlog.ProveFunc) {
			inner := *p
			*p = func(ctx context.Context, id string) (xtlog.Proof, error) {
				pr, err := inner(ctx, id)
				pr.Entry = strings.Replace(pr.Entry, "party IQ", "party SY", 1)
				return pr, err
			}
		}, "the center's proof of it shows another entry than its log"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			v := base
			v.Versions = slices.Clone(base.Versions)
			v.Amendments = slices.Clone(base.Amendments)
			p := prove
			tt.change(&v, &p)
			got, err := xtlog.AuditParty(f.ctx, entries, v, p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(problems(got.Problems), tt.names) {
				t.Errorf("problems do not name %q:%s", tt.names, problems(got.Problems))
			}
		})
	}

	// IQ may see the first version of SY's report, not the second: the
	// second's entry is skipped, not an error.
	if vs := slices.DeleteFunc(slices.Clone(base.Versions), func(r center.Report) bool { return r.ID != syID }); len(vs) != 1 {
		t.Fatalf("IQ sees %d versions of SY's report, want 1", len(vs))
	}

	// A record newer than the published log is listed, not a problem.
	v := base
	v.Versions = append(slices.Clone(base.Versions), center.Report{ID: "report--new", Version: f.clock.Now().Add(time.Hour), Source: "IQ"})
	got, err := xtlog.AuditParty(f.ctx, entries, v, prove)
	if err != nil || len(got.Problems) != 0 || len(got.Unpublished) != 1 {
		t.Errorf("with a version newer than the log: unpublished %v, %v%s", got.Unpublished, err, problems(got.Problems))
	}
}

// TestCheckNamesARotationActWrittenBehindTheLog: an act on the rotation
// that no logged handover or amendment made is named by the operator's
// audit.
func TestCheckNamesARotationActWrittenBehindTheLog(t *testing.T) {
	f, _ := governed(t)
	err := f.st.Update(f.ctx, func(tx store.Tx) error {
		return tx.AppendRotationAct(f.ctx, govern.Act{Kind: govern.SetTerm, At: f.clock.Now(), Months: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := xtlog.Check(f.ctx, f.st, xtlog.CheckOptions{Audit: true})
	if err != nil || !strings.Contains(problems(rep.Problems), "rotation act set_term at ") ||
		!strings.Contains(problems(rep.Problems), "no logged handover or approved amendment made it") {
		t.Fatalf("Check: %v%s", err, problems(rep.Problems))
	}
}
