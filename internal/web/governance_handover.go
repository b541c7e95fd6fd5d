package web

import "net/http"

// handOver ends the chair's term at the next 00:00 UTC: a power of the
// chairing party's officers, which the write path checks.
func (s *Server) handOver(w http.ResponseWriter, r *http.Request, v *visit) error {
	if _, err := s.recorder.HandOver(r.Context(), *v.who); err != nil {
		return err
	}
	http.Redirect(w, r, "/governance", http.StatusSeeOther)
	return nil
}
