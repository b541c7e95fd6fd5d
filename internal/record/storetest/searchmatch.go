package storetest

import (
	"slices"
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// testSubscriptionsMatchAsSearch: a subscription's query, matched in Go
// against each new version (store.Filter.Matches), selects exactly the
// reports a search with that query finds in the index. The two are
// separate implementations of one query language; this keeps them one.
func testSubscriptionsMatchAsSearch(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	s := analyze.NewSearcher(f.s, analyze.StarterAliases())
	drafts := []center.Draft{
		{Title: "seed", Body: seedArticle},
		{Title: "convoy", Body: "قافلة عند الحدود مع إيران، ولا قوافل أخرى. Convoys of trucks."},
		{Title: "ru", Body: "Боевики ИГИЛ замечены у границы. Ёлка. Это необходимо."},
		{Title: "fa", Body: "نیروهای داعش در نزدیکی مرز ایران دیده شدند.", Language: "fa"},
		{Title: "iocs", Body: "Beacon to evil.example.com from 192.168.7.20, CVE-2025-22268, hash d41d8cd98f00b204e9800998ecf8427e."},
		{Title: "en", Body: "The implants were deployed against border infrastructure; houses nearby were searched."},
	}
	for i := range drafts {
		drafts[i].TLP, drafts[i].Distribution = center.TLPGreen, all
	}
	type version struct {
		rep center.Report
		doc store.SearchDoc
	}
	var versions []version
	for _, d := range drafts {
		rep := f.submit("IQ", d)
		doc, _ := analyze.Indexer{}.AnalyzeReport(rep.Title, rep.Body, rep.Language)
		versions = append(versions, version{rep, doc})
	}
	for _, q := range []string{
		"إيران", "ايران", "قافلة", "قوافل", "convoy", "الحدود -إيران", `"خلية بغداد"`, `"بغداد خلية"`,
		"ISIS", "داعش OR Ёлка", "необходим", "елка", "houses", "house", "impla*", "infra*", "evil*", "evil.ex*",
		"192.168.*", "cve-2025-*", "d41d8*", "192.168.7.20", "قاف*", "-قاف* implants", "بغدا*", "نیرو*", "zzzq*",
		`"قافلة عند" OR evil*`, `границы -"ИГИЛ замечены"`, `"الدولة الإسلامية"`, "ايران lang:fa", "Ёлка sort:newest", "قافلة source:IQ tlp:green", "قافلة source:SY",
	} {
		text, where, err := analyze.CompileFilter(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		filter := store.Filter{Query: q, Text: text, Where: where}
		var matched []string
		for _, v := range versions {
			if filter.Matches(&v.rep, &v.doc) {
				matched = append(matched, v.rep.Title)
			}
		}
		slices.Sort(matched)
		res, err := s.Search(f.ctx, "IQ", q, 0, 20)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if found := titlesOf(res); !slices.Equal(found, matched) {
			t.Errorf("%q: a subscription matches %v, a search finds %v", q, matched, found)
		}
	}
}
