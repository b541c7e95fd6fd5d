package web

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
)

// pluralForms are the CLDR plural categories of each language's cardinal
// numbers: a plural message must give exactly these.
var pluralForms = map[string][]string{
	"ar": {"few", "many", "one", "other", "two", "zero"},
	"fa": {"one", "other"},
	"ru": {"few", "many", "one", "other"},
	"en": {"one", "other"},
}

func readCatalog(t *testing.T, lang string) map[string]any {
	t.Helper()
	data, err := localeFS.ReadFile("locales/" + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
}

// TestCatalogsComplete: one key set, in all four languages, with every
// plural form each language has and no other.
func TestCatalogsComplete(t *testing.T) {
	cats := map[string]map[string]any{}
	for _, l := range languages {
		cats[l] = readCatalog(t, l)
	}
	keys := slices.Sorted(maps.Keys(cats["en"]))
	for _, l := range languages {
		got := slices.Sorted(maps.Keys(cats[l]))
		if !slices.Equal(got, keys) {
			for _, k := range keys {
				if _, ok := cats[l][k]; !ok {
					t.Errorf("%s lacks %q", l, k)
				}
			}
			for _, k := range got {
				if _, ok := cats["en"][k]; !ok {
					t.Errorf("%s has %q, which en lacks", l, k)
				}
			}
		}
		for k, v := range cats[l] {
			switch v := v.(type) {
			case string:
				if _, plural := cats["en"][k].(map[string]any); plural {
					t.Errorf("%s %q: a plain string where en has plural forms", l, k)
				}
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s %q is empty", l, k)
				}
			case map[string]any:
				forms := slices.Sorted(maps.Keys(v))
				if !slices.Equal(forms, pluralForms[l]) {
					t.Errorf("%s %q has plural forms %v, want %v", l, k, forms, pluralForms[l])
				}
			default:
				t.Errorf("%s %q: unexpected %T", l, k, v)
			}
		}
	}
}

var (
	placeholderRE = regexp.MustCompile(`\{\{[^}]*\}\}`)
	latinRE       = regexp.MustCompile(`[A-Za-z]`)
)

// TestNoLatinInArabicAndPersian: no English word is left in the Arabic or
// Persian catalog.
func TestNoLatinInArabicAndPersian(t *testing.T) {
	for _, l := range []string{"ar", "fa"} {
		for k, v := range readCatalog(t, l) {
			var texts []string
			switch v := v.(type) {
			case string:
				texts = []string{v}
			case map[string]any:
				for _, f := range v {
					texts = append(texts, f.(string))
				}
			}
			for _, s := range texts {
				if latinRE.MatchString(placeholderRE.ReplaceAllString(s, "")) {
					t.Errorf("%s %q has Latin letters: %q", l, k, s)
				}
			}
		}
	}
}

// TestEveryKeyUsedExists: every message a template or handler names is in
// the catalog; keys built from a value are listed with every value.
func TestEveryKeyUsedExists(t *testing.T) {
	en := readCatalog(t, "en")
	used := map[string]bool{}
	keyRE := regexp.MustCompile(`\.(?:T|N) "([a-z_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFS.ReadFile(p)
		for _, m := range keyRE.FindAllStringSubmatch(string(data), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range navItems {
		used[n.Key] = true
	}
	for _, l := range languages {
		used["lang."+l] = true
	}
	for _, r := range []center.Role{center.Analyst, center.Officer} {
		used["role."+string(r)] = true
	}
	for _, tl := range center.TLPs {
		used[tlpKey(tl)] = true
	}
	for _, c := range "ABCDEF" {
		used["reliability."+string(c)] = true
	}
	for _, c := range "123456" {
		used["credibility."+string(c)] = true
	}
	for _, k := range []govern.AmendmentKind{govern.AddMemberAmendment, govern.AddAssociateAmendment, govern.RemovePartyAmendment,
		govern.SetOrderAmendment, govern.SetTermAmendment, govern.SetCommitteeAmendment, govern.SetWitnessAmendment, govern.SetWitnessQuorumAmendment} {
		used["amendment.kind."+string(k)] = true
	}
	for _, k := range []string{"ip", "domain", "url", "email", "hash", "cve"} {
		used["observable."+k] = true
	}
	for _, s := range []govern.Status{govern.Open, govern.Approved, govern.Rejected, govern.Expired} {
		used["amendment.status."+string(s)] = true
	}
	for _, k := range []string{"error.not_found", "error.forbidden", "error.conflict", "error.invalid", "error.csrf", "error.internal",
		"chair.banner", "chair.none", "time.utc", "login.failed", "login.limited", "search.bad_query", "search.by_relevance", "search.newest_first", "compose.title", "edit.title",
		"governance.term_months", "invalid.summary", "error.not_chair", "import.object", "dist.all_members", "dist.committee_named", "list.sep"} {
		used[k] = true
	}
	for _, k := range pageKeys() {
		used[k] = true
	}
	for k := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q is used but not in the catalog", k)
		}
	}
	for k := range en {
		if !used[k] {
			t.Errorf("key %q is in the catalog but never used", k)
		}
	}
}

// TestPlurals checks the plural form chosen for numbers that tell the
// CLDR categories apart, with the locale's digits.
func TestPlurals(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"ar", 0, "لا تقارير"},
		{"ar", 1, "تقرير واحد"},
		{"ar", 2, "تقريران"},
		{"ar", 3, "٣ تقارير"},
		{"ar", 10, "١٠ تقارير"},
		{"ar", 11, "١١ تقريرًا"},
		{"ar", 99, "٩٩ تقريرًا"},
		{"ar", 100, "١٠٠ تقرير"},
		{"ar", 103, "١٠٣ تقارير"},
		{"ar", 1000, "١٬٠٠٠ تقرير"},
		{"ru", 1, "1 отчёт"},
		{"ru", 2, "2 отчёта"},
		{"ru", 5, "5 отчётов"},
		{"ru", 11, "11 отчётов"},
		{"ru", 21, "21 отчёт"},
		{"ru", 22, "22 отчёта"},
		{"ru", 1000, "1\u00a0000 отчётов"},
		{"fa", 1, "۱ گزارش"},
		{"fa", 12, "۱۲ گزارش"},
		{"en", 1, "1 report"},
		{"en", 0, "0 reports"},
		{"en", 1234, "1,234 reports"},
	}
	for _, tt := range tests {
		if got := ls.byLang[tt.lang].N("inbox.count", tt.n); got != tt.want {
			t.Errorf("%s %d: %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	want := map[string]string{
		"ar": "١ آذار ٢٠٢٧",
		"fa": "۱ مارس ۲۰۲۷ (۱۰ اسفند ۱۴۰۵)",
		"ru": "1 марта 2027 г.",
		"en": "1 March 2027",
	}
	for l, w := range want {
		if got := ls.byLang[l].Date(at); got != w {
			t.Errorf("%s: %q, want %q", l, got, w)
		}
	}
	if got := ls.byLang["ar"].DateTime(at.Add(13*time.Hour + 5*time.Minute)); got != "١ آذار ٢٠٢٧ ١٣:٠٥ بالتوقيت العالمي" {
		t.Errorf("ar date and time: %q", got)
	}
}

func TestAcceptLanguage(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"":                        "en",
		"ar-IQ,ar;q=0.9,en;q=0.8": "ar",
		"fa-IR":                   "fa",
		"ru-RU,ru;q=0.9":          "ru",
		"de-DE,de;q=0.9":          "en",
		"de;q=0.9,ru;q=0.5":       "ru",
		"en-GB,en;q=0.9,ar;q=0.8": "en",
		"*":                       "en",
		"garbage;;;===":           "en",
	}
	for accept, want := range tests {
		if got := ls.match(accept); got != want {
			t.Errorf("Accept-Language %q: %s, want %s", accept, got, want)
		}
	}
}
