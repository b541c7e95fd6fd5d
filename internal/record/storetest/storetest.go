// Package storetest is the conformance suite of the store contract. Every
// backend runs it unchanged:
//
//	func TestContract(t *testing.T) { storetest.Run(t, newStore) }
//
// It drives the store through the one write path (record.Recorder), as the
// center does, and checks every read path against a brute-force oracle of the
// visibility rule written independently of package center's.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
	"github.com/tabadul/tabadul/internal/testkit"
)

// NewStore opens an empty store for one test; the suite closes it.
type NewStore func(t *testing.T) store.Store

// cheap keeps password hashing out of the suite's running time.
var cheap = secret.Params{Time: 1, MemKiB: 64, Threads: 1}

// Run runs the whole suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"FoundOnce", testFoundOnce},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"SubmitAndRead", testSubmitAndRead},
		{"SubmitReports", testSubmitReports},
		{"ReviseAndRevoke", testReviseAndRevoke},
		{"VersionTimesIncrease", testVersionTimesIncrease},
		{"VisibilityOracle", testVisibilityOracle},
		{"ListFilters", testListFilters},
		{"Paging", testPaging},
		{"GroupCommitIsolation", testGroupCommitIsolation},
		{"FailedUpdateChangesNothing", testFailedUpdateChangesNothing},
		{"Events", testEvents},
		{"Search", testSearch},
		{"SearchWindow", testSearchWindow},
		{"SearchPrefix", testSearchPrefix},
		{"SearchNewest", testSearchNewest},
		{"SubscriptionsMatchAsSearch", testSubscriptionsMatchAsSearch},
		{"Reindex", testReindex},
		{"ActiveSubscriptionsSeeTheUpdate", testActiveSubscriptionsSeeTheUpdate},
		{"ActiveSubscriptionsAcrossUpdates", testActiveSubscriptionsAcrossUpdates},
		{"Entities", testEntities},
		{"Retention", testRetention},
		{"Governance", testGovernance},
		{"AmendmentsChangeTheRoster", testAmendmentsChangeTheRoster},
		{"TransparencyLog", testTransparencyLog},
		{"RegisterWitness", testRegisterWitness},
		{"CharterWitnesses", testCharterWitnesses},
		{"WitnessAmendments", testWitnessAmendments},
		{"Distribution", testDistribution},
		{"DeliveryClaims", testDeliveryClaims},
		{"STIX", testSTIX},
		{"TAXII", testTAXII},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			closed := false
			t.Cleanup(func() {
				if !closed {
					s.Close()
				}
			})
			clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
			f := &fixture{t: t, ctx: context.Background(), s: s, clock: clock,
				rec: record.NewRecorder(s, clock, center.DefaultLimits), closed: &closed}
			tt.fn(t, f)
		})
	}
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	s      store.Store
	rec    *record.Recorder
	clock  *testkit.Clock
	closed *bool
}

func (f *fixture) found() {
	f.t.Helper()
	if err := f.rec.Found(f.ctx, testkit.Charter()); err != nil {
		f.t.Fatalf("Found: %v", err)
	}
}

func (f *fixture) submit(who center.PartyCode, d center.Draft) center.Report {
	f.t.Helper()
	r, err := f.rec.SubmitReport(f.ctx, testkit.Analyst(who), d)
	if err != nil {
		f.t.Fatalf("SubmitReport(%s): %v", who, err)
	}
	return r
}

func draft(title string, tlp center.TLP, dist center.Distribution, tags ...string) center.Draft {
	return center.Draft{Title: title, Body: "body of " + title, Language: "en", TLP: tlp, Distribution: dist, Tags: tags}
}

func toParties(ps ...center.PartyCode) center.Distribution { return center.Distribution{Parties: ps} }

var all = center.Distribution{All: true}

func testFoundOnce(t *testing.T, f *fixture) {
	f.found()
	if err := f.rec.Found(f.ctx, testkit.Charter()); !errors.Is(err, record.ErrAlreadyFounded) {
		t.Fatalf("second Found = %v, want ErrAlreadyFounded", err)
	}
	dir, err := f.s.Directory(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := testkit.Roster()
	if len(dir.Parties) != len(want.Parties) || len(dir.Committees) != len(want.Committees) {
		t.Fatalf("directory = %+v, want %+v", dir, want)
	}
	for i, p := range want.Parties {
		got := dir.Parties[i]
		if got.Code != p.Code || got.Kind != p.Kind || got.Names.In("ar") != p.Names.In("ar") {
			t.Errorf("party %d = %+v, want %+v", i, got, p)
		}
	}
	for i, c := range want.Committees {
		if got := dir.Committees[i]; got.Code != c.Code || !slices.Equal(got.Members, c.Members) {
			t.Errorf("committee %d = %+v, want %+v", i, got, c)
		}
	}
	founded, err := f.rec.Founded(f.ctx)
	if err != nil || !founded {
		t.Fatalf("Founded = %v, %v", founded, err)
	}
}

func testUsers(t *testing.T, f *fixture) {
	f.found()
	u, err := f.rec.CreateUser(f.ctx, center.User{Username: "iq-analyst", Party: "IQ", Role: center.Analyst}, "pw", cheap)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.User(f.ctx, "iq-analyst")
	if err != nil {
		t.Fatal(err)
	}
	if got.Party != "IQ" || got.Role != center.Analyst || !got.Created.Equal(u.Created) {
		t.Errorf("User = %+v, want %+v", got, u)
	}
	if err := secret.CheckPassword(got.PasswordHash, "pw"); err != nil {
		t.Errorf("stored password hash does not check: %v", err)
	}
	tests := []struct {
		name string
		user center.User
		want error
	}{
		{"duplicate", center.User{Username: "iq-analyst", Party: "IQ", Role: center.Analyst}, center.ErrConflict},
		{"unknown party", center.User{Username: "xx-analyst", Party: "XX", Role: center.Analyst}, center.ErrInvalid},
		{"bad role", center.User{Username: "iq-boss", Party: "IQ", Role: "boss"}, center.ErrInvalid},
		{"bad name", center.User{Username: "Robert'); DROP TABLE users;--", Party: "IQ", Role: center.Analyst}, center.ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := f.rec.CreateUser(f.ctx, tt.user, "", cheap); !errors.Is(err, tt.want) {
			t.Errorf("%s: CreateUser = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := f.rec.CreateUser(f.ctx, center.User{Username: "ru-officer", Party: "RU", Role: center.Officer}, "", cheap); err != nil {
		t.Fatal(err)
	}
	users, err := f.s.Users(f.ctx)
	if err != nil || len(users) != 2 || users[0].Username != "iq-analyst" || users[1].Username != "ru-officer" {
		t.Errorf("Users = %+v, %v; want iq-analyst, ru-officer in roster order", users, err)
	}
	if _, err := f.s.User(f.ctx, "nobody"); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("User(nobody) = %v, want ErrNotFound", err)
	}
}

func testTokens(t *testing.T, f *fixture) {
	f.found()
	if _, err := f.rec.CreateUser(f.ctx, center.User{Username: "iq-analyst", Party: "IQ", Role: center.Analyst}, "", cheap); err != nil {
		t.Fatal(err)
	}
	plain, tok, err := f.rec.IssueToken(f.ctx, "iq-analyst", "laptop", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.TokenByHash(f.ctx, secret.HashToken(plain))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != tok.ID || got.Username != "iq-analyst" || got.Label != "laptop" || got.Expires == nil || !got.Usable(f.clock.Now()) {
		t.Fatalf("TokenByHash = %+v", got)
	}
	if got.Usable(f.clock.Now().Add(25 * time.Hour)) {
		t.Error("token usable after expiry")
	}
	if _, _, err := f.rec.IssueToken(f.ctx, "nobody", "", 0); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("IssueToken(nobody) = %v, want ErrNotFound", err)
	}
	// Touch writes at most once a minute.
	if err := f.rec.TouchToken(f.ctx, got); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.TokenByHash(f.ctx, secret.HashToken(plain))
	if got.LastUsed == nil || !got.LastUsed.Equal(f.clock.Now()) {
		t.Fatalf("LastUsed = %v, want %v", got.LastUsed, f.clock.Now())
	}
	first := *got.LastUsed
	f.clock.Advance(10 * time.Second)
	if err := f.rec.TouchToken(f.ctx, got); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.TokenByHash(f.ctx, secret.HashToken(plain))
	if !got.LastUsed.Equal(first) {
		t.Errorf("LastUsed moved within a minute: %v", got.LastUsed)
	}
	if err := f.rec.RevokeToken(f.ctx, got); err != nil {
		t.Fatal(err)
	}
	got, _ = f.s.TokenByHash(f.ctx, secret.HashToken(plain))
	if got.Revoked == nil || got.Usable(f.clock.Now()) {
		t.Errorf("revoked token = %+v", got)
	}
	if byID, err := f.s.Token(f.ctx, tok.ID); err != nil || byID.Revoked == nil || byID.Username != "iq-analyst" {
		t.Errorf("Token(id) = %+v, %v", byID, err)
	}
	if _, err := f.s.Token(f.ctx, "token--nope"); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("Token(unknown) = %v, want ErrNotFound", err)
	}
	list, err := f.s.Tokens(f.ctx, "iq-analyst")
	if err != nil || len(list) != 1 || list[0].ID != tok.ID {
		t.Errorf("Tokens = %+v, %v", list, err)
	}
	if _, err := f.s.TokenByHash(f.ctx, secret.HashToken("tbd_wrong")); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("TokenByHash(wrong) = %v, want ErrNotFound", err)
	}
}

func testSubmitAndRead(t *testing.T, f *fixture) {
	f.found()
	observed := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	d := center.Draft{
		Title: "  خلية بغداد  ", Body: "نص التقرير\nسطر ثان", Language: "AR", TLP: center.TLPAmber,
		Distribution: toParties("RU", "IQ", "RU"), Reliability: "B", Credibility: "2",
		Tags: []string{"isis", " isis ", "baghdad"}, ObservedAt: &observed,
	}
	rep := f.submit("IQ", d)
	if !center.ValidReportID(rep.ID) || rep.Source != "IQ" || rep.Author != "iq-analyst" {
		t.Fatalf("submitted = %+v", rep)
	}
	got, err := f.s.Report(f.ctx, "RU", rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "خلية بغداد" || got.Body != d.Body || got.Language != "ar" || got.TLP != center.TLPAmber ||
		got.Reliability != "B" || got.Credibility != "2" || !slices.Equal(got.Tags, []string{"isis", "baghdad"}) ||
		!slices.Equal(got.Distribution.Parties, []center.PartyCode{"IQ", "RU"}) ||
		got.ObservedAt == nil || !got.ObservedAt.Equal(observed) ||
		!got.Version.Equal(f.clock.Now()) || !got.Created.Equal(f.clock.Now()) || got.Revoked != nil {
		t.Errorf("read back = %+v", got)
	}
	if !slices.Equal(got.Audience, []center.PartyCode{"IQ", "RU"}) {
		t.Errorf("audience = %v, want [IQ RU]", got.Audience)
	}
	for _, p := range []center.PartyCode{"SY", "IR", "JO", "XX", ""} {
		if _, err := f.s.Report(f.ctx, p, rep.ID); !errors.Is(err, center.ErrNotFound) {
			t.Errorf("Report as %q = %v, want ErrNotFound", p, err)
		}
		if _, err := f.s.Versions(f.ctx, p, rep.ID); !errors.Is(err, center.ErrNotFound) {
			t.Errorf("Versions as %q = %v, want ErrNotFound", p, err)
		}
		page, err := f.s.Reports(f.ctx, p, store.ReportQuery{Limit: 10})
		if err != nil || len(page.Items) != 0 {
			t.Errorf("Reports as %q = %+v, %v; want empty", p, page, err)
		}
	}
	if n, err := f.s.CountReports(f.ctx); err != nil || n != 1 {
		t.Errorf("CountReports = %d, %v", n, err)
	}
	bad := []struct {
		name string
		d    center.Draft
	}{
		{"red to all", draft("t", center.TLPRed, all)},
		{"unknown party", draft("t", center.TLPGreen, toParties("XX"))},
		{"unknown committee", draft("t", center.TLPGreen, center.Distribution{Committee: "nope"})},
		{"two kinds", draft("t", center.TLPGreen, center.Distribution{All: true, Committee: "quad"})},
		{"no distribution", draft("t", center.TLPGreen, center.Distribution{})},
		{"no title", draft(" ", center.TLPGreen, all)},
		{"bad tlp", draft("t", "PINK", all)},
		{"nul", draft("a\x00b", center.TLPGreen, all)},
		{"bad utf8", draft("a\xffb", center.TLPGreen, all)},
	}
	for _, tt := range bad {
		if _, err := f.rec.SubmitReport(f.ctx, testkit.Analyst("IQ"), tt.d); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("%s: SubmitReport = %v, want ErrInvalid", tt.name, err)
		}
	}
	if n, _ := f.s.CountReports(f.ctx); n != 1 {
		t.Errorf("invalid drafts were stored: %d reports", n)
	}
}

func testReviseAndRevoke(t *testing.T, f *fixture) {
	f.found()
	rep := f.submit("IQ", draft("v1", center.TLPGreen, toParties("RU")))
	f.clock.Advance(time.Minute)
	// Widen to SY in v2.
	v2, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), rep.ID, draft("v2", center.TLPGreen, toParties("RU", "SY")))
	if err != nil {
		t.Fatal(err)
	}
	if v2.ID != rep.ID || !v2.Version.After(rep.Version) || !v2.Created.Equal(rep.Created) {
		t.Fatalf("v2 = %+v", v2)
	}
	f.clock.Advance(time.Minute)
	// Narrow to IR in v3: RU and SY keep what they saw, IR sees only v3.
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Officer("IQ"), rep.ID, draft("v3", center.TLPGreen, toParties("IR"))); err != nil {
		t.Fatal(err)
	}
	wantTitles := map[center.PartyCode][]string{
		"IQ": {"v1", "v2", "v3"}, "RU": {"v1", "v2"}, "SY": {"v2"}, "IR": {"v3"}, "JO": nil,
	}
	for p, want := range wantTitles {
		vs, err := f.s.Versions(f.ctx, p, rep.ID)
		if want == nil {
			if !errors.Is(err, center.ErrNotFound) {
				t.Errorf("Versions as %s = %v, want ErrNotFound", p, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Versions as %s: %v", p, err)
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.Title)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Versions as %s = %v, want %v", p, got, want)
		}
		latest, err := f.s.Report(f.ctx, p, rep.ID)
		if err != nil || latest.Title != want[len(want)-1] {
			t.Errorf("Report as %s = %q, %v; want %q", p, latest.Title, err, want[len(want)-1])
		}
	}
	// Only the source party may change it; others learn nothing they may not see.
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IR"), rep.ID, draft("x", center.TLPGreen, all)); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("IR (in audience) revising = %v, want ErrForbidden", err)
	}
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("JO"), rep.ID, draft("x", center.TLPGreen, all)); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("JO (not in audience) revising = %v, want ErrNotFound", err)
	}
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("RU"), rep.ID); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("RU (saw v1, v2 but not v3) revoking = %v, want ErrNotFound", err)
	}
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), "report--../../etc", draft("x", center.TLPGreen, all)); !errors.Is(err, center.ErrNotFound) {
		t.Errorf("malformed id = %v, want ErrNotFound", err)
	}
	f.clock.Advance(time.Minute)
	revoked, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("IQ"), rep.ID)
	if err != nil || revoked.Revoked == nil || !revoked.Revoked.Equal(f.clock.Now()) {
		t.Fatalf("RevokeReport = %+v, %v", revoked, err)
	}
	for _, p := range []center.PartyCode{"IQ", "RU", "SY", "IR"} {
		got, err := f.s.Report(f.ctx, p, rep.ID)
		if err != nil || got.Revoked == nil {
			t.Errorf("after revoke, Report as %s = %+v, %v", p, got.Revoked, err)
		}
	}
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("IQ"), rep.ID); !errors.Is(err, center.ErrConflict) {
		t.Errorf("second revoke = %v, want ErrConflict", err)
	}
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), rep.ID, draft("v4", center.TLPGreen, all)); !errors.Is(err, center.ErrConflict) {
		t.Errorf("revising a revoked report = %v, want ErrConflict", err)
	}
}

func testVersionTimesIncrease(t *testing.T, f *fixture) {
	f.found()
	rep := f.submit("IQ", draft("v", center.TLPGreen, all))
	prev := rep.Version
	for i := range 5 { // the clock does not move
		v, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), rep.ID, draft(fmt.Sprint("v", i), center.TLPGreen, all))
		if err != nil {
			t.Fatal(err)
		}
		if !v.Version.After(prev) {
			t.Fatalf("version %d time %v not after %v", i, v.Version, prev)
		}
		prev = v.Version
	}
	vs, err := f.s.Versions(f.ctx, "SY", rep.ID)
	if err != nil || len(vs) != 6 {
		t.Fatalf("Versions = %d, %v", len(vs), err)
	}
}

// oracleAudience is the visibility rule written out longhand, independently
// of center.Directory.Audience.
func oracleAudience(dir center.Directory, source center.PartyCode, d center.Distribution, viewer center.PartyCode) bool {
	if viewer == source {
		return true
	}
	if d.All {
		for _, p := range dir.Parties {
			if p.Code == viewer {
				return p.Kind == center.Member
			}
		}
		return false
	}
	if d.Committee != "" {
		for _, c := range dir.Committees {
			if c.Code == d.Committee {
				return slices.Contains(c.Members, viewer)
			}
		}
		return false
	}
	return slices.Contains(d.Parties, viewer)
}

type oracleVersion struct {
	seq    int64
	report string
	source center.PartyCode
	title  string
	tlp    center.TLP
	tags   []string
	dist   center.Distribution
}

func testVisibilityOracle(t *testing.T, f *fixture) {
	f.found()
	dir := testkit.Roster()
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []center.PartyCode{"IQ", "SY", "IR", "RU", "JO"}
	randomDist := func(tlp center.TLP) center.Distribution {
		switch rng.IntN(3) {
		case 0:
			if tlp != center.TLPRed {
				return all
			}
			fallthrough
		case 1:
			var ps []center.PartyCode
			for _, c := range codes {
				if rng.IntN(2) == 0 {
					ps = append(ps, c)
				}
			}
			if len(ps) == 0 {
				ps = []center.PartyCode{codes[rng.IntN(len(codes))]}
			}
			return toParties(ps...)
		default:
			return center.Distribution{Committee: []string{"regional", "quad"}[rng.IntN(2)]}
		}
	}
	var history []oracleVersion
	revoked := map[string]bool{}
	var ids []string
	for i := range 300 {
		f.clock.Advance(time.Duration(rng.IntN(1000)+1) * time.Millisecond)
		tlp := center.TLPs[rng.IntN(len(center.TLPs))]
		dist := randomDist(tlp)
		tags := []string{fmt.Sprint("t", rng.IntN(4))}
		title := fmt.Sprint("r", i)
		switch {
		case len(ids) > 0 && rng.IntN(4) == 0: // revise
			id := ids[rng.IntN(len(ids))]
			if revoked[id] {
				continue
			}
			src := history[slices.IndexFunc(history, func(v oracleVersion) bool { return v.report == id })].source
			rep, err := f.rec.ReviseReport(f.ctx, testkit.Analyst(src), id, draft(title, tlp, dist, tags...))
			if err != nil {
				t.Fatalf("revise: %v", err)
			}
			history = append(history, oracleVersion{rep.Seq, id, src, title, tlp, tags, rep.Distribution})
		case len(ids) > 0 && rng.IntN(10) == 0: // revoke
			id := ids[rng.IntN(len(ids))]
			if revoked[id] {
				continue
			}
			src := history[slices.IndexFunc(history, func(v oracleVersion) bool { return v.report == id })].source
			if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst(src), id); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			revoked[id] = true
		default:
			src := codes[rng.IntN(len(codes))]
			rep := f.submit(src, draft(title, tlp, dist, tags...))
			ids = append(ids, rep.ID)
			history = append(history, oracleVersion{rep.Seq, rep.ID, src, title, tlp, tags, rep.Distribution})
		}
	}
	for _, viewer := range append(codes, "XX") {
		// What the viewer may see, per report: its visible versions in order.
		visible := map[string][]oracleVersion{}
		for _, v := range history {
			if oracleAudience(dir, v.source, v.dist, viewer) {
				visible[v.report] = append(visible[v.report], v)
			}
		}
		for _, id := range ids {
			want := visible[id]
			vs, err := f.s.Versions(f.ctx, viewer, id)
			rep, rerr := f.s.Report(f.ctx, viewer, id)
			if len(want) == 0 {
				if !errors.Is(err, center.ErrNotFound) || !errors.Is(rerr, center.ErrNotFound) {
					t.Fatalf("%s sees hidden %s: versions err %v, report err %v", viewer, id, err, rerr)
				}
				continue
			}
			if err != nil || rerr != nil {
				t.Fatalf("%s cannot see %s: %v, %v", viewer, id, err, rerr)
			}
			if len(vs) != len(want) {
				t.Fatalf("%s sees %d versions of %s, want %d", viewer, len(vs), id, len(want))
			}
			for i := range vs {
				if vs[i].Seq != want[i].seq || vs[i].Title != want[i].title || !vs[i].VisibleTo(viewer) {
					t.Fatalf("%s version %d of %s = %+v, want %+v", viewer, i, id, vs[i], want[i])
				}
			}
			if last := want[len(want)-1]; rep.Seq != last.seq || (rep.Revoked != nil) != revoked[id] {
				t.Fatalf("%s Report(%s) = seq %d revoked %v, want seq %d revoked %v", viewer, id, rep.Seq, rep.Revoked, last.seq, revoked[id])
			}
		}
		// The list shows each visible report once, at its newest visible
		// version, newest first; paging with a small limit loses nothing.
		var want []int64
		for _, vs := range visible {
			want = append(want, vs[len(vs)-1].seq)
		}
		slices.Sort(want)
		slices.Reverse(want)
		got := listAll(t, f, viewer, store.ReportQuery{Limit: 7})
		if !slices.Equal(seqs(got), want) {
			t.Fatalf("%s list = %v, want %v", viewer, seqs(got), want)
		}
		for _, r := range got {
			if !r.VisibleTo(viewer) {
				t.Fatalf("%s list holds %s, whose audience is %v", viewer, r.ID, r.Audience)
			}
		}
	}
}

func listAll(t *testing.T, f *fixture, viewer center.PartyCode, q store.ReportQuery) []center.Report {
	t.Helper()
	var out []center.Report
	for range 10000 {
		page, err := f.s.Reports(f.ctx, viewer, q)
		if err != nil {
			t.Fatalf("Reports(%s, %+v): %v", viewer, q, err)
		}
		if len(page.Items) > q.Limit {
			t.Fatalf("page of %d items over limit %d", len(page.Items), q.Limit)
		}
		out = append(out, page.Items...)
		if page.Next == 0 {
			return out
		}
		q.After = page.Next
	}
	t.Fatal("paging did not end")
	return nil
}

func seqs(rs []center.Report) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.Seq
	}
	return out
}

func titles(rs []center.Report) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Title
	}
	return out
}

func testListFilters(t *testing.T, f *fixture) {
	f.found()
	t0 := f.clock.Now()
	f.submit("IQ", draft("a", center.TLPGreen, all, "isis"))
	f.clock.Advance(time.Hour)
	f.submit("RU", draft("b", center.TLPAmber, toParties("IQ"), "isis", "oil"))
	f.clock.Advance(time.Hour)
	c := f.submit("SY", draft("c", center.TLPRed, toParties("IQ", "SY")))
	f.clock.Advance(time.Hour)
	f.submit("IR", draft("d", center.TLPClear, toParties("RU")))
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("SY"), c.ID); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	tests := []struct {
		name   string
		viewer center.PartyCode
		q      store.ReportQuery
		want   []string
	}{
		{"everything IQ sees", "IQ", store.ReportQuery{}, []string{"c", "b", "a"}},
		{"by source", "IQ", store.ReportQuery{Source: "RU"}, []string{"b"}},
		{"by hidden source", "SY", store.ReportQuery{Source: "RU"}, nil},
		{"by tlp", "IQ", store.ReportQuery{TLP: center.TLPRed}, []string{"c"}},
		{"by tag", "IQ", store.ReportQuery{Tag: "isis"}, []string{"b", "a"}},
		{"by tag, hidden report", "SY", store.ReportQuery{Tag: "oil"}, nil},
		{"since", "IQ", store.ReportQuery{Since: t0.Add(time.Hour)}, []string{"c", "b"}},
		{"until", "IQ", store.ReportQuery{Until: t0.Add(time.Hour)}, []string{"a"}},
		{"revoked", "IQ", store.ReportQuery{Revoked: &yes}, []string{"c"}},
		{"not revoked", "IQ", store.ReportQuery{Revoked: &no}, []string{"b", "a"}},
		{"RU sees d and a", "RU", store.ReportQuery{}, []string{"d", "b", "a"}},
		{"JO sees nothing", "JO", store.ReportQuery{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = 2
			got := titles(listAll(t, f, tt.viewer, tt.q))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, limit := range []int{0, -1, store.MaxPageSize + 1} {
		if _, err := f.s.Reports(f.ctx, "IQ", store.ReportQuery{Limit: limit}); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("limit %d: %v, want ErrInvalid", limit, err)
		}
	}
}

func testPaging(t *testing.T, f *fixture) {
	f.found()
	for i := range 25 {
		f.submit("IQ", draft(fmt.Sprint(i), center.TLPGreen, all))
	}
	page, err := f.s.Reports(f.ctx, "SY", store.ReportQuery{Limit: 10})
	if err != nil || len(page.Items) != 10 || page.Next == 0 || page.Items[0].Title != "24" {
		t.Fatalf("first page = %v next %d, %v", titles(page.Items), page.Next, err)
	}
	page, _ = f.s.Reports(f.ctx, "SY", store.ReportQuery{Limit: 15, After: page.Next})
	if len(page.Items) != 15 || page.Next != 0 || page.Items[14].Title != "0" {
		t.Fatalf("last page = %v next %d", titles(page.Items), page.Next)
	}
	// Exactly a page left: no further page is announced.
	page, _ = f.s.Reports(f.ctx, "SY", store.ReportQuery{Limit: 25})
	if len(page.Items) != 25 || page.Next != 0 {
		t.Fatalf("full page: %d items, next %d", len(page.Items), page.Next)
	}
}

func testGroupCommitIsolation(t *testing.T, f *fixture) {
	f.found()
	const n = 300
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = f.s.Update(f.ctx, func(tx store.Tx) error {
				if err := tx.SetMeta(f.ctx, fmt.Sprint("k", i), "v"); err != nil {
					return err
				}
				if i%3 == 0 {
					return errBoom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range results {
		v, merr := f.s.Meta(f.ctx, fmt.Sprint("k", i))
		if merr != nil {
			t.Fatal(merr)
		}
		if i%3 == 0 {
			if !errors.Is(err, errBoom) || v != "" {
				t.Fatalf("update %d: err %v, value %q; want boom and nothing written", i, err, v)
			}
		} else if err != nil || v != "v" {
			t.Fatalf("update %d: err %v, value %q; want written", i, err, v)
		}
	}
}

func testFailedUpdateChangesNothing(t *testing.T, f *fixture) {
	f.found()
	before, _ := f.s.Events(f.ctx, 0, 1000)
	// A report whose insert succeeds but whose event fails is rolled back
	// whole, including its audience and view rows.
	err := f.s.Update(f.ctx, func(tx store.Tx) error {
		rep := center.Report{ID: center.NewReportID(), Version: f.clock.Now(), Created: f.clock.Now(), Source: "IQ",
			Author: "iq-analyst", Title: "t", Body: "b", TLP: center.TLPGreen, Distribution: all, Audience: []center.PartyCode{"IQ", "SY"}}
		if _, err := tx.InsertVersion(f.ctx, rep); err != nil {
			return err
		}
		panic("crash between writes")
	})
	if err == nil {
		t.Fatal("panicking update succeeded")
	}
	after, _ := f.s.Events(f.ctx, 0, 1000)
	if n, _ := f.s.CountReports(f.ctx); n != 0 || len(after) != len(before) {
		t.Fatalf("failed update left %d reports, %d events (had %d)", n, len(after), len(before))
	}
	if page, _ := f.s.Reports(f.ctx, "SY", store.ReportQuery{Limit: 10}); len(page.Items) != 0 {
		t.Fatalf("failed update left a visible report")
	}
	// And the store still works.
	f.submit("IQ", draft("after", center.TLPGreen, all))
}

func testEvents(t *testing.T, f *fixture) {
	f.found()
	rep := f.submit("IQ", draft("a", center.TLPGreen, all))
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), rep.ID, draft("b", center.TLPGreen, all)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rec.RevokeReport(f.ctx, testkit.Analyst("IQ"), rep.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := f.s.Events(f.ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var types []center.EventType
	for i, e := range evs {
		if i > 0 && e.Seq <= evs[i-1].Seq {
			t.Fatalf("event seqs not increasing: %d after %d", e.Seq, evs[i-1].Seq)
		}
		if len(e.Digest) != 32 || e.ID == "" {
			t.Fatalf("event %+v lacks id or digest", e)
		}
		types = append(types, e.Type)
	}
	wantTail := []center.EventType{center.ReportSubmitted, center.ReportRevised, center.ReportRevoked}
	if len(types) < 3 || !slices.Equal(types[len(types)-3:], wantTail) {
		t.Fatalf("event types = %v, want to end with %v", types, wantTail)
	}
	if types[len(types)-4] != center.CenterFounded {
		t.Errorf("founding not recorded: %v", types)
	}
	// A party entitled to a version can check the log's commitment to it:
	// the version as read back, with the event's salt, gives the digest.
	submitted := evs[len(evs)-3]
	vs, err := f.s.Versions(f.ctx, "SY", rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := vs[0]
	first.Revoked = nil // revocation came later, in its own event
	content, _ := json.Marshal(first)
	if len(submitted.Salt) != 16 || !bytes.Equal(record.Commitment(submitted.Salt, content), submitted.Digest) {
		t.Errorf("report.submitted digest does not commit to the stored version %s", content)
	}
	last3, _ := f.s.Events(f.ctx, evs[len(evs)-4].Seq, 2)
	if len(last3) != 2 || last3[0].Type != center.ReportSubmitted {
		t.Errorf("Events(after, 2) = %+v", last3)
	}
}

func testClosed(t *testing.T, f *fixture) {
	f.found()
	if err := f.s.Close(); err != nil {
		t.Fatal(err)
	}
	*f.closed = true
	if err := f.s.Update(f.ctx, func(store.Tx) error { return nil }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
	if err := f.s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}
