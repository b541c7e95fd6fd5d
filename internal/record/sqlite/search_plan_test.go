package sqlite

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// TestSearchPlans checks that a text search walks the index's matches in
// the outer loop whatever the filters: with the viewer's rows outside, a
// filtered search for a common word ran the MATCH once per row, seconds
// on 100,000 reports.
func TestSearchPlans(t *testing.T) {
	s := planStore(t)
	word := store.TextQuery{All: []store.Alternatives{{{Surface: []string{"قافله"}, Stems: []string{"قافل"}}}}}
	for _, tt := range planCases {
		t.Run(tt.desc, func(t *testing.T) {
			sq, err := s.searchSQL(context.Background(), "SY", store.SearchQuery{Text: word, Filter: tt.filter, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			// The filter narrows the index's matches before the join.
			if narrows := strings.Contains(sq.args[1].(string), "filters : "); narrows != (tt.desc != "no filter") {
				t.Errorf("MATCH %q: narrowed by the filter = %v", sq.args[1], narrows)
			}
			query, args := sq.rankQuery(tt.r)
			plan := queryPlan(t, s, query, args...)
			if len(plan) == 0 || !strings.HasPrefix(plan[0], "SCAN search VIRTUAL TABLE") {
				t.Errorf("rank plan:\n%s\nwant the search index's matches outermost", strings.Join(plan, "\n"))
			}
			// Each match's view is one rowid seek (migration 00024).
			if !slices.Contains(plan, "SEARCH rv USING PRIMARY KEY (view=?)") {
				t.Errorf("rank plan:\n%s\nwant each match's view found by its key", strings.Join(plan, "\n"))
			}
			// The window's statement: its first scan is the index's.
			query, args = sq.windowQuery(0, 5000, true)
			plan = queryPlan(t, s, query, args...)
			if i := slices.IndexFunc(plan, func(l string) bool { return strings.Contains(l, "SCAN") || strings.Contains(l, "SEARCH") }); i < 0 || !strings.Contains(plan[i], "SCAN search VIRTUAL TABLE") {
				t.Errorf("window plan:\n%s\nwant the search index's matches outermost", strings.Join(plan, "\n"))
			}
			// A part of a split window: FTS5 seeks its seqs (the index's
			// plan names both rowid bounds), and no sort follows.
			query, args = sq.seqs([]int64{900, 400}, 0).windowQuery(0, 5000, true)
			plan = queryPlan(t, s, query, args...)
			if i := slices.IndexFunc(plan, func(l string) bool { return strings.Contains(l, "SCAN search VIRTUAL TABLE") }); i < 0 ||
				!strings.Contains(plan[i], "<") || !strings.Contains(plan[i], ">") || strings.Contains(strings.Join(plan, "\n"), "TEMP B-TREE") {
				t.Errorf("part plan:\n%s\nwant the index to seek both bounds, and no sort", strings.Join(plan, "\n"))
			}
		})
	}
}

// planCases are the filters and stretches of a ranking whose plans the
// tests check.
var planCases = []struct {
	desc   string
	filter store.SearchFilter
	r      store.SearchRange
}{
	{"no filter", store.SearchFilter{}, store.SearchRange{Limit: 21}},
	{"a source, in the window", store.SearchFilter{Sources: []center.PartyCode{"IQ"}}, store.SearchRange{Segment: store.FromBound, Bound: 500, Limit: 21}},
	{"a language, after a key", store.SearchFilter{Languages: []string{"ar"}}, store.SearchRange{Segment: store.BeforeBound, Bound: 500, After: &store.SearchKey{Bound: 500, Older: true, Score: 1, Seq: 400}, Limit: 21}},
	{"a TLP and a tag", store.SearchFilter{TLPs: []center.TLP{center.TLPGreen}, Tags: []string{"x"}}, store.SearchRange{Limit: 21}},
}

// TestBrowsePlans: a search without text walks the viewer's views newest
// first as one range of keys, whatever the page, and sorts nothing.
func TestBrowsePlans(t *testing.T) {
	s := planStore(t)
	for _, tt := range planCases {
		t.Run(tt.desc, func(t *testing.T) {
			sq, err := s.searchSQL(context.Background(), "SY", store.SearchQuery{Filter: tt.filter, Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			query, args := sq.rankQuery(tt.r)
			plans := map[string][]string{"rank": queryPlan(t, s, query, args...)}
			query, args = sq.windowQuery(0, 5000, false)
			plans["window"] = queryPlan(t, s, query, args...)
			for name, plan := range plans {
				joined := strings.Join(plan, "\n")
				if !strings.Contains(joined, "SEARCH rv USING PRIMARY KEY (view>? AND view<?)") || strings.Contains(joined, "TEMP B-TREE") {
					t.Errorf("%s plan:\n%s\nwant the viewer's range of keys, and no sort", name, joined)
				}
			}
		})
	}
}

// TestSearchHitsPlan: a page's versions are read by their seqs, not by a
// scan of every version.
func TestSearchHitsPlan(t *testing.T) {
	s := planStore(t)
	plan := queryPlan(t, s, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq IN (SELECT value FROM json_each(?))`, "[3,1,2]")
	joined := strings.Join(plan, "\n")
	if strings.Contains(joined, "SCAN v") || strings.Contains(joined, "SCAN r") {
		t.Errorf("plan:\n%s\nwant each version found by its seq", joined)
	}
}

// TestFTSMatch checks the MATCH expressions of text queries: each distinct
// token is one phrase, sought in the columns its alternatives name.
func TestFTSMatch(t *testing.T) {
	w := func(surface, stem string) store.Seq {
		return store.Seq{Surface: []string{surface}, Stems: []string{stem}}
	}
	phrase := func(stems ...string) store.Seq { return store.Seq{Surface: stems, Stems: stems} }
	prefix := func(p string) store.Seq { return store.Seq{Surface: []string{p}, Stems: []string{p}, Prefix: true} }
	for _, tt := range []struct {
		desc string
		q    store.TextQuery
		want string
	}{
		{"a word", store.TextQuery{All: []store.Alternatives{{w("قافله", "قافل")}}},
			`({surface stems} : "قافله" OR stems : "قافل")`},
		{"a word that is its own stem", store.TextQuery{All: []store.Alternatives{{w("convoy", "convoy")}}},
			`({surface stems} : "convoy")`},
		{"two spellings of one surface form", store.TextQuery{All: []store.Alternatives{{w("فعاله", "فعال"), w("فعاله", "فعاله")}}},
			`({surface stems} : "فعاله" OR stems : "فعال")`},
		{"one stem for two surface forms", store.TextQuery{All: []store.Alternatives{{w("داعش", "داعش"), w("isis", "isis"), w("الدوله", "دوله")}}},
			`({surface stems} : "داعش" OR {surface stems} : "isis" OR {surface stems} : "الدوله" OR stems : "دوله")`},
		{"a phrase, twice, and a word", store.TextQuery{All: []store.Alternatives{{phrase("دوله", "اسلام"), w("داعش", "داعش"), phrase("دوله", "اسلام")}}},
			`({surface stems} : "داعش" OR stems : "دوله اسلام")`},
		{"an observable", store.TextQuery{All: []store.Alternatives{{w("10.0.0.1", "10.0.0.1")}}},
			`({surface stems} : "0x31302e302e302e31")`},
		{"a prefix, also of the tokens with punctuation", store.TextQuery{All: []store.Alternatives{{prefix("evil")}}},
			`({surface stems} : "evil"* OR {surface stems} : "0x6576696c"*)`},
		{"a prefix with punctuation", store.TextQuery{All: []store.Alternatives{{prefix("10.0."), w("convoy", "convoy")}}},
			`({surface stems} : "convoy" OR {surface stems} : "0x31302e302e"*)`},
		{"a prefix twice, and excluded", store.TextQuery{All: []store.Alternatives{{prefix("قافل"), prefix("قافل")}}, None: []store.Seq{prefix("evil")}},
			`({surface stems} : "قافل"* OR {surface stems} : "0xd982d8a7d981d984"*) NOT ({surface stems} : "evil"* OR {surface stems} : "0x6576696c"*)`},
		{"two groups and exclusions", store.TextQuery{
			All:  []store.Alternatives{{w("convoy", "convoy")}, {w("border", "border")}},
			None: []store.Seq{w("river", "river"), w("rivers", "river")}},
			`({surface stems} : "convoy") AND ({surface stems} : "border") NOT ({surface stems} : "river" OR {surface stems} : "rivers")`},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := ftsMatch(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ftsMatch:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	for _, bad := range []store.TextQuery{
		{},
		{All: []store.Alternatives{{}}},
		{All: []store.Alternatives{{{Surface: []string{"a", "b"}, Stems: []string{"a"}}}}},
		{All: []store.Alternatives{{w("a", "a")}}, None: []store.Seq{{}}},
		{All: []store.Alternatives{{prefix("ab")}}},
		{All: []store.Alternatives{{{Surface: []string{"abc", "def"}, Stems: []string{"abc", "def"}, Prefix: true}}}},
		{All: []store.Alternatives{{{Surface: []string{"implant"}, Stems: []string{"impl"}, Prefix: true}}}},
	} {
		if got, err := ftsMatch(bad); err == nil {
			t.Errorf("ftsMatch(%+v) = %q, want an error", bad, got)
		}
	}
}

// TestFTSSurfaceText: the surface column holds the surface forms that
// differ from their stems, encoded as the stems column's tokens are.
func TestFTSSurfaceText(t *testing.T) {
	for _, tt := range []struct {
		desc string
		doc  store.SearchDoc
		want string
	}{
		{"no tokens", store.SearchDoc{}, ""},
		{"every form its own stem", store.SearchDoc{Surface: []string{"convoy", "بغداد"}, Stems: []string{"convoy", "بغداد"}}, ""},
		{"some stemmed", store.SearchDoc{Surface: []string{"convoys", "near", "والقافله", "10.0.0.1"}, Stems: []string{"convoy", "near", "قافل", "10.0.0.1"}},
			"convoys والقافله"},
		{"an observable changed", store.SearchDoc{Surface: []string{"Evil.example"}, Stems: []string{"evil.example"}},
			"0x4576696c2e6578616d706c65"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			if got := ftsSurfaceText(tt.doc); got != tt.want {
				t.Errorf("ftsSurfaceText = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestDeleteOlderViewsPlan: a new version's views replace the older ones
// by key, not by a scan of the parties' views.
func TestDeleteOlderViewsPlan(t *testing.T) {
	s := planStore(t)
	plan := strings.Join(queryPlan(t, s, deleteOlderViews, `[1099511627776,2199023255552]`, 1, 2), "\n")
	if !strings.Contains(plan, "SEARCH report_views USING PRIMARY KEY (view=?)") {
		t.Errorf("plan:\n%s\nwant each view found by its key", plan)
	}
}
