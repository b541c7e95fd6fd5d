package web

import "net/http"

// loginView is the sign-in form.
type loginView struct {
	Username string
	// Error is the message key of why the last try failed, if it did.
	Error string
}

// showLogin shows the sign-in form, in the browser's language (or the one
// picked with ?lang=); a signed-in user goes to the inbox.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.who != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, v, http.StatusOK, "login", v.L.T("login.title"), loginView{})
}
