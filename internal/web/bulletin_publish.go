package web

import (
	"net/http"
	"strings"
)

// publishBulletin publishes a notice of the chair to every party: a chair
// power, which the write path grants only to the chairing party's
// officers. An invalid bulletin comes back to the governance page with
// its message in the user's language.
func (s *Server) publishBulletin(w http.ResponseWriter, r *http.Request, v *visit) error {
	title := r.PostForm.Get("title")
	body := strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")
	if _, err := s.recorder.PublishBulletin(r.Context(), *v.who, title, body, ""); err != nil {
		msgs, _, ok := invalidFields(err, v.L)
		if !ok {
			return err
		}
		return s.renderGovernance(w, r, v, http.StatusBadRequest, bulletinForm{Title: title, Body: body, Errors: msgs}, proposalForm{})
	}
	http.Redirect(w, r, "/governance#bulletins-h", http.StatusSeeOther)
	return nil
}
