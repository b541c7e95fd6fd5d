package entity

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tabadul/tabadul/internal/process/lang"
)

var seedMatcher = sync.OnceValue(func() *Matcher {
	es, err := Seed()
	if err != nil {
		panic(err)
	}
	return NewMatcher(es)
})

func mentioned(text string) []string {
	toks := lang.Analyze(text, "").Tokens
	var ids []string
	for _, m := range seedMatcher().Match(text, toks) {
		if !slices.Contains(ids, m.Entity) {
			ids = append(ids, m.Entity)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestMatch: each text finds exactly the entities listed, through
// proclitics, inflections, scripts and spelling variants, and short or
// common words do not pass for names.
func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		desc, text string
		want       []string
	}{
		{"Arabic name with the article", "وصل الوفد إلى العراق أمس", []string{"location--IQ"}},
		{"conjunction + article", "والعراق وسوريا", []string{"location--IQ", "location--SY"}},
		{"preposition + article", "بالعراق", []string{"location--IQ"}},
		{"stacked proclitics", "وللعراق", []string{"location--IQ"}},
		{"Persian name", "سفر به عراق", []string{"location--IQ"}},
		{"Russian case form", "делегация прибыла в Ирак, затем в Ираке", []string{"location--IQ"}},
		{"English", "Iraq and Syria", []string{"location--IQ", "location--SY"}},
		{"hamza spelling variant", "ايران و إيران", []string{"location--IR"}},
		{"group, Arabic", "هجوم لتنظيم داعش", []string{"group--isis"}},
		{"group, multi-word with conjunction", "والدولة الإسلامية", []string{"group--isis"}},
		{"group, Russian", "боевики ИГИЛ", []string{"group--isis"}},
		{"group, English", "ISIS fighters; Daesh", []string{"group--isis"}},
		{"stop word IS is not ISIS", "this is it", nil},
		{"acronym only in capitals", "the UN said", []string{"organization--un"}},
		{"acronym in lower case is not one", "un jour", nil},
		{"longest alias wins", "قال الأمين العام للجمعية العامة للأمم المتحدة", []string{"organization--un-general-assembly"}},
		{"UN and its Security Council", "مجلس الأمن الدولي والأمم المتحدة", []string{"organization--un", "organization--un-security-council"}},
		{"lone proclitic on a name the stemmer does not know", "لبغداد وكركوك", []string{"location--baghdad", "location--kirkuk"}},
		{"city", "انفجار في بغداد وفي الموصل", []string{"location--baghdad", "location--mosul"}},
		{"region", "Middle East and Western Asia", []string{"location--m49-145"}},
		{"no entity", "the weather was fine", nil},
		{"observables are not names", "iraq.example.com", nil},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			if got := mentioned(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("%q: got %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// TestMentionOffsets: a mention's bytes are the name as the text writes
// it, proclitics included.
func TestMentionOffsets(t *testing.T) {
	text := "زار الوفد بالعراق ثم Ирак"
	toks := lang.Analyze(text, "").Tokens
	var got []string
	for _, m := range seedMatcher().Match(text, toks) {
		got = append(got, text[m.Start:m.End])
	}
	if want := []string{"بالعراق", "Ирак"}; !slices.Equal(got, want) {
		t.Errorf("mentions %q, want %q", got, want)
	}
}

// TestSeed: every country of the seed has its name in the four languages,
// and the starter file parses.
func TestSeed(t *testing.T) {
	es, err := Seed()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range es {
		if ids[e.ID] {
			t.Errorf("id %s twice", e.ID)
		}
		ids[e.ID] = true
		if !ValidID(e.ID) || !ValidType(e.Type) || e.Name == "" {
			t.Errorf("bad entity %+v", e)
		}
		if strings.HasPrefix(e.ID, "location--") && len(e.ID) == len("location--IQ") {
			langs := map[string]bool{}
			for _, a := range e.Aliases {
				langs[a.Lang] = true
			}
			if len(langs) != 4 {
				t.Errorf("%s (%s) has names in %d languages", e.ID, e.Name, len(langs))
			}
		}
	}
	if len(es) < 250 || !ids["location--IQ"] || !ids["group--isis"] || !ids["location--m49-002"] {
		t.Errorf("seed of %d entities lacks some expected ones", len(es))
	}
}
