package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
)

// SessionLifetime is how long a session lasts from signing in.
const SessionLifetime = 12 * time.Hour

// errBadCSRF refuses a form without a valid CSRF token.
var errBadCSRF = errors.New("web: missing or invalid CSRF token")

// keyring holds the session key, read (or made) once from the database.
type keyring struct {
	recorder *record.Recorder
	mu       sync.Mutex
	key      []byte
}

func (k *keyring) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	key, err := k.recorder.UISessionKey(ctx)
	if err != nil {
		return nil, err
	}
	k.key = key
	return key, nil
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// A session is what a session cookie says, once its signature checks.
type session struct {
	username string
	id       string
	issued   time.Time
}

func newSessionID() string {
	b := make([]byte, 18)
	rand.Read(b)
	return b64.EncodeToString(b)
}

// encodeSession signs a session: payload "." HMAC(payload).
func encodeSession(key []byte, s session) string {
	payload := strings.Join([]string{"v1", s.username, s.id, strconv.FormatInt(s.issued.UnixMicro(), 10)}, "|")
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(key, "session", payload))
}

// decodeSession checks a cookie's signature and returns its session.
func decodeSession(key []byte, cookie string) (session, error) {
	bad := fmt.Errorf("web: bad session cookie: %w", center.ErrUnauthenticated)
	p64, m64, ok := strings.Cut(cookie, ".")
	if !ok || len(cookie) > 512 {
		return session{}, bad
	}
	payload, err1 := b64.DecodeString(p64)
	sum, err2 := b64.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, mac(key, "session", string(payload))) {
		return session{}, bad
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 4 || f[0] != "v1" {
		return session{}, bad
	}
	us, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil {
		return session{}, bad
	}
	return session{username: f[1], id: f[2], issued: time.UnixMicro(us).UTC()}, nil
}

// csrfToken is the form token of a session id or a pre-session id.
func csrfToken(key []byte, id string) string { return b64.EncodeToString(mac(key, "csrf", id)) }

func checkCSRF(key []byte, id, token string) bool {
	want := csrfToken(key, id)
	return id != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

// overTLS reports whether the browser reached the center over TLS: the
// connection itself, or a TLS-terminating proxy in front of it that says
// so in X-Forwarded-Proto. Believing a forged header costs nothing: it can
// only make a client's own cookies Secure, which a plain-HTTP browser then
// does not send back.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// Cookie names. Over TLS they take the __Host- prefix, which the browser
// accepts only from a secure origin, for the whole host and no other.
func sessionCookieName(r *http.Request) string {
	if overTLS(r) {
		return "__Host-tabadul-session"
	}
	return "tabadul-session"
}

func preCookieName(r *http.Request) string {
	if overTLS(r) {
		return "__Host-tabadul-pre"
	}
	return "tabadul-pre"
}

func cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: overTLS(r), SameSite: http.SameSiteStrictMode,
	}
}

// A visit is one request as the interface sees it: who (nil before signing
// in), in which language, and the CSRF token its forms carry.
type visit struct {
	who  *center.Principal
	L    *Locale
	sid  string
	CSRF string
}

func (v *visit) party() center.PartyCode {
	if v.who == nil {
		return ""
	}
	return v.who.Party()
}

// Who is the signed-in user, for templates.
func (v *visit) Who() *center.Principal { return v.who }

// authenticate resolves the session cookie to a principal: a good
// signature, within its lifetime, issued after the user last signed out,
// of a user who exists and is not disabled.
func (s *Server) authenticate(ctx context.Context, r *http.Request, key []byte) (center.Principal, session, error) {
	c, err := r.Cookie(sessionCookieName(r))
	if err != nil {
		return center.Principal{}, session{}, fmt.Errorf("web: no session: %w", center.ErrUnauthenticated)
	}
	ses, err := decodeSession(key, c.Value)
	if err != nil {
		return center.Principal{}, session{}, err
	}
	now := s.clock.Now()
	if now.Sub(ses.issued) > SessionLifetime || ses.issued.After(now.Add(time.Minute)) {
		return center.Principal{}, session{}, fmt.Errorf("web: session expired: %w", center.ErrUnauthenticated)
	}
	floor, err := record.UISessionsAfter(ctx, s.store, ses.username)
	if err != nil {
		return center.Principal{}, session{}, err
	}
	if !floor.IsZero() && !ses.issued.After(floor) {
		return center.Principal{}, session{}, fmt.Errorf("web: session ended: %w", center.ErrUnauthenticated)
	}
	u, err := s.store.User(ctx, ses.username)
	if errors.Is(err, center.ErrNotFound) || err == nil && u.Disabled {
		return center.Principal{}, session{}, fmt.Errorf("web: user %s cannot sign in: %w", ses.username, center.ErrUnauthenticated)
	}
	if err != nil {
		return center.Principal{}, session{}, err
	}
	return center.Principal{User: u}, ses, nil
}

// handlerFunc is a page's handler: it returns an error instead of writing
// one, and s.fail answers it.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v *visit) error

// page serves h to signed-in users; others are sent to the login page.
func (s *Server) page(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, h, true, false)
	})
}

// action serves h, a form's POST, to signed-in users whose form carries
// the session's CSRF token.
func (s *Server) action(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, h, true, true)
	})
}

// public serves h to anyone: the login page. Its forms' CSRF token is tied
// to a pre-session cookie, set here if missing.
func (s *Server) public(pattern string, h handlerFunc, post bool) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, h, false, post)
	})
}

// maxForm bounds a form: a report body at its limit, percent-encoded,
// and the other fields.
func (s *Server) maxForm() int64 { return int64(s.recorder.Limits().MaxBodyBytes)*3 + 64<<10 }

func (s *Server) serve(w http.ResponseWriter, r *http.Request, h handlerFunc, signedIn, post bool) {
	ctx := r.Context()
	v := &visit{L: s.locales.forRequest(r, "")}
	key, err := s.keys.get(ctx)
	if err != nil {
		s.fail(w, r, v, err)
		return
	}
	who, ses, err := s.authenticate(ctx, r, key)
	switch {
	case err == nil:
		v.who, v.sid = &who, ses.id
		chosen, lerr := record.UILanguage(ctx, s.store, who.User.Username)
		if lerr != nil {
			s.fail(w, r, v, lerr)
			return
		}
		v.L = s.locales.forRequest(r, chosen)
	case !errors.Is(err, center.ErrUnauthenticated):
		s.fail(w, r, v, err)
		return
	case signedIn:
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		s.fail(w, r, v, err)
		return
	default:
		if c, cerr := r.Cookie(preCookieName(r)); cerr == nil && len(c.Value) < 64 {
			v.sid = c.Value
		} else if !post {
			v.sid = newSessionID()
			http.SetCookie(w, cookie(r, preCookieName(r), v.sid, 0))
		}
	}
	v.CSRF = csrfToken(key, v.sid)
	if post {
		r.Body = http.MaxBytesReader(w, r.Body, s.maxForm())
		if err := parseForm(r); err != nil {
			s.log.DebugContext(r.Context(), "web: unreadable form", "err", err)
			s.fail(w, r, v, center.Invalid("form", "the form could not be read"))
			return
		}
		if !checkCSRF(key, v.sid, r.PostForm.Get("_csrf")) {
			s.fail(w, r, v, errBadCSRF)
			return
		}
	}
	if err := h(w, r, v); err != nil {
		s.fail(w, r, v, err)
	}
}

// startSession signs the user in: a new session cookie, the pre-session
// cookie dropped.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, username string) error {
	key, err := s.keys.get(r.Context())
	if err != nil {
		return err
	}
	issued := s.clock.Now().UTC().Truncate(time.Microsecond)
	// A session issued in the same microsecond as the user's last sign-out
	// would be void at once: issue it just after.
	floor, err := record.UISessionsAfter(r.Context(), s.store, username)
	if err != nil {
		return err
	}
	if !issued.After(floor) {
		issued = floor.Add(time.Microsecond)
	}
	ses := session{username: username, id: newSessionID(), issued: issued}
	http.SetCookie(w, cookie(r, sessionCookieName(r), encodeSession(key, ses), int(SessionLifetime/time.Second)))
	http.SetCookie(w, cookie(r, preCookieName(r), "", -1))
	return nil
}
