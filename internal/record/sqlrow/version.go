package sqlrow

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// VersionColumns selects a full report version from versions v joined with
// reports r, in the order [VersionRow.Dest] scans them.
const VersionColumns = `v.seq, r.id, v.version, r.created, r.source, v.author, v.title, v.body,
	v.language, v.tlp, v.distribution, v.reliability, v.credibility, v.tags, v.audience,
	v.observed_at, r.revoked, v.purged`

// VersionRow is a version row (VersionColumns) as scanned, before its
// times and JSON columns are decoded. It lets a query scan other columns
// before or after it.
type VersionRow struct {
	rep                                   center.Report
	version, created                      int64
	source, tlp, reliability, credibility string
	dist, tags, audience                  string
	observed, revoked, purged             sql.NullInt64
}

// Dest returns the scan destinations of VersionColumns, in order.
func (v *VersionRow) Dest() []any {
	r := &v.rep
	return []any{&r.Seq, &r.ID, &v.version, &v.created, &v.source, &r.Author, &r.Title, &r.Body,
		&r.Language, &v.tlp, &v.dist, &v.reliability, &v.credibility, &v.tags, &v.audience,
		&v.observed, &v.revoked, &v.purged}
}

// Report decodes the scanned row.
func (v *VersionRow) Report(b Backend) (center.Report, error) {
	rep := v.rep
	rep.Source, rep.TLP = center.PartyCode(v.source), center.TLP(v.tlp)
	rep.Reliability, rep.Credibility = center.Reliability(v.reliability), center.Credibility(v.credibility)
	rep.Version, rep.Created = Time(v.version), Time(v.created)
	rep.ObservedAt, rep.Revoked, rep.Purged = TimePtr(v.observed), TimePtr(v.revoked), TimePtr(v.purged)
	if err := json.Unmarshal([]byte(v.dist), &rep.Distribution); err != nil {
		return rep, fmt.Errorf("%s: version %d distribution: %w", b, rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(v.tags), &rep.Tags); err != nil {
		return rep, fmt.Errorf("%s: version %d tags: %w", b, rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(v.audience), &rep.Audience); err != nil {
		return rep, fmt.Errorf("%s: version %d audience: %w", b, rep.Seq, err)
	}
	return rep, nil
}

// Version scans and decodes a row of VersionColumns.
func (b Backend) Version(sc Scanner) (center.Report, error) {
	var v VersionRow
	if err := sc.Scan(v.Dest()...); err != nil {
		return center.Report{}, err
	}
	return v.Report(b)
}

// Versions decodes every row of VersionColumns; an error is named
// "versions".
func (b Backend) Versions(rows Rows) ([]center.Report, error) {
	out, err := Collect(rows, b.Version)
	if err != nil {
		return nil, fmt.Errorf("%s: versions: %w", b, err)
	}
	return out, nil
}

// VersionJSON encodes a version's JSON columns: its distribution, its tags
// (never null) and its audience.
func (b Backend) VersionJSON(rep center.Report) (dist, tags, audience string, err error) {
	d, err := json.Marshal(rep.Distribution)
	if err != nil {
		return "", "", "", fmt.Errorf("%s: distribution: %w", b, err)
	}
	t := rep.Tags
	if t == nil {
		t = []string{}
	}
	tj, _ := json.Marshal(t)
	a, _ := json.Marshal(rep.Audience)
	return string(d), string(tj), string(a), nil
}

// ReportPage is a page of limit reports out of items, read with one more
// than limit to learn whether another page follows.
func ReportPage(items []center.Report, limit int) store.ReportPage {
	page := store.ReportPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.Next = page.Items[limit-1].Seq
	}
	return page
}

// InOrder returns the reports of found in the order of ids, each once,
// leaving out the ids not found.
func InOrder(ids []string, found []center.Report) []center.Report {
	byID := make(map[string]center.Report, len(found))
	for _, r := range found {
		byID[r.ID] = r
	}
	out := make([]center.Report, 0, len(found))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
			delete(byID, id)
		}
	}
	return out
}
