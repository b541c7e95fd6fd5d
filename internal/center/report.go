package center

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Limits bound what a report may hold. The zero value is not useful; start
// from DefaultLimits.
type Limits struct {
	MaxBodyBytes  int // default 1 MiB
	MaxTitleRunes int // default 500
	MaxTags       int
	MaxTagRunes   int
}

// DefaultLimits are the limits of a center that configures none.
var DefaultLimits = Limits{
	MaxBodyBytes:  1 << 20,
	MaxTitleRunes: 500,
	MaxTags:       64,
	MaxTagRunes:   100,
}

// Distribution says who a report is shared with, besides its source party.
// Exactly one of its fields is set.
type Distribution struct {
	// All shares with every member party.
	All bool `json:"all,omitempty"`
	// Parties shares with the listed parties, members or associates.
	Parties []PartyCode `json:"parties,omitempty"`
	// Committee shares with the members of one committee.
	Committee string `json:"committee,omitempty"`
}

// String renders d for logs and messages.
func (d Distribution) String() string {
	switch {
	case d.All:
		return "all members"
	case d.Committee != "":
		return "committee " + d.Committee
	default:
		return fmt.Sprintf("parties %v", d.Parties)
	}
}

// A Draft is what an author submits: a new report or a new version of one.
// The server sets the id, source, author and times.
type Draft struct {
	Title        string
	Body         string
	Language     string
	TLP          TLP
	Distribution Distribution
	Reliability  Reliability
	Credibility  Credibility
	Tags         []string
	ObservedAt   *time.Time
}

// A Report is one version of a report as recorded. Versions are immutable;
// an edit records a new version with the same ID and a later Version time.
type Report struct {
	ID           string       `json:"id"`
	Version      time.Time    `json:"version"`
	Created      time.Time    `json:"created"`
	Source       PartyCode    `json:"source"`
	Author       string       `json:"author"`
	Title        string       `json:"title"`
	Body         string       `json:"body"`
	Language     string       `json:"language,omitempty"`
	TLP          TLP          `json:"tlp"`
	Distribution Distribution `json:"distribution"`
	Reliability  Reliability  `json:"reliability,omitempty"`
	Credibility  Credibility  `json:"credibility,omitempty"`
	Tags         []string     `json:"tags"`
	ObservedAt   *time.Time   `json:"observed_at,omitempty"`
	Revoked      *time.Time   `json:"revoked,omitempty"`
	// Purged is when the center's retention erased the version's title and
	// body, some time after its revocation; the rest, its event and its
	// log entry stay.
	Purged *time.Time `json:"purged,omitempty"`

	// Audience is every party that may see this version, the source
	// included, as decided by Directory.Audience when it was recorded.
	Audience []PartyCode `json:"-"`
	// Seq orders versions across the whole center; the store assigns it.
	Seq int64 `json:"-"`
}

// VisibleTo is the visibility rule's answer for one recorded version: may
// party p see it? Every read path either calls this or filters on the stored
// audience that it reads.
func (r Report) VisibleTo(p PartyCode) bool {
	return p != "" && (r.Source == p || slices.Contains(r.Audience, p))
}

const reportIDPrefix = "report--"

var reportIDRE = regexp.MustCompile(`^report--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidReportID reports whether s is a well-formed report id:
// "report--" followed by a lowercase UUID.
func ValidReportID(s string) bool { return reportIDRE.MatchString(s) }

// NewReportID returns a fresh STIX-style report id. Its UUID is time-based
// (version 1, which STIX 2.1 accepts; its time-ordered successors, 6 and
// 7, it does not), with a random node in place of a network card's
// address: consecutive ids then fall next to each other in the reports'
// id index, where random ones each dirtied a page of it. The id tells no
// more than the report's own created time. Like uuid.NewString, it panics
// only if the system's random source fails.
func NewReportID() string {
	id := uuid.Must(uuid.NewUUID())
	// RFC 9562, section 6.10: a random node, with the multicast bit set
	// so that it is never taken for a card's address.
	if _, err := rand.Read(id[10:]); err != nil {
		panic(err)
	}
	id[10] |= 0x01
	return reportIDPrefix + id.String()
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// Normalize tidies a draft in place: trims the title and tags, drops
// duplicate and empty tags, sorts distribution parties, and brings
// observed_at to UTC microseconds.
func (d *Draft) Normalize() {
	d.Title = strings.TrimSpace(d.Title)
	if d.ObservedAt != nil {
		// Stored, and committed to in the log, at microsecond precision.
		t := d.ObservedAt.UTC().Truncate(time.Microsecond)
		d.ObservedAt = &t
	}
	d.Language = strings.ToLower(strings.TrimSpace(d.Language))
	var tags []string
	for _, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	d.Tags = tags
	if d.Distribution.Parties != nil {
		ps := slices.Clone(d.Distribution.Parties)
		slices.Sort(ps)
		d.Distribution.Parties = slices.Compact(ps)
	}
}

// Validate checks a draft against the limits and the roster; every problem
// found is reported, each with its field. It does not modify d: call
// Normalize first.
func (d Draft) Validate(lim Limits, dir Directory) error {
	return d.CheckContent(lim).Against(dir)
}

// A DraftCheck is a draft whose content is checked: all but its
// distribution, which needs the roster. A batch checks its drafts'
// content in parallel before the write transaction, which alone reads the
// roster as it stands.
type DraftCheck struct {
	dist   Distribution
	tlp    TLP
	fields []FieldError
}

// Against finishes the check with the roster, and returns every problem
// found, as Validate does.
func (c DraftCheck) Against(dir Directory) error {
	e := &InvalidError{Fields: slices.Clip(c.fields)} // an append copies: c stays as it is
	c.dist.validateInto(e, c.tlp, dir)
	return e.err()
}

// CheckContent checks all of a draft but its distribution (see
// DraftCheck).
func (d Draft) CheckContent(lim Limits) DraftCheck {
	e := &InvalidError{}
	if isBlank(d.Title) {
		e.add("title", "title is required")
	} else {
		checkText(e, "title", d.Title, lim.MaxTitleRunes, false)
	}
	if len(d.Body) > lim.MaxBodyBytes {
		e.add("body", "must be at most %d bytes (got %d)", lim.MaxBodyBytes, len(d.Body))
	} else if isBlank(d.Body) {
		e.add("body", "body is required")
	} else {
		checkText(e, "body", d.Body, lim.MaxBodyBytes, true)
	}
	if d.Language != "" && !languageRE.MatchString(d.Language) {
		e.add("language", "language %q must be an ISO 639 code such as ar, fa, ru or en", d.Language)
	}
	if !slices.Contains(TLPs, d.TLP) {
		e.add("tlp", "tlp %q must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED", d.TLP)
	}
	if d.Reliability != "" && !d.Reliability.Valid() {
		e.add("reliability", "reliability %q must be one of A-F", d.Reliability)
	}
	if d.Credibility != "" && !d.Credibility.Valid() {
		e.add("credibility", "credibility %q must be one of 1-6", d.Credibility)
	}
	if len(d.Tags) > lim.MaxTags {
		e.add("tags", "at most %d tags (got %d)", lim.MaxTags, len(d.Tags))
	}
	for i, t := range d.Tags {
		checkText(e, fmt.Sprintf("tags[%d]", i), t, lim.MaxTagRunes, false)
	}
	return DraftCheck{dist: d.Distribution, tlp: d.TLP, fields: e.Fields}
}

func (dist Distribution) validateInto(e *InvalidError, tlp TLP, dir Directory) {
	set := 0
	if dist.All {
		set++
	}
	if len(dist.Parties) > 0 {
		set++
	}
	if dist.Committee != "" {
		set++
	}
	if set != 1 {
		e.add("distribution", `exactly one of "all", "parties" or "committee" must be given`)
		return
	}
	if dist.All && tlp == TLPRed {
		e.add("distribution", "TLP:RED must name its recipients: use a party list, not all members")
	}
	for i, p := range dist.Parties {
		if _, ok := dir.Party(p); !ok {
			e.add(fmt.Sprintf("distribution.parties[%d]", i), "unknown party %q", p)
		}
	}
	if dist.Committee != "" {
		if _, ok := dir.Committee(dist.Committee); !ok {
			e.add("distribution.committee", "unknown committee %q", dist.Committee)
		}
	}
}

// Audience is the visibility rule: the parties that may see a version from
// source with distribution dist, given the roster dir. The source always
// sees its own reports. The result is sorted and free of duplicates.
func (dir Directory) Audience(source PartyCode, dist Distribution) []PartyCode {
	out := []PartyCode{source}
	switch {
	case dist.All:
		out = append(out, dir.Members()...)
	case dist.Committee != "":
		if c, ok := dir.Committee(dist.Committee); ok {
			out = append(out, c.Members...)
		}
	default:
		for _, p := range dist.Parties {
			if _, ok := dir.Party(p); ok {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
