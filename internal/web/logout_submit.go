package web

import "net/http"

// submitLogout ends every session of the user, on every node, and drops
// the cookie.
func (s *Server) submitLogout(w http.ResponseWriter, r *http.Request, v *visit) error {
	if _, err := s.recorder.EndUISessions(r.Context(), *v.who); err != nil {
		return err
	}
	http.SetCookie(w, cookie(r, sessionCookieName(r), "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
