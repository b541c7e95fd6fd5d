package lang

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
)

// genericTLDs are the generic top-level domains that matter in reports:
// the original ones, the common new ones and those favoured by abuse
// (after Spamhaus's and Interisle's yearly lists), and .onion. Country
// codes come from the ISO 3166 regions of golang.org/x/text, each mapped
// to its ccTLD (GB → uk), plus eu, su and ac.
const genericTLDs = `com net org edu gov mil int arpa info biz name pro mobi asia tel travel jobs cat coop aero museum post xxx
onion io co ai app dev xyz top site online club shop store tech live icu vip work win bid loan click link space website fun
pw tk ml ga cf gq cn ru su eu ac uk me tv cc ws la bz nu to fm am ly gg
cloud digital email host network news today world life blog page cyber security global group media solutions services
support systems center agency company business finance money bank cash bet casino game games sbs cfd cyou rest lol
mom bond quest beauty hair skin makeup autos boats homes motorcycles yachts lat gdn men party review stream trade date
download racing science webcam faith cricket accountant zip mov`

// fileExtensionTLDs are TLDs that are far more often a file's extension:
// a name of two labels ending in one (report.zip, readme.md, run.sh) is
// read as a file name, not a domain. A name of three or more labels is
// still a domain (cdn.example.zip).
var fileExtensionTLDs = map[string]bool{
	"zip": true, "mov": true, "py": true, "sh": true, "md": true, "pl": true, "rs": true,
	"so": true, "ps": true, "cc": true, "mk": true, "ml": true, "pm": true, "cs": true,
	"js": true, "ts": true, "db": true, "sql": true,
}

var tlds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for t := range strings.FieldsSeq(genericTLDs) {
		m[t] = true
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() {
				continue
			}
			if t, err := r.TLD(); err == nil {
				m[strings.ToLower(t.String())] = true
			}
		}
	}
	return m
})

// isTLD reports whether s (lower case) is a top-level domain we know, or an
// internationalized one in punycode (xn--…).
func isTLD(s string) bool {
	return tlds()[s] || strings.HasPrefix(s, "xn--") && len(s) > 4
}
