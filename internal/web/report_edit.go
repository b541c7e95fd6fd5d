package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

// editReport shows the edit form of a report of the user's party,
// filled with its newest version.
func (s *Server) editReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	if !center.ValidReportID(id) {
		return fmt.Errorf("web: report %q: %w", id, center.ErrNotFound)
	}
	rep, err := s.store.Report(r.Context(), v.party(), id)
	if err != nil {
		return err
	}
	if rep.Source != v.party() {
		return center.Refuse(center.ErrForbidden, "only the source party %s may change report %s", rep.Source, id)
	}
	if rep.Revoked != nil {
		return center.Refuse(center.ErrConflict, "report %s is revoked", id)
	}
	d := center.Draft{Title: rep.Title, Body: rep.Body, Language: rep.Language, TLP: rep.TLP,
		Distribution: rep.Distribution, Reliability: rep.Reliability, Credibility: rep.Credibility, Tags: rep.Tags}
	dist := "parties"
	switch {
	case rep.Distribution.All:
		dist = "all"
	case rep.Distribution.Committee != "":
		dist = "committee"
	}
	f, err := s.newForm(r, v.L, id, d, dist, strings.Join(rep.Tags, ", "))
	if err != nil {
		return err
	}
	return s.render(w, r, v, http.StatusOK, "report_form", v.L.T("edit.title"), f)
}
