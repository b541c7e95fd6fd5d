package web

import (
	"net/http"
)

// revokeReport revokes a report of the user's party: every version stays,
// marked revoked.
func (s *Server) revokeReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	id := r.PathValue("id")
	if _, err := s.recorder.RevokeReport(r.Context(), *v.who, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/reports/"+id, http.StatusSeeOther)
	return nil
}
