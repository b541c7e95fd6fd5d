package govern

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

var demo = Rotation{Order: []string{"IQ", "SY", "IR", "RU"}, FirstChair: "IQ", Start: day("2026-12-01"), TermMonths: 3, MaxTermMonths: 3}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-01", 3, "2027-03-01"},
		{"2026-11-30", 3, "2027-02-28"}, // clamped, not 2 March
		{"2027-11-30", 3, "2028-02-29"}, // leap year
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-08-31", 3, "2026-11-30"},
		{"2026-12-31", 2, "2027-02-28"},
		{"2026-10-31", 3, "2027-01-31"},
		{"2099-12-15", 1, "2100-01-15"},
		{"2099-11-29", 3, "2100-02-28"}, // 2100 is not a leap year
	}
	for _, tt := range tests {
		if got := AddMonths(day(tt.from), tt.n); !got.Equal(day(tt.want)) {
			t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.from, tt.n, got.Format(time.DateOnly), tt.want)
		}
	}
}

func TestDemoSchedule(t *testing.T) {
	want := []struct{ party, start, end string }{
		{"IQ", "2026-12-01", "2027-03-01"},
		{"SY", "2027-03-01", "2027-06-01"},
		{"IR", "2027-06-01", "2027-09-01"},
		{"RU", "2027-09-01", "2027-12-01"},
		{"IQ", "2027-12-01", "2028-03-01"},
		{"SY", "2028-03-01", "2028-06-01"},
		{"IR", "2028-06-01", "2028-09-01"},
		{"RU", "2028-09-01", "2028-12-01"},
		{"IQ", "2028-12-01", "2029-03-01"},
	}
	cur, next, err := Schedule(demo, nil, day("2027-01-15"), 8)
	if err != nil {
		t.Fatal(err)
	}
	got := append([]Term{cur}, next...)
	if len(got) != len(want) {
		t.Fatalf("got %d terms, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Party != w.party || !got[i].Start.Equal(day(w.start)) || !got[i].End.Equal(day(w.end)) {
			t.Errorf("term %d = %s %s..%s, want %s %s..%s", i, got[i].Party,
				got[i].Start.Format(time.DateOnly), got[i].End.Format(time.DateOnly), w.party, w.start, w.end)
		}
	}
	tests := []struct {
		at   time.Time
		want string
	}{
		{day("2026-12-01"), "IQ"},
		{day("2027-03-01").Add(-time.Nanosecond), "IQ"},
		{day("2027-03-01"), "SY"},
		{day("2027-11-30").Add(23 * time.Hour), "RU"},
		{day("2036-12-01"), "IQ"}, // 40 terms later, the order still holds
	}
	for _, tt := range tests {
		term, err := ChairAt(demo, nil, tt.at)
		if err != nil || term.Party != tt.want {
			t.Errorf("ChairAt(%s) = %s, %v; want %s", tt.at, term.Party, err, tt.want)
		}
	}
	if _, err := ChairAt(demo, nil, day("2026-11-30")); !errors.Is(err, ErrNotStarted) {
		t.Errorf("ChairAt before the start = %v, want ErrNotStarted", err)
	}
	cur, early, err := Schedule(demo, nil, day("2026-11-15"), 2)
	if err != nil || cur.Party != "" || len(early) != 2 || early[0].Party != "IQ" || !early[0].Start.Equal(demo.Start) {
		t.Errorf("Schedule before the start = %+v, %+v, %v; want no chair, then IQ from the start", cur, early, err)
	}
}

func TestActs(t *testing.T) {
	at := func(s string, h int) time.Time { return day(s).Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name    string
		acts    []Act
		want    []string // "PARTY START END" of the first terms
		wantErr bool
	}{
		{"early handover takes effect at the next midnight",
			[]Act{{Kind: Handover, At: at("2027-01-15", 14), Party: "IQ"}},
			[]string{"IQ 2026-12-01 2027-01-16", "SY 2027-01-16 2027-04-16", "IR 2027-04-16 2027-07-16"}, false},
		{"handover by a party not chairing",
			[]Act{{Kind: Handover, At: at("2027-01-15", 14), Party: "SY"}}, nil, true},
		{"handover on the last day changes nothing and is refused",
			[]Act{{Kind: Handover, At: at("2027-02-28", 10), Party: "IQ"}}, nil, true},
		{"new term length from the next term",
			[]Act{{Kind: SetTerm, At: at("2027-01-10", 0), Months: 1}},
			[]string{"IQ 2026-12-01 2027-03-01", "SY 2027-03-01 2027-04-01", "IR 2027-04-01 2027-05-01"}, false},
		{"term over the maximum refused",
			[]Act{{Kind: SetTerm, At: at("2027-01-10", 0), Months: 4}}, nil, true},
		{"new order from the next term, continuing after the chair",
			[]Act{{Kind: SetOrder, At: at("2027-01-10", 0), Order: []string{"IQ", "RU", "IR", "SY"}}},
			[]string{"IQ 2026-12-01 2027-03-01", "RU 2027-03-01 2027-06-01", "IR 2027-06-01 2027-09-01", "SY 2027-09-01 2027-12-01"}, false},
		{"order that drops a member refused",
			[]Act{{Kind: SetOrder, At: at("2027-01-10", 0), Order: []string{"IQ", "RU", "IR"}}}, nil, true},
		{"removed party skipped",
			[]Act{{Kind: RemoveMember, At: at("2027-01-10", 0), Party: "SY"}},
			[]string{"IQ 2026-12-01 2027-03-01", "IR 2027-03-01 2027-06-01", "RU 2027-06-01 2027-09-01", "IQ 2027-09-01 2027-12-01"}, false},
		{"removed chair leaves at the next midnight",
			[]Act{{Kind: RemoveMember, At: at("2027-01-10", 9), Party: "IQ"}},
			[]string{"IQ 2026-12-01 2027-01-11", "SY 2027-01-11 2027-04-11", "IR 2027-04-11 2027-07-11", "RU 2027-07-11 2027-10-11", "SY 2027-10-11 2028-01-11"}, false},
		{"new member joins at the end",
			[]Act{{Kind: AddMember, At: at("2027-01-10", 0), Party: "JO"}},
			[]string{"IQ 2026-12-01 2027-03-01", "SY 2027-03-01 2027-06-01", "IR 2027-06-01 2027-09-01", "RU 2027-09-01 2027-12-01", "JO 2027-12-01 2028-03-01", "IQ 2028-03-01 2028-06-01"}, false},
		{"adding a member twice refused",
			[]Act{{Kind: AddMember, At: at("2027-01-10", 0), Party: "SY"}}, nil, true},
		{"before the start, changes shape the first term",
			[]Act{{Kind: SetTerm, At: at("2026-11-20", 0), Months: 1}, {Kind: RemoveMember, At: at("2026-11-21", 0), Party: "IQ"}},
			[]string{"SY 2026-12-01 2027-01-01", "IR 2027-01-01 2027-02-01", "RU 2027-02-01 2027-03-01", "SY 2027-03-01 2027-04-01"}, false},
		{"no handover before the start",
			[]Act{{Kind: Handover, At: at("2026-11-20", 0), Party: "IQ"}}, nil, true},
		{"acts out of order refused",
			[]Act{{Kind: SetTerm, At: at("2027-02-10", 0), Months: 1}, {Kind: SetTerm, At: at("2027-01-10", 0), Months: 2}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, err := Timeline(demo, tt.acts, day("2030-01-01"))
			if tt.wantErr {
				if err == nil {
					t.Fatal("Timeline accepted acts that break the rules")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tt.want {
				g := fmt.Sprintf("%s %s %s", terms[i].Party, terms[i].Start.Format(time.DateOnly), terms[i].End.Format(time.DateOnly))
				if g != w {
					t.Errorf("term %d = %s, want %s", i, g, w)
				}
			}
		})
	}
}

// TestRotationProperties replays twenty simulated years of random handovers
// and amendments and checks the rotation's invariants after every step.
func TestRotationProperties(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 99))
		r := Rotation{Order: []string{"IQ", "SY", "IR", "RU"}, FirstChair: []string{"IQ", "SY", "IR", "RU"}[rng.IntN(4)],
			Start: day("2026-12-01"), TermMonths: 1 + rng.IntN(3), MaxTermMonths: 3}
		members := slices.Clone(r.Order)
		var acts []Act
		now := r.Start
		end := day("2046-12-01")
		candidates := []string{"JO", "TR", "EG", "KZ", "AM"}
		for now.Before(end) {
			now = now.Add(time.Duration(rng.IntN(40*24)) * time.Hour).Add(time.Duration(rng.IntN(3600)) * time.Second)
			cur, err := ChairAt(r, acts, now)
			if err != nil {
				t.Fatalf("seed %d: ChairAt: %v", seed, err)
			}
			var a Act
			switch rng.IntN(6) {
			case 0:
				a = Act{Kind: Handover, At: now, Party: cur.Party}
			case 1:
				a = Act{Kind: SetTerm, At: now, Months: 1 + rng.IntN(3)}
			case 2:
				o := slices.Clone(members)
				rng.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
				a = Act{Kind: SetOrder, At: now, Order: o}
			case 3:
				a = Act{Kind: AddMember, At: now, Party: candidates[rng.IntN(len(candidates))]}
			case 4:
				a = Act{Kind: RemoveMember, At: now, Party: members[rng.IntN(len(members))]}
			default:
				continue
			}
			// An act the rules refuse is not recorded, as the write path
			// refuses it.
			if _, err := Timeline(r, append(slices.Clone(acts), a), now.AddDate(0, 4, 0)); err != nil {
				continue
			}
			acts = append(acts, a)
			switch a.Kind {
			case AddMember:
				members = append(members, a.Party)
			case RemoveMember:
				members = slices.DeleteFunc(members, func(p string) bool { return p == a.Party })
			case SetOrder:
				members = slices.Clone(a.Order)
			}
			checkTimeline(t, seed, r, acts, now)
		}
		if len(acts) < 50 {
			t.Fatalf("seed %d: only %d acts recorded; the generator is too timid", seed, len(acts))
		}
	}
}

func checkTimeline(t *testing.T, seed uint64, r Rotation, acts []Act, now time.Time) {
	t.Helper()
	terms, err := Timeline(r, acts, now.AddDate(2, 0, 0))
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	// Who was a member when, from the acts.
	isMember := func(p string, at time.Time) bool {
		in := slices.Contains(r.Order, p)
		for _, a := range acts {
			if a.At.After(at) {
				break
			}
			switch {
			case a.Kind == AddMember && a.Party == p:
				in = true
			case a.Kind == RemoveMember && a.Party == p:
				// A removed chair stays until its term ends, which the
				// term's End already reflects.
				in = false
			}
		}
		return in
	}
	for i, term := range terms {
		if i == 0 && (!term.Start.Equal(r.Start) || term.Party != r.FirstChair) {
			t.Fatalf("seed %d: first term %+v", seed, term)
		}
		if i > 0 && !term.Start.Equal(terms[i-1].End) {
			t.Fatalf("seed %d: gap or overlap between %+v and %+v", seed, terms[i-1], term)
		}
		if !term.Start.Equal(Midnight(term.Start)) || !term.End.Equal(Midnight(term.End)) {
			t.Fatalf("seed %d: term %+v does not run midnight to midnight", seed, term)
		}
		if !term.End.After(term.Start) || term.End.After(AddMonths(term.Start, MaxTermMonths)) {
			t.Fatalf("seed %d: term %+v longer than %d months or empty", seed, term, MaxTermMonths)
		}
		if i > 0 && term.Party == terms[i-1].Party {
			t.Fatalf("seed %d: %s chairs two terms in a row: %+v, %+v", seed, term.Party, terms[i-1], term)
		}
		if !isMember(term.Party, term.Start) {
			t.Fatalf("seed %d: %s chairs from %s without being a member", seed, term.Party, term.Start)
		}
	}
}
