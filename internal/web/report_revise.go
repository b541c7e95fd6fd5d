package web

import (
	"fmt"
	"net/http"

	"github.com/tabadul/tabadul/internal/center"
)

// reviseReport records a new version of a report of the user's party.
func (s *Server) reviseReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	if !center.ValidReportID(id) {
		return fmt.Errorf("web: report %q: %w", id, center.ErrNotFound)
	}
	d, dist, tags := draftFromForm(r.PostForm)
	if _, err := s.recorder.ReviseReport(r.Context(), *v.who, id, d); err != nil {
		return s.formError(w, r, v, id, err, d, dist, tags)
	}
	http.Redirect(w, r, "/reports/"+id, http.StatusSeeOther)
	return nil
}
