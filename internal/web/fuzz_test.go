package web

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
)

var fuzzKey = []byte("0123456789abcdef0123456789abcdef")

// FuzzDecodeSession: a cookie is outside input. Whatever it holds, decoding
// does not panic, and only what the key signed decodes.
func FuzzDecodeSession(f *testing.F) {
	good := encodeSession(fuzzKey, session{username: "iq-analyst", id: "abc", issued: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)})
	for _, s := range []string{good, good + "x", "", ".", "a.b", strings.Repeat("A", 600), "djF8aXEtYW5hbHlzdHxhYmN8MQ.AAAA", good[:len(good)/2]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cookie string) {
		s, err := decodeSession(fuzzKey, cookie)
		if err != nil {
			return
		}
		again, err := decodeSession(fuzzKey, encodeSession(fuzzKey, s))
		if err != nil || again != s {
			t.Fatalf("%q decoded to %+v, which does not round-trip: %+v, %v", cookie, s, again, err)
		}
		if s.username != "iq-analyst" || s.id != "abc" {
			t.Fatalf("forged session accepted: %q -> %+v", cookie, s)
		}
	})
}

// FuzzDraftForm: the compose form is outside input.
func FuzzDraftForm(f *testing.F) {
	for _, s := range []string{
		"title=t&body=b&tlp=AMBER&dist=all",
		"title=%D8%AE%D9%84%D9%8A%D8%A9&dist=parties&party=RU&party=IQ&tags=a%D8%8C+b,c",
		"dist=committee&committee=quad&reliability=Z&credibility=9",
		"tags=,,,%D8%8C%D8%8C&body=%0D%0A",
		"%ZZ=&&==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		d, dist, _ := draftFromForm(form)
		for _, tag := range d.Tags {
			if strings.ContainsAny(tag, ",،") {
				t.Fatalf("tag %q holds a separator", tag)
			}
		}
		if strings.Contains(d.Body, "\r\n") {
			t.Fatalf("body keeps CRLF")
		}
		set := 0
		if d.Distribution.All {
			set++
		}
		if d.Distribution.Committee != "" {
			set++
		}
		if len(d.Distribution.Parties) > 0 {
			set++
		}
		if set > 1 || set == 1 && !slices.Contains([]string{"all", "committee", "parties"}, dist) {
			t.Fatalf("distribution %+v from dist %q", d.Distribution, dist)
		}
	})
}

// FuzzHighlight: a snippet is a report's text; whatever it holds and
// whatever ranges come with it, the only markup out is <mark>.
func FuzzHighlight(f *testing.F) {
	f.Add("رصدت <script>alert(1)</script> خلية", 0, 5, 10, 20)
	f.Add("a&b\"c'd", 1, 2, 2, 3)
	f.Add("", 0, 0, 0, 0)
	f.Add("ééé", 1, 2, -1, 9)
	f.Fuzz(func(t *testing.T, text string, a, b, c, d int) {
		out := string(highlight(analyze.Snippet{Text: text, Highlights: [][2]int{{a, b}, {c, d}}}))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(out)
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("markup leaked: %q", out)
		}
		// The escaper writes NUL, which HTML forbids, as U+FFFD.
		if html.UnescapeString(plain) != strings.ReplaceAll(text, "\x00", "\uFFFD") {
			t.Fatalf("text changed: %q -> %q", text, out)
		}
	})
}

// FuzzAcceptLanguage: the header is outside input; the answer is always
// one of the four languages.
func FuzzAcceptLanguage(f *testing.F) {
	ls, err := loadLocales()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"ar-IQ,ar;q=0.9", "fa", "ru;q=0.1,en;q=0.2", "*", ";;;", "x-klingon", strings.Repeat("en,", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if got := ls.match(accept); !slices.Contains(languages, got) {
			t.Fatalf("%q -> %q", accept, got)
		}
	})
}

// FuzzMarkObservables: a report's text is outside input; marking its
// observables adds only <bdi> elements and changes no character.
func FuzzMarkObservables(f *testing.F) {
	f.Add("اتصال من 10.0.0.7 إلى hxxp://evil[.]example/x", "ar")
	f.Add("<script>1.2.3.4</script> a@b.example CVE-2024-3094", "en")
	f.Add("d41d8cd98f00b204e9800998ecf8427e\x00", "")
	f.Add("хост evil[.]example.ru", "ru")
	bdi := regexp.MustCompile(`<bdi dir="ltr" class="observable observable-[a-z]+">|</bdi>`)
	f.Fuzz(func(t *testing.T, text, language string) {
		out, _ := markObservables(text, language)
		plain := bdi.ReplaceAllString(string(out), "")
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("markup leaked: %q", out)
		}
		if html.UnescapeString(plain) != strings.ReplaceAll(text, "\x00", "\uFFFD") {
			t.Fatalf("text changed: %q -> %q", text, out)
		}
	})
}
