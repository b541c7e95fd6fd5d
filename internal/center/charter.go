package center

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/goccy/go-yaml"
)

// A Charter is a center's founding document: who takes part, which
// committees distribution can target, how the chair rotates and, for the
// transparency log, which witnesses count. It is
// written by people, in YAML or TOML (docs/charter.example.yaml describes
// every key), and read with [ParseCharter].
type Charter struct {
	Parties    []Party
	Committees []Committee
	Rotation   Rotation
	// WitnessQuorum is how many parties' witnesses must cosign a log
	// checkpoint; 0 means the charter sets none.
	WitnessQuorum int
	// Witnesses are the parties' log witnesses the charter names, at most
	// one a party. Optional: a party's first witness may instead be
	// registered by the operator once the center runs.
	Witnesses []Witness
}

// Rotation says how the chair passes among the member parties.
type Rotation struct {
	// Order is the member parties in the order they chair; it repeats.
	Order []PartyCode
	// FirstChair holds the first term; it need not be first in Order, the
	// rotation continues from it.
	FirstChair PartyCode
	// Start is the day the first term begins, at 00:00 UTC.
	Start time.Time
	// TermMonths is the length of one term in calendar months.
	TermMonths int
	// MaxTermMonths bounds TermMonths, in this charter and in its amendments.
	MaxTermMonths int
}

// MaxTermMonths is the longest term any charter may allow: the seed article
// says no party administers the center for more than three months.
const MaxTermMonths = 3

// maxCharterBytes bounds the input of ParseCharter: a charter is a short
// document written by people, and the parsers' cost grows with the input.
const maxCharterBytes = 1 << 20

// Directory returns the roster the charter founds. It shares no memory
// with c, so that changing one cannot change the other.
func (c Charter) Directory() Directory {
	var d Directory
	for _, p := range c.Parties {
		p.Names = maps.Clone(p.Names)
		d.Parties = append(d.Parties, p)
	}
	for _, cm := range c.Committees {
		cm.Names = maps.Clone(cm.Names)
		cm.Members = slices.Clone(cm.Members)
		d.Committees = append(d.Committees, cm)
	}
	return d
}

// ParseCharter reads a charter in format "yaml" or "toml", or guesses the
// format from the content when format is "". Unknown keys, duplicate keys and
// values of the wrong type are errors, so that a misspelt key is not
// silently ignored. Absent optional keys get their defaults: rotation.order
// is the member parties in listed order, rotation.term_months and
// rotation.max_term_months are 3.
//
// ParseCharter checks the syntax only; call [Charter.Validate] for the rules.
func ParseCharter(data []byte, format string) (c Charter, err error) {
	if len(data) > maxCharterBytes {
		return Charter{}, fmt.Errorf("charter: larger than %d bytes", maxCharterBytes)
	}
	if format == "" {
		format = guessCharterFormat(data)
	}
	var f charterFile
	switch strings.ToLower(format) {
	case "yaml", "yml":
		err = parseYAML(data, &f)
	case "toml":
		err = parseTOML(data, &f)
	default:
		return Charter{}, fmt.Errorf("charter: unknown format %q: want yaml or toml", format)
	}
	if err != nil {
		return Charter{}, err
	}
	return f.charter(), nil
}

// Validate checks the charter against the center's rules: a well-formed
// roster (see [Directory.Validate]) and a rotation among members whose terms
// never exceed MaxTermMonths. The error, if any, is one line that names
// every problem found, and errors.Is(err, ErrInvalid) holds.
func (c Charter) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var inv *InvalidError
	if err := c.Directory().Validate(); errors.As(err, &inv) {
		for _, f := range inv.Fields {
			add("%s: %s", f.Field, f.Message)
		}
	}
	if len(c.Parties) == 0 {
		// Every rotation check below would only repeat that there are no
		// parties.
		return charterInvalid(problems)
	}

	r := c.Rotation
	if r.MaxTermMonths < 1 || r.MaxTermMonths > MaxTermMonths {
		add("rotation.max_term_months is %d; it must be 1 to %d, no term may last longer", r.MaxTermMonths, MaxTermMonths)
	}
	// A max_term_months over the ceiling is reported above; the term is
	// still held to the ceiling so that a 4-month term is named too.
	limit := min(r.MaxTermMonths, MaxTermMonths)
	switch {
	case r.TermMonths < 1:
		add("rotation.term_months is %d; it must be at least 1", r.TermMonths)
	case limit >= 1 && r.TermMonths > limit:
		add("rotation.term_months is %d, over the maximum of %d months", r.TermMonths, limit)
	}
	if r.Start.IsZero() {
		add("rotation.start is required")
	} else if !isMidnightUTC(r.Start) {
		add("rotation.start %s must be a date: terms begin at 00:00 UTC", r.Start.Format(time.RFC3339))
	}

	kinds := map[PartyCode]PartyKind{}
	for _, p := range c.Parties {
		kinds[p.Code] = p.Kind
	}
	switch len(r.Order) {
	case 0:
		add("rotation.order names no party")
	case 1:
		// With one member the chair could never pass on, and no term limit
		// could hold.
		add("rotation.order names only %q; the chair needs at least two members to rotate", r.Order[0])
	}
	seen := map[PartyCode]bool{}
	for i, code := range r.Order {
		kind, ok := kinds[code]
		switch {
		case !ok:
			add("rotation.order[%d] %q is not a party", i, code)
		case kind != Member:
			add("rotation.order[%d] %q is an associate; only members chair", i, code)
		case seen[code]:
			add("rotation.order lists %q twice", code)
		}
		seen[code] = true
	}

	if len(r.Order) > 0 {
		for _, p := range c.Parties {
			if p.Kind == Member && !seen[p.Code] {
				add("rotation.order leaves out member %q; every member takes part in the rotation", p.Code)
			}
		}
	}

	switch kind, ok := kinds[r.FirstChair]; {
	case r.FirstChair == "":
		add("rotation.first_chair is required")
	case !ok:
		add("rotation.first_chair %q is not a party", r.FirstChair)
	case kind != Member:
		add("rotation.first_chair %q is an associate; only members chair", r.FirstChair)
	case !slices.Contains(r.Order, r.FirstChair):
		add("rotation.first_chair %q is not in rotation.order", r.FirstChair)
	}

	if c.WitnessQuorum < 0 || c.WitnessQuorum > len(c.Parties) {
		add("witness_quorum is %d; it must be 0 to the number of parties, %d", c.WitnessQuorum, len(c.Parties))
	}
	// The witnesses' form; that each vkey is a cosignature verifier key is
	// checked by the write path, which knows the log's key formats.
	witnessOf := map[PartyCode]bool{}
	keyOf := map[string]PartyCode{}
	for i, w := range c.Witnesses {
		switch _, ok := kinds[w.Party]; {
		case w.Party == "":
			add("witnesses[%d].party is required", i)
		case !ok:
			add("witnesses[%d].party %q is not a party", i, w.Party)
		case witnessOf[w.Party]:
			add("witnesses name %q twice; a party has one witness", w.Party)
		}
		witnessOf[w.Party] = true
		switch other, dup := keyOf[w.VKey]; {
		case w.VKey == "":
			add("witnesses[%d].vkey is required", i)
		case dup:
			add("witnesses[%d].vkey is also the witness key of %q; each party's witness has its own key", i, other)
		}
		keyOf[w.VKey] = w.Party
		if !ValidWitnessURL(w.URL) {
			add("witnesses[%d].url %q must be an http:// or https:// URL with a host", i, w.URL)
		}
	}
	return charterInvalid(problems)
}

// charterError is a charter's problems as one line. It is ErrInvalid to
// errors.Is, like every rule the center's input breaks.
type charterError struct{ problems []string }

func (e *charterError) Error() string        { return "charter: " + strings.Join(e.problems, "; ") }
func (e *charterError) Is(target error) bool { return target == ErrInvalid }

func charterInvalid(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &charterError{problems: problems}
}

func isMidnightUTC(t time.Time) bool {
	_, offset := t.Zone()
	return offset == 0 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// The file format: these types carry the keys as people write them and
// tell "absent" from "zero", so that defaults apply only to absent keys.
type (
	charterFile struct {
		Parties       []partyFile     `yaml:"parties" toml:"parties"`
		Committees    []committeeFile `yaml:"committees" toml:"committees"`
		Rotation      rotationFile    `yaml:"rotation" toml:"rotation"`
		WitnessQuorum wholeNumber     `yaml:"witness_quorum" toml:"witness_quorum"`
		Witnesses     []witnessFile   `yaml:"witnesses" toml:"witnesses"`
	}
	witnessFile struct {
		Party string `yaml:"party" toml:"party"`
		VKey  string `yaml:"vkey" toml:"vkey"`
		URL   string `yaml:"url" toml:"url"`
	}
	partyFile struct {
		Code  string            `yaml:"code" toml:"code"`
		Kind  string            `yaml:"kind" toml:"kind"`
		Names map[string]string `yaml:"names" toml:"names"`
	}
	committeeFile struct {
		Code    string            `yaml:"code" toml:"code"`
		Names   map[string]string `yaml:"names" toml:"names"`
		Members []string          `yaml:"members" toml:"members"`
	}
	rotationFile struct {
		Order         []string    `yaml:"order" toml:"order"`
		FirstChair    string      `yaml:"first_chair" toml:"first_chair"`
		Start         charterDate `yaml:"start" toml:"start"`
		TermMonths    wholeNumber `yaml:"term_months" toml:"term_months"`
		MaxTermMonths wholeNumber `yaml:"max_term_months" toml:"max_term_months"`
	}
)

// charter turns the file into a Charter, filling in the defaults.
func (f charterFile) charter() Charter {
	var c Charter
	for _, p := range f.Parties {
		c.Parties = append(c.Parties, Party{Code: PartyCode(p.Code), Kind: PartyKind(p.Kind), Names: Names(p.Names)})
	}
	for _, cm := range f.Committees {
		members := make([]PartyCode, len(cm.Members))
		for i, m := range cm.Members {
			members[i] = PartyCode(m)
		}
		c.Committees = append(c.Committees, Committee{Code: cm.Code, Names: Names(cm.Names), Members: members})
	}
	r := f.Rotation
	if r.Order == nil {
		c.Rotation.Order = c.Directory().Members()
	} else {
		c.Rotation.Order = make([]PartyCode, len(r.Order))
		for i, p := range r.Order {
			c.Rotation.Order[i] = PartyCode(p)
		}
	}
	c.Rotation.FirstChair = PartyCode(r.FirstChair)
	c.Rotation.Start = r.Start.t
	c.Rotation.TermMonths = r.TermMonths.or(MaxTermMonths)
	c.Rotation.MaxTermMonths = r.MaxTermMonths.or(MaxTermMonths)
	c.WitnessQuorum = f.WitnessQuorum.or(0)
	for _, w := range f.Witnesses {
		c.Witnesses = append(c.Witnesses, Witness{Party: PartyCode(w.Party), VKey: w.VKey, URL: w.URL})
	}
	return c
}

// wholeNumber is an integer key that may be absent. It refuses 2.5 and "3",
// which the YAML decoder would otherwise round or convert.
type wholeNumber struct {
	n   int
	set bool
}

func (w wholeNumber) or(def int) int {
	if w.set {
		return w.n
	}
	return def
}

func (w *wholeNumber) UnmarshalYAML(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "~" || s == "null" {
		*w = wholeNumber{}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%s is not a whole number", s)
	}
	*w = wholeNumber{n: n, set: true}
	return nil
}

func (w *wholeNumber) UnmarshalTOML(v any) error {
	n, ok := v.(int64)
	if !ok || int64(int(n)) != n {
		return fmt.Errorf("%v is not a whole number", v)
	}
	*w = wholeNumber{n: int(n), set: true}
	return nil
}

// charterDate is a calendar date, written 2026-12-01 (a TOML local date, or
// a YAML or TOML string). A timestamp is accepted only at 00:00 UTC, which is
// when terms begin.
type charterDate struct{ t time.Time }

func (d *charterDate) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		d.t = t
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil && isMidnightUTC(t) {
			d.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("start %q must be a date such as 2026-12-01", s)
}

func parseYAML(data []byte, f *charterFile) error {
	if err := yaml.UnmarshalWithOptions(data, f, yaml.Strict()); err != nil {
		// The library's message spans lines to quote the source; the
		// position and the message are enough and fit one line.
		var fe interface {
			FormatError(colored, inclSource bool) string
		}
		msg := err.Error()
		if errors.As(err, &fe) {
			msg = fe.FormatError(false, false)
		}
		return fmt.Errorf("charter: yaml: %s", oneLine(msg))
	}
	return nil
}

func parseTOML(data []byte, f *charterFile) error {
	md, err := toml.Decode(string(data), f)
	if err != nil {
		return fmt.Errorf("charter: toml: %s", oneLine(strings.TrimPrefix(err.Error(), "toml: ")))
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return fmt.Errorf("charter: toml: unknown key %q", keys[0].String())
	}
	return nil
}

// oneLine joins a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tomlLineRE matches a TOML table header or key/value line, which a YAML
// charter, being a mapping of "key:" lines, never starts with.
var tomlLineRE = regexp.MustCompile(`^(\[|[A-Za-z0-9_."'-]+\s*=)`)

// guessCharterFormat looks at the first line that is not blank or a comment.
func guessCharterFormat(data []byte) string {
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if tomlLineRE.Match(line) {
			return "toml"
		}
		return "yaml"
	}
	return "yaml"
}
