package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// reportView is one version of a report, with its history and its place
// in the transparency log.
type reportView struct {
	Row reportRow
	// Body is the text with its observables marked.
	Body         template.HTML
	Observables  []observableRow
	Author       string
	Distribution string
	Reliability  center.Reliability
	Credibility  center.Credibility
	Created      string
	RevokedAt    string
	Purged       bool
	Versions     []versionRow
	// Shown is the 1-based number of the version shown.
	Shown  int
	Latest bool
	Log    tlog.Status
	// LogIndex is the entry's index in the log, localized; "" if pending.
	LogIndex   string
	CosignedBy []string
	// Mine: the viewer's party wrote it, so may revise or revoke it.
	Mine bool
}

// A versionRow is one version in a report's history.
type versionRow struct {
	N       int
	Title   string
	At      string
	AtISO   string
	Current bool
}

// showReport shows the newest version of a report the party may see, or
// the one ?version=N names, with every version the party may see.
func (s *Server) showReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	id := r.PathValue("id")
	if !center.ValidReportID(id) {
		return fmt.Errorf("web: report %q: %w", id, center.ErrNotFound)
	}
	versions, err := s.store.Versions(ctx, v.party(), id)
	if err != nil {
		return err
	}
	n := len(versions)
	if q := r.URL.Query().Get("version"); q != "" {
		k, err := strconv.Atoi(q)
		if err != nil || k < 1 || k > len(versions) {
			return fmt.Errorf("web: report %s version %q: %w", id, q, center.ErrNotFound)
		}
		n = k
	}
	rep := versions[n-1]
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	view := reportView{
		Row: s.row(dir, v.L, rep), Author: rep.Author,
		Distribution: distribution(dir, v.L, rep.Distribution),
		Reliability:  rep.Reliability, Credibility: rep.Credibility,
		Created: v.L.DateTime(rep.Created), Purged: rep.Purged != nil,
		Shown: n, Latest: n == len(versions),
		Mine: rep.Source == v.party() && rep.Revoked == nil,
	}
	view.Body, view.Observables = markObservables(rep.Body, rep.Language)
	if rep.Revoked != nil {
		view.RevokedAt = v.L.DateTime(*rep.Revoked)
	}
	for i, ver := range versions {
		view.Versions = append(view.Versions, versionRow{N: i + 1, Title: ver.Title, At: v.L.DateTime(ver.Version), AtISO: ISO(ver.Version), Current: i+1 == n})
	}
	if view.Log, err = s.logStatus(ctx, rep); err != nil {
		return err
	}
	if view.Log.Index != nil {
		view.LogIndex = v.L.Num(int(*view.Log.Index))
	}
	for _, p := range view.Log.CosignedBy {
		view.CosignedBy = append(view.CosignedBy, partyName(dir, v.L, p))
	}
	return s.render(w, r, v, http.StatusOK, "report_show", rep.Title, view)
}

// logStatus returns where a version stands in the transparency log.
func (s *Server) logStatus(ctx context.Context, rep center.Report) (tlog.Status, error) {
	evs, err := s.store.SubjectEvents(ctx, rep.ID)
	if err != nil {
		return tlog.Status{}, err
	}
	for _, e := range evs {
		if (e.Type == center.ReportSubmitted || e.Type == center.ReportRevised) && e.At.Equal(rep.Version) {
			return tlog.StatusOf(ctx, s.store, e)
		}
	}
	return tlog.StatusOf(ctx, s.store, store.LogEvent{Index: -1})
}

// distribution says in words who a report is shared with.
func distribution(dir center.Directory, l *Locale, d center.Distribution) string {
	switch {
	case d.All:
		return l.T("dist.all_members")
	case d.Committee != "":
		name := d.Committee
		if c, ok := dir.Committee(d.Committee); ok {
			name = l.Name(c.Names)
		}
		return l.T("dist.committee_named", "Name", name)
	default:
		names := ""
		for i, p := range d.Parties {
			if i > 0 {
				names += l.T("list.sep")
			}
			names += partyName(dir, l, p)
		}
		return names
	}
}
