package web

import (
	"net/http"
	"slices"
)

// loginView is the sign-in form.
type loginView struct {
	Username string
	// Error is the message key of why the last try failed, if it did.
	Error string
	// Picked is the language chosen on the page (?lang=), remembered for
	// the user who signs in with it.
	Picked string
}

// pickedLanguage is the language a visitor chose with ?lang=, if any.
func pickedLanguage(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(languages, l) {
		return l
	}
	return ""
}

// showLogin shows the sign-in form, in the browser's language (or the one
// picked with ?lang=); a signed-in user goes to the inbox.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, v *visit) error {
	if v.who != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, v, http.StatusOK, "login", v.L.T("login.title"), loginView{Picked: pickedLanguage(r)})
}
