package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
)

// testSearchPrefix: a word typed with '*' finds the words, stems and
// whole observables that start with it, and never a report the viewer
// may not see — not in the hits, the total, the facets or the snippets.
func testSearchPrefix(t *testing.T, f *fixture) {
	f.found()
	f.rec.IndexWith(analyze.Indexer{})
	s := analyze.NewSearcher(f.s, analyze.StarterAliases())
	f.submit("IQ", center.Draft{Title: "beacon", Body: "The implant beacons to evil.example.com and exploits CVE-2025-22268 from 192.168.7.20.", TLP: center.TLPGreen, Distribution: all})
	f.submit("RU", center.Draft{Title: "ru", Body: "Боевики замечены у границы, информация подтверждена.", TLP: center.TLPGreen, Distribution: all})
	f.submit("IR", center.Draft{Title: "fa", Body: "نیروهای ویژه در نزدیکی مرز دیده شدند.", Language: "fa", TLP: center.TLPGreen, Distribution: all})
	f.submit("SY", center.Draft{Title: "hidden", Body: "Exfiltration from 192.168.9.9 to evil.exfil.net, infrastructure of the same implant.", TLP: center.TLPRed, Distribution: toParties("RU")})

	tests := []struct {
		name   string
		viewer center.PartyCode
		q      string
		want   []string
	}{
		{"a word's beginning", "IQ", "impla*", []string{"beacon"}},
		{"its audience finds a hidden report", "RU", "impla*", []string{"beacon", "hidden"}},
		{"Cyrillic, case folded", "IQ", "БОЕВ*", []string{"ru"}},
		{"Persian letters as indexed (ی as ي)", "IQ", "نیرو*", []string{"fa"}},
		{"a whole word is its own prefix", "IQ", "beacons*", []string{"beacon"}},
		{"the end of a word is no prefix", "IQ", "plant*", nil},
		{"an IP's first octets", "IQ", "192.168.*", []string{"beacon"}},
		{"a hidden report's IP stays hidden", "IQ", "192.168.9*", nil},
		{"its audience finds the IP", "RU", "192.168.9*", []string{"hidden"}},
		{"a domain's beginning, as a word", "IQ", "evil*", []string{"beacon"}},
		{"a domain's beginning with its dot", "RU", "evil.ex*", []string{"beacon", "hidden"}},
		{"a CVE year", "IQ", "cve-2025-*", []string{"beacon"}},
		{"punctuation around a prefix", "IQ", "(impla*", []string{"beacon"}},
		{"OR a word", "IQ", "impla* OR границы", []string{"beacon", "ru"}},
		{"and a word", "RU", "impla* exfiltration", []string{"hidden"}},
		{"excluded", "RU", "impla* -exfil*", []string{"beacon"}},
		{"with a filter", "RU", "evil* source:SY", []string{"hidden"}},
		{"nothing starts so", "IQ", "zzzq*", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantFound(t, f, s, tt.viewer, tt.q, tt.want) })
	}

	// The snippet marks the words the prefix matched, as written.
	res, err := s.Search(f.ctx, "IQ", "IMPLA* evil*", 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("found %d reports, want 1", len(res.Hits))
	}
	var marked []string
	sn := res.Hits[0].Snippet
	for _, r := range sn.Highlights {
		marked = append(marked, sn.Text[r[0]:r[1]])
	}
	if want := []string{"implant", "evil.example.com"}; !slices.Equal(marked, want) {
		t.Errorf("snippet %q marks %q, want %q", sn.Text, marked, want)
	}

	// A prefix too short to bound the index's work is a query error.
	for _, q := range []string{"im*", "*", "-ab*", `"a phrase"*`} {
		_, err := s.Search(f.ctx, "IQ", q, 0, 20)
		var qe *analyze.QueryError
		if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "'*'") {
			t.Errorf("%q: error %v, want a query error about '*'", q, err)
		}
	}
}
