// Package web is the analysts' web interface: server-rendered pages in
// Arabic, Persian, Russian and English, built with html/template and htmx,
// every asset embedded in the binary and no front-end build step.
//
// # What it may do
//
// The interface is one more client of the center's two paths and never
// goes around them: it reads through store.Reader (and analyze.Searcher)
// with the signed-in user's party as the viewer, so the visibility rule
// applies to every page exactly as to the API, and it writes only through
// record.Recorder. A report another party may not see is "not found" on
// every page, indistinguishable from one that does not exist.
//
// # Sessions and forms
//
// Users sign in with their password (argon2id, package secret). A session
// is a cookie signed with HMAC-SHA256 under a key kept in the database
// (Recorder.UISessionKey), so that every node of a deployment accepts it:
// username, a random session id and the time it was issued, valid for
// SessionLifetime. Signing out ends all of the user's sessions on every
// node (Recorder.EndUISessions). The cookie is HttpOnly, SameSite=Strict,
// and Secure when the request came over TLS (or through a TLS-terminating
// proxy that sets X-Forwarded-Proto: https). Every form carries a CSRF
// token, an HMAC of the session id (or, before signing in, of a random
// pre-session cookie), and every unsafe request must also pass
// http.CrossOriginProtection's Origin and Sec-Fetch-Site checks. Failed
// sign-ins are limited per username and per client address (limiter.go);
// the limiter is per node.
//
// # Languages
//
// One message-key set (locales/*.toml, go-i18n's format, CLDR plural
// forms) is complete in all four languages; locale_test.go checks it. A
// page is in the language the user chose (remembered per user in the
// database), else the best match of the browser's Accept-Language. <html>
// carries lang and dir; Arabic and Persian are right-to-left and the
// layout mirrors itself because the stylesheet uses only logical
// properties (margin-inline-start, inset-inline-end, …). User text is
// isolated with <bdi> or dir="auto", so an English IP inside Arabic prose
// keeps its order. Dates and numbers are written with the locale's digits
// and month names; Persian pages also give the Solar Hijri date
// (jalali.go). Elements marked translate="no" hold identifiers and user
// text; the test that no English is left in an Arabic page skips them.
//
// The center's own messages (why a form, an import, a query or a vote was
// refused) come with their English fmt format and arguments; the format
// is the message's id in locales/messages.*.toml, and Locale.Say fills
// its translation with the same arguments, each isolated (message.go).
// messages_test.go finds every format in the sources with go/ast and
// checks all four languages have it.
//
// # Security headers
//
// Every response carries a Content-Security-Policy without 'unsafe-inline'
// (no inline script or style anywhere: htmx's own indicator styles are
// turned off by the htmx-config meta tag), frame-ancestors 'none',
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
//
// # Adding a page
//
// A page for a new capability (entities, endpoints and subscriptions,
// deliveries, the live stream) is one handler and one template:
//
//  1. templates/entity_show.html defines {{define "content"}}…{{end}} and
//     reads its data from .Data; every word in it is {{$.L.T "key"}} with
//     the keys added to all four locales/*.toml (the locale test fails
//     until they are).
//  2. entity_show.go holds the handler, with the signature
//     func (s *Server) showEntity(w http.ResponseWriter, r *http.Request, v *visit) error:
//     it reads through s.store with v.party() as the viewer (or writes
//     through s.recorder with v.who), and ends with
//     s.render(w, r, v, http.StatusOK, "entity_show", title, data), data
//     being a struct of its own (no map[string]any). A page for officers
//     only (endpoints, subscriptions, deliveries) starts with
//     if !v.who.IsOfficer() { return center.ErrForbidden }.
//  3. routes.go gets one line: s.page("GET /entities/{id}", s.showEntity)
//     (or s.action for a POST, which checks the CSRF token first), and,
//     for the menu, one entry in navItems.
//
// A live page serves its event stream from a route of its own behind
// s.page, so it is authenticated like every other: the inbox's is
// /inbox/stream (inbox_stream.go), whose events carry rows rendered on
// the server, which static/live.js, loaded by the page, only places.
package web
