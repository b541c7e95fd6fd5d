package web

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/secret"
)

// submitLogin checks a username and password. A wrong password, an
// unknown or disabled user all get the same answer, after the same work;
// past the rate limit nothing is checked.
func (s *Server) submitLogin(w http.ResponseWriter, r *http.Request, v *visit) error {
	username := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
	password := r.PostForm.Get("password")
	addr := clientAddress(r)
	view := loginView{Username: username, Picked: pickedLanguage(r)}
	if !s.limiter.allowed(username, addr) {
		view.Error = "login.limited"
		return s.render(w, r, v, http.StatusTooManyRequests, "login", v.L.T("login.title"), view)
	}
	ok, err := s.checkPassword(r, username, password)
	if err != nil {
		return err
	}
	if !ok {
		s.limiter.failed(username, addr)
		view.Error = "login.failed"
		return s.render(w, r, v, http.StatusUnauthorized, "login", v.L.T("login.title"), view)
	}
	s.limiter.succeeded(username)
	if view.Picked != "" {
		u, err := s.store.User(r.Context(), username)
		if err != nil {
			return err
		}
		if err := s.recorder.SetUILanguage(r.Context(), center.Principal{User: u}, view.Picked); err != nil {
			return err
		}
	}
	if err := s.startSession(w, r, username); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// checkPassword reports whether the user may sign in with the password.
func (s *Server) checkPassword(r *http.Request, username, password string) (bool, error) {
	u, err := s.store.User(r.Context(), username)
	if errors.Is(err, center.ErrNotFound) || !center.ValidUsername(username) {
		// Spend what a real check spends, so that timing does not tell
		// which usernames exist.
		secret.CheckPassword(dummyHash(), password)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if u.PasswordHash == "" || u.Disabled {
		secret.CheckPassword(dummyHash(), password)
		return false, nil
	}
	return secret.CheckPassword(u.PasswordHash, password) == nil, nil
}

var dummyHash = sync.OnceValue(func() string {
	h, _ := secret.HashPassword(secret.NewPassword(), secret.DefaultParams)
	return h
})

// clientAddress is the peer's IP address. Behind a proxy every client is
// the proxy; the per-username limit still holds.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
