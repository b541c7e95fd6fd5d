package web

import (
	"net/http"
	"strings"
)

// setLanguage remembers the language the user picked and goes back to the
// page the form was on.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if err := s.recorder.SetUILanguage(r.Context(), *v.who, r.PostForm.Get("lang")); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

// localPath returns p if it is a path on this site, else "/": a form's
// "next" must not send the user elsewhere.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}
