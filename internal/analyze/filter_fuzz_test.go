package analyze_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// FuzzFilterMatchesAsSearch: for any query, a subscription's filter
// (analyze.CompileFilter, then store.Filter.Matches on each version as
// recorded) selects exactly the reports a search with that query finds
// in the index, and a query one refuses the other refuses too. The store
// contract's SubscriptionsMatchAsSearch checks chosen queries on both
// backends; this tries arbitrary ones on SQLite.
func FuzzFilterMatchesAsSearch(f *testing.F) {
	for _, s := range []string{
		"إيران", "قافلة -الحدود", `"خلية بغداد"`, "ISIS OR Ёлка", "необходим", "impla*", "evil*", "192.168.*",
		"cve-2025-* source:IQ", "قاف* lang:ar", "houses sort:newest", `"the implants" OR infra*`, "ab*", `"x`,
	} {
		f.Add(s)
	}
	ctx := context.Background()
	c := testcenter.Found(f, nil)
	searcher := analyze.NewSearcher(c.Store, analyze.StarterAliases())
	type version struct {
		rep center.Report
		doc store.SearchDoc
	}
	var versions []version
	for i, body := range []string{
		"قافلة عند الحدود مع إيران، ولا قوافل أخرى. في خلية بغداد.",
		"Боевики ИГИЛ замечены у границы. Ёлка. Это необходимо.",
		"نیروهای داعش در نزدیکی مرز ایران دیده شدند.",
		"Beacon to evil.example.com from 192.168.7.20, CVE-2025-22268; the implants hit infrastructure; houses searched.",
	} {
		source := []center.PartyCode{"IQ", "RU", "IR", "SY"}[i]
		rep, err := c.Recorder.SubmitReport(ctx, testkit.Analyst(source), center.Draft{Title: "r" + string(rune('0'+i)), Body: body, TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
		if err != nil {
			f.Fatal(err)
		}
		doc, _ := analyze.Indexer{}.AnalyzeReport(rep.Title, rep.Body, rep.Language)
		versions = append(versions, version{rep, doc})
	}
	f.Fuzz(func(t *testing.T, q string) {
		text, where, ferr := analyze.CompileFilter(q)
		res, serr := searcher.Search(ctx, "IQ", q, 0, 20)
		var qe *analyze.QueryError
		if ferr != nil || serr != nil {
			if !errors.As(ferr, &qe) || !errors.As(serr, &qe) {
				t.Fatalf("%q: the filter says %v, the search %v", q, ferr, serr)
			}
			return
		}
		filter := store.Filter{Query: q, Text: text, Where: where}
		var matched, found []string
		for _, v := range versions {
			if filter.Matches(&v.rep, &v.doc) {
				matched = append(matched, v.rep.ID)
			}
		}
		for _, h := range res.Hits {
			found = append(found, h.Report.ID)
		}
		slices.Sort(matched)
		slices.Sort(found)
		if !slices.Equal(matched, found) {
			t.Fatalf("%q: a subscription matches %v, a search finds %v", q, matched, found)
		}
	})
}
