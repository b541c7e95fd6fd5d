package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/demo"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// seedArticle is the founding article: real Arabic with spelling variants
// (ايران / إيران, الامم / الأمم) and two names of one group.
var seedArticle = demo.ArticleAR

func titlesOf(res analyze.Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Report.Title)
	}
	slices.Sort(out)
	return out
}

// wantFound checks that viewer's search q finds the reports titled want
// (sorted) and no other: in the hits, the total and the source facets,
// each hit one the viewer may see.
func wantFound(t *testing.T, f *fixture, s *analyze.Searcher, viewer center.PartyCode, q string, want []string) {
	t.Helper()
	res, err := s.Search(f.ctx, viewer, q, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got := titlesOf(res); !slices.Equal(got, want) {
		t.Errorf("%s: %q found %v, want %v", viewer, q, got, want)
	}
	if res.Total != len(want) {
		t.Errorf("total %d, want %d", res.Total, len(want))
	}
	n := 0
	for src, c := range res.Facets.Sources {
		n += c
		if !slices.ContainsFunc(res.Hits, func(h analyze.Hit) bool { return h.Report.Source == src }) {
			t.Errorf("facet counts source %s, which no visible hit has", src)
		}
	}
	if n != res.Total {
		t.Errorf("source facets sum to %d, total is %d", n, res.Total)
	}
	for _, h := range res.Hits {
		if !h.Report.VisibleTo(viewer) {
			t.Errorf("%s sees %s", viewer, h.Report.Title)
		}
	}
}

func testSearch(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	s := analyze.NewSearcher(f.s, analyze.StarterAliases())
	f.submit("IQ", center.Draft{Title: "seed", Body: seedArticle, TLP: center.TLPGreen, Distribution: all, Tags: []string{"isis"}})
	f.clock.Advance(time.Hour)
	f.submit("RU", center.Draft{Title: "ru", Body: "Боевики ИГИЛ замечены у границы. Ёлка. Это необходимо.", TLP: center.TLPAmber, Distribution: toParties("IQ"), Tags: []string{"border"}})
	f.clock.Advance(time.Hour)
	f.submit("SY", center.Draft{Title: "hidden", Body: "تنظيم الدولة الإسلامية قرب الرقة. Indicator 10.20.30.40", TLP: center.TLPRed, Distribution: toParties("RU")})
	f.clock.Advance(time.Hour)
	f.submit("IR", center.Draft{Title: "fa", Body: "نیروهای داعش در نزدیکی مرز ایران دیده شدند.", Language: "fa", TLP: center.TLPGreen, Distribution: all})

	tests := []struct {
		name   string
		viewer center.PartyCode
		q      string
		want   []string
	}{
		{"hamza variant, written without", "IQ", "ايران", []string{"fa", "seed"}},
		{"hamza variant, written with", "IQ", "إيران", []string{"fa", "seed"}},
		{"alef variant", "IQ", "الأمم", []string{"seed"}},
		{"proclitic on a name", "IQ", "والعراق", []string{"seed"}},
		{"alias across scripts", "IQ", "ISIS", []string{"fa", "ru", "seed"}},
		{"alias by a phrase", "IQ", `"الدولة الإسلامية"`, []string{"fa", "ru", "seed"}},
		{"a hidden report stays hidden", "IQ", "الرقة", nil},
		{"a hidden report's observable stays hidden", "IQ", "10.20.30.40", nil},
		{"its audience finds it", "RU", "10.20.30.40", []string{"hidden"}},
		{"phrase in order", "IQ", `"خلية بغداد"`, []string{"seed"}},
		{"phrase out of order", "IQ", `"بغداد خلية"`, nil},
		{"exclusion", "IQ", "داعش -موسكو", []string{"fa", "ru"}},
		{"OR, and an alias expands", "IQ", "الرقة OR ИГИЛ", []string{"fa", "ru", "seed"}},
		{"OR", "IQ", "الرقة OR Ёлка", []string{"ru"}},
		{"source filter", "IQ", "داعش source:IR", []string{"fa"}},
		{"tlp filter", "IQ", "tlp:amber", []string{"ru"}},
		{"language filter", "IQ", "داعش lang:fa", []string{"fa"}},
		{"detected language", "IQ", "lang:ru", []string{"ru"}},
		{"tag filter", "IQ", "tag:isis", []string{"seed"}},
		{"words and a tag", "IQ", "داعش tag:border", []string{"ru"}},
		{"words and a TLP", "IQ", "داعش tlp:amber", []string{"ru"}},
		{"words and either of two sources", "IQ", "داعش source:IR source:RU", []string{"fa", "ru"}},
		{"words and a language no match has", "IQ", "داعش lang:en", nil},
		{"since", "IQ", "since:2026-12-01T08:30:00Z", []string{"fa", "ru"}},
		{"Russian ё", "IQ", "елка", []string{"ru"}},
		// необходимо stems to необходим, which stems to необход: a word's
		// surface form is sought among the stems too.
		{"a word that is another's stem", "IQ", "необходим", []string{"ru"}},
		{"no such word", "IQ", "zzzzzz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantFound(t, f, s, tt.viewer, tt.q, tt.want) })
	}

	// Snippets come from the original text, with the matches marked.
	res, err := s.Search(f.ctx, "IQ", "إيران", 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if len(h.Snippet.Highlights) == 0 {
			t.Errorf("%s: no highlight in %q", h.Report.Title, h.Snippet.Text)
		}
		for _, r := range h.Snippet.Highlights {
			if w := h.Snippet.Text[r[0]:r[1]]; w != "إيران" && w != "ايران" && w != "ایران" && w != "وإيران" && w != "وايران" {
				t.Errorf("%s: highlight %q is not a form of Iran", h.Report.Title, w)
			}
		}
	}

	// A revision is found by its new words for the parties that see it;
	// a party that saw only the old version keeps finding that.
	rep := f.submit("IQ", center.Draft{Title: "v1", Body: "قافلة عند الحدود", TLP: center.TLPGreen, Distribution: toParties("SY")})
	if _, err := f.rec.ReviseReport(f.ctx, testkit.Analyst("IQ"), rep.ID, center.Draft{Title: "v2", Body: "قافلة عند المطار", TLP: center.TLPGreen, Distribution: toParties("RU")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		viewer center.PartyCode
		q      string
		want   []string
	}{
		{"SY", "الحدود", []string{"v1"}}, {"SY", "المطار", nil},
		{"RU", "المطار", []string{"v2"}}, {"RU", "الحدود", nil},
		{"IQ", "قافلة", []string{"v2"}}, {"IR", "قافلة", nil},
	} {
		res, err := s.Search(f.ctx, c.viewer, c.q, 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		if got := titlesOf(res); !slices.Equal(got, c.want) {
			t.Errorf("after revision, %s searching %q found %v, want %v", c.viewer, c.q, got, c.want)
		}
	}

	// Paging keeps the total and loses nothing.
	for i := range 7 {
		f.submit("IQ", center.Draft{Title: "page" + string(rune('a'+i)), Body: "تقرير عن بغداد", TLP: center.TLPGreen, Distribution: all})
	}
	var seen []string
	for offset := 0; ; offset += 3 {
		res, err := s.Search(f.ctx, "SY", "تقرير", offset, 3)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 7 {
			t.Fatalf("total %d at offset %d, want 7", res.Total, offset)
		}
		for _, h := range res.Hits {
			seen = append(seen, h.Report.ID)
		}
		if len(res.Hits) < 3 {
			break
		}
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 7 {
		t.Errorf("paging saw %d distinct reports, want 7", len(seen))
	}
}

// testSearchWindow: a query with more matches than its window ranks and
// counts only the newest visible ones, says its total is a lower bound,
// and ranks and counts them all when a page reaches past the window.
// Reports the viewer may not see take no place in the window.
func testSearchWindow(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	for i := range 30 {
		// The oldest reports say the word most often: BM25 would rank them
		// first without the window.
		body := "قافلة"
		for range 30 - i {
			body += " قافلة"
		}
		f.submit("IQ", center.Draft{Title: fmt.Sprintf("%02d", i), Body: body, TLP: center.TLPGreen, Distribution: all})
		// Newer still, but hidden from SY.
		f.submit("IR", center.Draft{Title: fmt.Sprintf("hidden %02d", i), Body: "قافلة", TLP: center.TLPAmber, Distribution: toParties("RU")})
		f.clock.Advance(time.Minute)
	}
	s := analyze.NewSearcher(f.s, nil)
	for _, tt := range []struct {
		name           string
		window         int
		q              string
		offset, limit  int
		total          int
		exact          bool
		newestOnly     bool // every hit among the newest ten
		hits, facetSum int
	}{
		{"the first page of a full window", 10, "قافلة", 0, 5, 10, false, true, 5, 10},
		{"the window's last page", 10, "قافلة", 5, 5, 10, false, true, 5, 10},
		{"a page past the window", 10, "قافلة", 10, 10, 30, true, false, 10, 30},
		{"a window the matches fill exactly", 30, "قافلة", 0, 5, 30, true, false, 5, 30},
		{"a window larger than the matches", 40, "قافلة", 0, 5, 30, true, false, 5, 30},
		{"no window", 0, "قافلة", 0, 5, 30, true, false, 5, 30},
		{"filters alone", 10, "source:IQ", 0, 5, 10, false, true, 5, 10},
		{"a filter the window respects", 10, "قافلة source:IR", 0, 5, 0, true, false, 0, 0},
		{"a page across the window's edge", 10, "قافلة", 8, 5, 30, true, false, 5, 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.WithWindow(tt.window).Search(f.ctx, "SY", tt.q, tt.offset, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != tt.total || res.TotalExact != tt.exact || len(res.Hits) != tt.hits {
				t.Errorf("total %d (exact %v), %d hits; want %d (exact %v), %d hits", res.Total, res.TotalExact, len(res.Hits), tt.total, tt.exact, tt.hits)
			}
			sum := 0
			for _, n := range res.Facets.Sources {
				sum += n
			}
			if sum != tt.facetSum {
				t.Errorf("source facets sum to %d, want %d", sum, tt.facetSum)
			}
			for _, h := range res.Hits {
				if h.Report.Source != "IQ" {
					t.Errorf("SY sees %s's report %q", h.Report.Source, h.Report.Title)
				}
				if tt.newestOnly && h.Report.Title < "20" {
					t.Errorf("hit %q is outside the newest ten", h.Report.Title)
				}
			}
		})
	}

	// Paging on through the window's edge sees every match once: the
	// window's ten by relevance, then the older ones.
	for _, limit := range []int{3, 7, 10} {
		var seen []string
		for offset := 0; offset < 40; offset += limit {
			res, err := s.WithWindow(10).Search(f.ctx, "SY", "قافلة", offset, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				seen = append(seen, h.Report.Title)
			}
		}
		if len(seen) != 30 {
			t.Errorf("pages of %d: %d hits, want 30", limit, len(seen))
			continue
		}
		for i, title := range seen {
			if (i < 10) != (title >= "20") {
				t.Errorf("pages of %d: hit %d is %q", limit, i, title)
			}
		}
		slices.Sort(seen)
		if len(slices.Compact(seen)) != 30 {
			t.Errorf("pages of %d repeat a report", limit)
		}
	}
	// Keyset paging gives the same order as offsets, page after page, and
	// ends with no Next.
	for _, tt := range []struct {
		window int
		q      string
	}{{10, "قافلة"}, {0, "قافلة"}, {40, "قافلة"}, {10, "source:IQ"}, {0, "source:IQ"}} {
		for _, limit := range []int{3, 7, 10} {
			name := fmt.Sprintf("window %d, %q, pages of %d", tt.window, tt.q, limit)
			var want []string
			for offset := 0; offset < 40; offset += limit {
				res, err := s.WithWindow(tt.window).Search(f.ctx, "SY", tt.q, offset, limit)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					want = append(want, h.Report.Title)
				}
			}
			var got []string
			var after *store.SearchKey
			for pages := 0; ; pages++ {
				if pages > 40 {
					t.Fatalf("%s: keyset paging does not end", name)
				}
				res, err := s.WithWindow(tt.window).SearchAfter(f.ctx, "SY", tt.q, after, limit)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					got = append(got, h.Report.Title)
				}
				if res.Next == nil {
					if len(res.Hits) == 0 && pages > 0 {
						t.Errorf("%s: an empty last page", name)
					}
					break
				}
				if len(res.Hits) != limit {
					t.Errorf("%s: a short page (%d hits) with a next", name, len(res.Hits))
				}
				after = res.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: keyset order\n%v\nwant the offsets' order\n%v", name, got, want)
			}
		}
	}

	// A report that arrives between pages neither shifts nor repeats the
	// pages after it: the first page's window bound holds.
	first, err := s.WithWindow(10).SearchAfter(f.ctx, "SY", "قافلة", nil, 7)
	if err != nil {
		t.Fatal(err)
	}
	f.submit("IQ", center.Draft{Title: "late", Body: "قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة قافلة", TLP: center.TLPGreen, Distribution: all})
	seen := map[string]bool{}
	for _, h := range first.Hits {
		seen[h.Report.Title] = true
	}
	for after := first.Next; after != nil; {
		res, err := s.WithWindow(10).SearchAfter(f.ctx, "SY", "قافلة", after, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if seen[h.Report.Title] {
				t.Errorf("%q again after a report arrived", h.Report.Title)
			}
			seen[h.Report.Title] = true
		}
		after = res.Next
	}
	for i := range 30 {
		if !seen[fmt.Sprintf("%02d", i)] {
			t.Errorf("%02d skipped after a report arrived", i)
		}
	}

	// A key no page gave is refused, not compared.
	for _, k := range []store.SearchKey{{Seq: 0}, {Seq: 5, Score: math.NaN()}, {Seq: 5, Older: true}, {Seq: 5, Bound: -1}} {
		if _, err := s.SearchAfter(f.ctx, "SY", "قافلة", &k, 5); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("key %+v: %v, want ErrInvalid", k, err)
		}
	}
}
