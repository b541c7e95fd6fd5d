package api

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
)

// FuzzSubscriptionFilter: any subscription filter a client sends is either
// refused or compiles to one that matches reports without failing, and
// never selects a report its source or TLP lists exclude.
func FuzzSubscriptionFilter(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"sources":["IQ"],"tlp":["GREEN","AMBER"],"tags":["convoy"],"languages":["ar"],"query":"قافلة"}`,
		`{"query":"\"the convoy\" -drone source:SY lang:en"}`,
		`{"query":"قافلة OR کاروان since:2026-01-01"}`,
		`{"query":"قاف* -evil.ex* cve-2025-*"}`, `{"query":"ab*"}`,
		`{"query":"(unbalanced"}`,
		`{"query":"\""}`,
		`{"tlp":["PURPLE"]}`,
		`{"sources":["not a party"]}`,
		`{"languages":["Arabic"]}`,
		`{"query":"CVE-2024-3094 203.0.113.7 evil.example"}`,
		`{"tags":[""]}`,
		`{"query":"конвой tag:x tlp:RED"}`,
	} {
		f.Add([]byte(s))
	}
	ix := analyze.Indexer{}
	reports := []struct {
		rep  center.Report
		text string
	}{
		{center.Report{Source: "IQ", TLP: center.TLPGreen, Language: "ar", Tags: []string{"convoy"}, Version: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, "قافلة على الطريق"},
		{center.Report{Source: "SY", TLP: center.TLPAmber, Language: "en", Tags: []string{}, Version: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}, "the convoy and a drone near 203.0.113.7"},
		{center.Report{Source: "RU", TLP: center.TLPRed, Language: "ru", Tags: []string{"x"}, Version: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}, "конвой CVE-2024-3094"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v filterView
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		fl, err := parseFilter(v)
		if err != nil {
			return
		}
		if err := record.ValidateFilter(fl); err != nil {
			return
		}
		for _, r := range reports {
			doc, _ := ix.AnalyzeReport("", r.text, r.rep.Language)
			got := fl.Matches(&r.rep, &doc)
			if got && len(fl.Sources) > 0 && !slices.Contains(fl.Sources, r.rep.Source) {
				t.Fatalf("%s selects a report of %s", data, r.rep.Source)
			}
			if got && len(fl.TLP) > 0 && !slices.Contains(fl.TLP, r.rep.TLP) {
				t.Fatalf("%s selects a %s report", data, r.rep.TLP)
			}
			if !fl.Text.Empty() && fl.Matches(&r.rep, nil) {
				t.Fatalf("%s matches without text", data)
			}
			if len(fl.Sources)+len(fl.TLP)+len(fl.Tags)+len(fl.Languages) == 0 && fl.Query == "" && !got {
				t.Fatalf("the empty filter %s refuses a report", data)
			}
		}
	})
}
