package center

import (
	"fmt"
	"regexp"
	"slices"
)

// PartyCode identifies a party: 2–16 characters of A–Z, 0–9 and '-'.
type PartyCode string

var partyCodeRE = regexp.MustCompile(`^[A-Z0-9-]{2,16}$`)

// Valid reports whether c is a well-formed party code.
func (c PartyCode) Valid() bool { return partyCodeRE.MatchString(string(c)) }

// PartyKind says whether a party takes part in the rotation.
type PartyKind string

const (
	// Member parties take part in the rotation of the chair and are the
	// audience of distribution "all".
	Member PartyKind = "member"
	// Associate parties share through committees and explicit lists and never
	// chair.
	Associate PartyKind = "associate"
)

// Valid reports whether k is a known kind.
func (k PartyKind) Valid() bool { return k == Member || k == Associate }

// Languages are the four languages the center treats as equal, in the order
// the center lists them.
var Languages = []string{"ar", "fa", "ru", "en"}

// Names holds a name per language code (ar, fa, ru, en).
type Names map[string]string

// In returns the name in lang, falling back to English, then to any name.
func (n Names) In(lang string) string {
	if s, ok := n[lang]; ok && s != "" {
		return s
	}
	if s, ok := n["en"]; ok && s != "" {
		return s
	}
	for _, l := range Languages {
		if s := n[l]; s != "" {
			return s
		}
	}
	return ""
}

// A Party is a participant of the center: a state, agency, CERT, ISAC or NGO.
type Party struct {
	Code  PartyCode `json:"code"`
	Kind  PartyKind `json:"kind"`
	Names Names     `json:"names"`
}

// Validate checks a party's own fields.
func (p Party) Validate() error {
	e := &InvalidError{}
	p.validateInto(e, "")
	return e.err()
}

func (p Party) validateInto(e *InvalidError, prefix string) {
	if !p.Code.Valid() {
		e.add(prefix+"code", "party code %q must be 2-16 characters of A-Z, 0-9 and '-'", p.Code)
	}
	if !p.Kind.Valid() {
		e.add(prefix+"kind", "party kind %q must be %q or %q", p.Kind, Member, Associate)
	}
	validateNames(e, prefix+"names", p.Names)
}

func validateNames(e *InvalidError, field string, n Names) {
	if n.In("en") == "" {
		e.add(field, "at least one name is required")
	}
	for lang, s := range n {
		if !slices.Contains(Languages, lang) {
			e.add(field+"."+lang, "language must be one of %v", Languages)
			continue
		}
		checkText(e, field+"."+lang, s, 200, false)
	}
}

// A Committee is a named group of parties that distribution can target, such
// as the seed's committees with regional and European states.
type Committee struct {
	Code    string      `json:"code"`
	Names   Names       `json:"names"`
	Members []PartyCode `json:"members"`
}

var committeeCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidCommitteeCode reports whether s is a well-formed committee code:
// 1–40 characters of a–z, 0–9 and '-', not starting with '-'.
func ValidCommitteeCode(s string) bool { return committeeCodeRE.MatchString(s) }

// Directory is the center's roster at one moment: the input of the
// visibility rule.
type Directory struct {
	Parties    []Party
	Committees []Committee
}

// Party returns the party with the given code.
func (d Directory) Party(code PartyCode) (Party, bool) {
	for _, p := range d.Parties {
		if p.Code == code {
			return p, true
		}
	}
	return Party{}, false
}

// Committee returns the committee with the given code.
func (d Directory) Committee(code string) (Committee, bool) {
	for _, c := range d.Committees {
		if c.Code == code {
			return c, true
		}
	}
	return Committee{}, false
}

// Members returns the codes of the member parties, in directory order.
func (d Directory) Members() []PartyCode {
	var out []PartyCode
	for _, p := range d.Parties {
		if p.Kind == Member {
			out = append(out, p.Code)
		}
	}
	return out
}

// Validate checks the roster as a whole: well-formed, unique codes,
// committees naming known parties, and at least one member.
func (d Directory) Validate() error {
	e := &InvalidError{}
	seen := map[PartyCode]bool{}
	for i, p := range d.Parties {
		prefix := fmt.Sprintf("parties[%d].", i)
		p.validateInto(e, prefix)
		if seen[p.Code] {
			e.add(prefix+"code", "duplicate party code %q", p.Code)
		}
		seen[p.Code] = true
	}
	if len(d.Parties) == 0 {
		e.add("parties", "at least one party is required")
	} else if len(d.Members()) == 0 {
		e.add("parties", "at least one party must be a member")
	}
	seenC := map[string]bool{}
	for i, c := range d.Committees {
		prefix := fmt.Sprintf("committees[%d].", i)
		if !ValidCommitteeCode(c.Code) {
			e.add(prefix+"code", "committee code %q must be 1-40 characters of a-z, 0-9 and '-'", c.Code)
		}
		if seenC[c.Code] {
			e.add(prefix+"code", "duplicate committee code %q", c.Code)
		}
		seenC[c.Code] = true
		validateNames(e, prefix+"names", c.Names)
		if len(c.Members) == 0 {
			e.add(prefix+"members", "a committee needs at least one party")
		}
		inC := map[PartyCode]bool{}
		for j, m := range c.Members {
			if !seen[m] {
				e.add(fmt.Sprintf("%smembers[%d]", prefix, j), "unknown party %q", m)
			}
			if inC[m] {
				e.add(fmt.Sprintf("%smembers[%d]", prefix, j), "party %q listed twice", m)
			}
			inC[m] = true
		}
	}
	return e.err()
}
