package entity

import (
	"slices"
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// TestObservables is the extraction's table of observables: what is found
// (refanged, canonical) and what must not be — version numbers, dates,
// times, file names, prices and handles.
func TestObservables(t *testing.T) {
	cases := []struct {
		in   string
		want []string // kind:value, in text order; nil for none
	}{
		// IPv4
		{"10.0.0.1", []string{"ip:10.0.0.1"}},
		{"connect to 192.168.1.254:8080 now", []string{"ip:192.168.1.254"}},
		{"10[.]0[.]0[.]1", []string{"ip:10.0.0.1"}},
		{"10(.)0(.)0(.)2", []string{"ip:10.0.0.2"}},
		{"10{.}0{.}0{.}3", []string{"ip:10.0.0.3"}},
		{"10[dot]0[dot]0[dot]4", []string{"ip:10.0.0.4"}},
		{"seen at 8.8.8.8.", []string{"ip:8.8.8.8"}},
		{"(1.1.1.1)", []string{"ip:1.1.1.1"}},
		{"رصدنا اتصالا من 185.220.101.4 أمس", []string{"ip:185.220.101.4"}},
		{"адрес 10.1.2.4", []string{"ip:10.1.2.4"}},
		// IPv6
		{"2001:DB8:0:0:0:0:0:1", []string{"ip:2001:db8::1"}},
		{"fe80::1", []string{"ip:fe80::1"}},
		// Domains
		{"Example.COM", []string{"domain:example.com"}},
		{"evil.ru.", []string{"domain:evil.ru"}},
		{"sub.domain.co.uk", []string{"domain:sub.domain.co.uk"}},
		{"evil[.]com", []string{"domain:evil.com"}},
		{"evil(.)ru", []string{"domain:evil.ru"}},
		{"bad[dot]org", []string{"domain:bad.org"}},
		{"cdn.example.zip", []string{"domain:cdn.example.zip"}},
		{"the C2 was update-check.net, then", []string{"domain:update-check.net"}},
		// URLs
		{"hxxp://evil[.]com/a.php?x=1", []string{"url:http://evil.com/a.php?x=1"}},
		{"hxxps[:]//bad[.]org/x", []string{"url:https://bad.org/x"}},
		{"https://en.wikipedia.org/wiki/Foo_(bar),", []string{"url:https://en.wikipedia.org/wiki/foo_(bar)"}},
		{"راجع http://example.com/path، ثم", []string{"url:http://example.com/path"}},
		{"ftp://files.example.org/pub", []string{"url:ftp://files.example.org/pub"}},
		// Emails
		{"analyst@center.iq", []string{"email:analyst@center.iq"}},
		{"user[@]evil[.]com", []string{"email:user@evil.com"}},
		{"first.last+tag@mail.ru", []string{"email:first.last+tag@mail.ru"}},
		// Hashes
		{"D41D8CD98F00B204E9800998ECF8427E", []string{"hash:d41d8cd98f00b204e9800998ecf8427e"}},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", []string{"hash:da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", []string{"hash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{"md5: 44d88612fea8a8f36de82e1278abb02f.", []string{"hash:44d88612fea8a8f36de82e1278abb02f"}},
		// CVE
		{"CVE-2024-12345", []string{"cve:cve-2024-12345"}},
		{"patched cve-2021-44228.", []string{"cve:cve-2021-44228"}},
		// Several in one text, in order.
		{"from 10.9.8.7 to evil[.]com via hxxp://x[.]org/p sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
			[]string{"ip:10.9.8.7", "domain:evil.com", "url:http://x.org/p", "hash:da39a3ee5e6b4b0d3255bfef95601890afd80709"}},

		// Negatives: version numbers, dates, times, numbers.
		{"version 1.2.3", nil},
		{"v1.2.3", nil},
		{"release 10.4.1.2.5", nil},
		{"256.1.1.1", nil},
		{"1.2.3.4.5", nil},
		{"15.01.2024", nil},
		{"2024-01-15", nil},
		{"at 10:30", nil},
		{"3.14 and 3,000", nil},
		{"Python 3.12", nil},
		// File names are not domains.
		{"report.pdf", nil},
		{"setup.exe", nil},
		{"readme.md", nil},
		{"run.sh", nil},
		{"archive.zip", nil},
		{"photo.jpg", nil},
		{"data.csv", nil},
		{"invoice.docx", nil},
		{"script.py", nil},
		// Not hashes: wrong length, not hex.
		{"d41d8cd98f00b204e9800998ecf8427", nil},
		{"d41d8cd98f00b204e9800998ecf8427ea", nil},
		{"g41d8cd98f00b204e9800998ecf8427e", nil},
		// Not CVEs: too short a number.
		{"CVE-2024-1", nil},
		// Not emails: no domain, or a handle.
		{"user@localhost", nil},
		{"@tabadul", nil},
		// Words with dots are not domains when the TLD is unknown.
		{"end of sentence.Next one", nil},
		{"e.g. this", nil},
		{"U.S. forces", nil},
		// Prose without observables, in the four languages.
		{"الحدود العراقية السورية", nil},
		{"مرز ایران", nil},
		{"граница Ирака", nil},
		{"the border of Iraq", nil},
	}
	if len(cases) < 60 {
		t.Fatalf("%d cases; the table needs at least 60", len(cases))
	}
	pos, neg := 0, 0
	for _, tt := range cases {
		var got []string
		for _, o := range Observables(lang.Analyze(tt.in, "").Tokens) {
			got = append(got, o.Kind+":"+o.Value)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
		if tt.want == nil {
			neg++
		} else {
			pos++
		}
	}
	t.Logf("%d positive and %d negative cases", pos, neg)
}
