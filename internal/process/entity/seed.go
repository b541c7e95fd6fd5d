package entity

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/tabadul/tabadul/internal/record/store"
)

//go:embed starter.txt
var starterFile string

// Languages are the languages the registry names entities in.
var Languages = []string{"ar", "fa", "ru", "en"}

var langTags = map[string]language.Tag{"ar": language.Arabic, "fa": language.Persian, "ru": language.Russian, "en": language.English}

// Seed returns the registry a center starts with, accepted and in a fixed
// order: every ISO 3166 country and UN M.49 region with its CLDR names in
// the four languages (ids location--IQ, location--m49-145), then the
// curated starter file.
func Seed() ([]store.Entity, error) {
	var out []store.Entity
	for _, r := range regions() {
		id := "location--" + r.String()
		if !r.IsCountry() {
			id = "location--m49-" + r.String()
		}
		e := store.Entity{ID: id, Type: store.Location, Status: store.Accepted, Source: "CLDR (golang.org/x/text/language/display)"}
		for _, l := range Languages {
			n := display.Regions(langTags[l]).Name(r)
			if n == "" {
				continue
			}
			if l == "en" {
				e.Name = n
			}
			e.Aliases = addAlias(e.Aliases, store.Alias{Lang: l, Name: n, Status: store.Accepted})
		}
		if e.Name == "" || len(e.Aliases) == 0 {
			continue
		}
		out = append(out, e)
	}
	cur, err := parseStarter(starterFile)
	if err != nil {
		return nil, err
	}
	// One name, one thing: CLDR names some regions alike (a former
	// country and its successor in some language); the first keeps it.
	taken := map[[2]string]bool{}
	var seed []store.Entity
	for _, e := range append(out, cur...) {
		e.Aliases = slices.DeleteFunc(e.Aliases, func(a store.Alias) bool { return taken[[2]string{a.Lang, a.Name}] })
		if len(e.Aliases) == 0 {
			continue
		}
		for _, a := range e.Aliases {
			taken[[2]string{a.Lang, a.Name}] = true
		}
		seed = append(seed, e)
	}
	return seed, nil
}

// notCountries are codes CLDR names like countries that are organizations
// (the curated file has them) or groupings.
var notCountries = map[string]bool{"UN": true, "EU": true, "EZ": true, "QO": true}

// regions are the ISO 3166 countries and the UN M.49 groups CLDR knows.
func regions() []language.Region {
	var rs []language.Region
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if notCountries[code] {
				continue
			}
			if r, err := language.ParseRegion(code); err == nil && r.IsCountry() {
				rs = append(rs, r)
			}
		}
	}
	for m := 1; m < 1000; m++ {
		if r, err := language.EncodeM49(m); err == nil && r.IsGroup() {
			rs = append(rs, r)
		}
	}
	return rs
}

// parseStarter reads the curated file's format (see starter.txt).
func parseStarter(text string) ([]store.Entity, error) {
	var out []store.Entity
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) < 4 {
			return nil, fmt.Errorf("entity: starter line %d: want id | type | name | lang:name…", i+1)
		}
		e := store.Entity{ID: f[0], Type: store.EntityType(f[1]), Name: f[2], Status: store.Accepted, Source: "curated starter file"}
		if err := CheckID(e.ID); err != nil || seen[e.ID] {
			return nil, fmt.Errorf("entity: starter line %d: bad or repeated id %q", i+1, e.ID)
		}
		seen[e.ID] = true
		if !ValidType(e.Type) {
			return nil, fmt.Errorf("entity: starter line %d: unknown type %q", i+1, e.Type)
		}
		for _, a := range f[3:] {
			l, n, ok := strings.Cut(a, ":")
			al := store.Alias{Lang: l, Name: n, Status: store.Accepted}
			if !ok || CheckAlias(al) != nil {
				return nil, fmt.Errorf("entity: starter line %d: bad alias %q", i+1, a)
			}
			e.Aliases = addAlias(e.Aliases, al)
		}
		out = append(out, e)
	}
	return out, nil
}

// addAlias appends a unless the list has it already.
func addAlias(as []store.Alias, a store.Alias) []store.Alias {
	for _, b := range as {
		if b.Lang == a.Lang && b.Name == a.Name {
			return as
		}
	}
	return append(as, a)
}
