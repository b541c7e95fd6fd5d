package api

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// This file holds the wire forms of a report, shared by the report
// handlers. Their JSON names are the API's contract.

// reportsPath is where reports live; a report's own URL appends its id.
const reportsPath = "/api/v1/reports"

// distribution is who a report is shared with besides its source party:
// exactly one of its fields is set. The schema leaves the "exactly one"
// to package center, so that a client learns every broken rule at once.
type distribution struct {
	All       bool     `json:"all,omitempty" doc:"Share with every member party."`
	Parties   []string `json:"parties,omitempty" doc:"Share with these parties, members or associates." example:"[\"IQ\",\"RU\"]"`
	Committee string   `json:"committee,omitempty" doc:"Share with the members of this committee." example:"regional"`
}

// draft is the body of a submission or a revision. Only the shape is
// checked here; the rules (lengths, text, the roster) are package center's.
type draft struct {
	Title        string       `json:"title" doc:"Up to 500 characters; required." example:"Movement near the border"`
	Body         string       `json:"body" doc:"The report's text; required." example:"..."`
	Language     string       `json:"language,omitempty" doc:"ISO 639 code of the text, such as ar, fa, ru or en." example:"ar"`
	TLP          string       `json:"tlp" enum:"CLEAR,GREEN,AMBER,AMBER+STRICT,RED" doc:"TLP 2.0 marking."`
	Distribution distribution `json:"distribution"`
	Reliability  string       `json:"reliability,omitempty" enum:"A,B,C,D,E,F" doc:"Admiralty code: reliability of the source."`
	Credibility  string       `json:"credibility,omitempty" enum:"1,2,3,4,5,6" doc:"Admiralty code: credibility of the information."`
	Tags         []string     `json:"tags,omitempty" doc:"Free-form labels; duplicates and blanks are dropped."`
	ObservedAt   *time.Time   `json:"observed_at,omitempty" doc:"When what the report describes was observed (RFC 3339)."`
}

// centerDraft returns d as package center's Draft.
func (d draft) centerDraft() center.Draft {
	out := center.Draft{
		Title:       d.Title,
		Body:        d.Body,
		Language:    d.Language,
		TLP:         center.TLP(d.TLP),
		Reliability: center.Reliability(d.Reliability),
		Credibility: center.Credibility(d.Credibility),
		Tags:        slices.Clone(d.Tags),
		ObservedAt:  d.ObservedAt,
		Distribution: center.Distribution{
			All:       d.Distribution.All,
			Committee: d.Distribution.Committee,
		},
	}
	for _, p := range d.Distribution.Parties {
		out.Distribution.Parties = append(out.Distribution.Parties, center.PartyCode(p))
	}
	return out
}

// listFieldRE matches the field of a list element in a center.FieldError.
var listFieldRE = regexp.MustCompile(`^(distribution\.parties|tags)\[(\d+)\]$`)

// locate points the errors of a draft's validation at the client's own
// input. The recorder normalizes a draft before validating it — sorting
// and de-duplicating distribution parties, trimming and dropping blank or
// duplicate tags — so the indexes in its field names count elements of the
// normalized lists; locate maps each back to the first element of the
// client's list that normalizes to the same value, and names unknown
// parties and committees in the error's value. Other errors pass unchanged.
func (d draft) locate(err error) error {
	var inv *center.InvalidError
	if !errors.As(err, &inv) {
		return err
	}
	norm := d.centerDraft()
	norm.Normalize()
	out := &center.InvalidError{}
	for _, f := range inv.Fields {
		switch m := listFieldRE.FindStringSubmatch(f.Field); {
		case m != nil:
			i, _ := strconv.Atoi(m[2])
			if m[1] == "tags" && i < len(norm.Tags) {
				if j := slices.IndexFunc(d.Tags, func(t string) bool { return strings.TrimSpace(t) == norm.Tags[i] }); j >= 0 {
					f.Field = fmt.Sprintf("tags[%d]", j)
				}
			}
			if m[1] == "distribution.parties" && i < len(norm.Distribution.Parties) {
				p := string(norm.Distribution.Parties[i])
				if j := slices.Index(d.Distribution.Parties, p); j >= 0 {
					f.Field = fmt.Sprintf("distribution.parties[%d]", j)
				}
				f.Value = p
			}
		case f.Field == "distribution.committee":
			f.Value = d.Distribution.Committee
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}

// report is one version of a report as the API shows it.
type report struct {
	ID           string       `json:"id" example:"report--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
	Version      time.Time    `json:"version" doc:"When this version was recorded; versions of a report strictly increase."`
	Created      time.Time    `json:"created" doc:"When the first version was recorded."`
	Source       string       `json:"source" doc:"The party that wrote the report." example:"IQ"`
	Author       string       `json:"author" doc:"The user who recorded this version." example:"iq-analyst"`
	Title        string       `json:"title"`
	Body         string       `json:"body"`
	Language     string       `json:"language,omitempty"`
	TLP          string       `json:"tlp"`
	Distribution distribution `json:"distribution"`
	Reliability  string       `json:"reliability,omitempty"`
	Credibility  string       `json:"credibility,omitempty"`
	Tags         []string     `json:"tags"`
	ObservedAt   *time.Time   `json:"observed_at,omitempty"`
	Revoked      *time.Time   `json:"revoked,omitempty" doc:"When the source party revoked the report; absent while it stands."`
}

// viewReport returns the wire form of a recorded version.
func viewReport(r center.Report) report {
	out := report{
		ID:          r.ID,
		Version:     r.Version,
		Created:     r.Created,
		Source:      string(r.Source),
		Author:      r.Author,
		Title:       r.Title,
		Body:        r.Body,
		Language:    r.Language,
		TLP:         string(r.TLP),
		Reliability: string(r.Reliability),
		Credibility: string(r.Credibility),
		Tags:        r.Tags,
		ObservedAt:  r.ObservedAt,
		Revoked:     r.Revoked,
		Distribution: distribution{
			All:       r.Distribution.All,
			Committee: r.Distribution.Committee,
		},
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for _, p := range r.Distribution.Parties {
		out.Distribution.Parties = append(out.Distribution.Parties, string(p))
	}
	return out
}

// viewReports returns the wire forms of versions, never nil, so that an
// empty list is [] on the wire.
func viewReports(rs []center.Report) []report {
	out := make([]report, 0, len(rs))
	for _, r := range rs {
		out = append(out, viewReport(r))
	}
	return out
}

// reportID is the path parameter naming a report. Ids that are not
// well-formed are refused as not found before any query: they cannot name
// a report, and no client text reaches SQL that way (the store binds ids
// as parameters in any case).
type reportID struct {
	ID string `path:"id" doc:"The report's id: report-- and a lowercase UUID." example:"report--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
}

// checkReportID returns center.ErrNotFound for an id that cannot name a
// report.
func checkReportID(id string) error {
	if !center.ValidReportID(id) {
		return fmt.Errorf("api: report id %q: %w", id, center.ErrNotFound)
	}
	return nil
}

// reportResponse answers with one report.
type reportResponse struct {
	Body report
}
