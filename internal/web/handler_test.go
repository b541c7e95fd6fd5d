package web

import (
	"context"
	"crypto/tls"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// secret report: IQ to IQ and RU only, with words no other report has.
func iqToRU() center.Draft {
	return center.Draft{
		Title: "خلية زرقاء قرب 10.0.0.7", Body: "رصدت خلية زرقاء تتصل بالعنوان 10.0.0.7 في البصرة قرب إيران.",
		Language: "ar", TLP: center.TLPAmber, Distribution: center.Distribution{Parties: []center.PartyCode{"RU"}},
		Tags: []string{"زرقاء"},
	}
}

func TestSecurityHeaders(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", iqToRU())
	b := c.browser("en")
	anon := []string{"/login", "/static/app.css", "/static/htmx.min.js", "/nowhere"}
	for _, p := range anon {
		checkHeaders(t, p, b.get(p))
	}
	if res := c.browser("ar").get("/nowhere"); res.status != http.StatusNotFound || !strings.Contains(res.body, "<h1>غير موجود</h1>") {
		t.Errorf("an unknown path: %d\n%s", res.status, res.body)
	}
	if res := b.get("/static/app.css"); res.header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("app.css served as %q", res.header.Get("Content-Type"))
	}
	b.login("iq-analyst")
	for _, p := range []string{"/", "/reports/" + rep.ID, "/reports/new", "/search?q=x", "/governance", "/transparency", "/reports/report--00000000-0000-4000-8000-000000000000"} {
		checkHeaders(t, p, b.get(p))
	}
}

func checkHeaders(t *testing.T, path string, res response) {
	t.Helper()
	csp := res.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", path, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows unsafe code: %q", path, csp)
	}
	if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", path, got)
	}
	if got := res.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy = %q", path, got)
	}
	html := strings.HasPrefix(res.header.Get("Content-Type"), "text/html")
	if html && (strings.Contains(res.body, "<script>") || strings.Contains(res.body, " style=") || strings.Contains(res.body, "<style")) {
		t.Errorf("%s: inline script or style in the page", path)
	}
}

func TestLogin(t *testing.T) {
	c := newTestCenter(t)
	t.Run("wrong password, in the browser's language", func(t *testing.T) {
		b := c.browser("ru-RU,ru;q=0.9,en;q=0.5")
		res := b.post("/login", "/login", url.Values{"username": {"iq-analyst"}, "password": {"nope"}})
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Неверное имя пользователя или пароль") {
			t.Fatalf("status %d, body:\n%s", res.status, res.body)
		}
		if strings.Contains(res.body, `lang="ru"`) == false {
			t.Errorf("page not in Russian")
		}
	})
	t.Run("unknown user looks the same", func(t *testing.T) {
		b := c.browser("en")
		res := b.post("/login", "/login", url.Values{"username": {"nobody"}, "password": {"x"}})
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Wrong username or password") {
			t.Fatalf("status %d", res.status)
		}
	})
	t.Run("no CSRF token", func(t *testing.T) {
		b := c.browser("en")
		b.get("/login")
		res := b.do(http.MethodPost, "/login", url.Values{"username": {"iq-analyst"}, "password": {testcenter.Password("iq-analyst")}})
		if res.status != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.status)
		}
	})
	t.Run("cross-site form", func(t *testing.T) {
		b := c.browser("en")
		form := url.Values{"username": {"iq-analyst"}, "password": {testcenter.Password("iq-analyst")}, "_csrf": {b.csrf("/login")}}
		req, _ := http.NewRequest(http.MethodPost, c.http.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 403", res.StatusCode)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		b := c.browser("en")
		for i := 0; i < limitPerUser; i++ {
			b.post("/login", "/login", url.Values{"username": {"ir-analyst"}, "password": {"guess"}})
		}
		res := b.post("/login", "/login", url.Values{"username": {"ir-analyst"}, "password": {testcenter.Password("ir-analyst")}})
		if res.status != http.StatusTooManyRequests {
			t.Fatalf("right password after %d failures: status %d, want 429", limitPerUser, res.status)
		}
		c.Clock.Advance(limitWindow)
		b.login("ir-analyst")
	})
	t.Run("logout ends the session everywhere", func(t *testing.T) {
		b := c.browser("en")
		b.login("sy-analyst")
		u, _ := url.Parse(c.http.URL)
		stolen := b.client.Jar.Cookies(u)
		res := b.post("/", "/logout", url.Values{})
		if res.url != "/login" {
			t.Fatalf("after logout at %s", res.url)
		}
		other := c.browser("en")
		other.client.Jar.SetCookies(u, stolen)
		if res := other.get("/"); res.url != "/login" {
			t.Fatalf("a session cookie from before the logout still works: at %s", res.url)
		}
		b.login("sy-analyst")
	})
	t.Run("session outlives neither its lifetime", func(t *testing.T) {
		b := c.browser("en")
		b.login("jo-analyst")
		c.Clock.Advance(SessionLifetime + 1)
		if res := b.get("/"); res.url != "/login" {
			t.Fatalf("expired session still works: at %s", res.url)
		}
	})
}

func TestCookiesOverTLS(t *testing.T) {
	c := newTestCenter(t)
	ts := httptest.NewTLSServer(c.ui.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	client := ts.Client()
	client.Jar = jar
	client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	res, err := client.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(ts.URL)
	var token string
	for _, ck := range jar.Cookies(u) {
		token = ck.Value
	}
	if token == "" {
		t.Fatal("no pre-session cookie")
	}
	key, _ := c.ui.keys.get(context.Background())
	form := url.Values{"username": {"iq-analyst"}, "password": {testcenter.Password("iq-analyst")}, "_csrf": {csrfToken(key, token)}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "__Host-tabadul-session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("status %d, no __Host- session cookie in %v", res.StatusCode, res.Header["Set-Cookie"])
	}
	if !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Strict, Path=/", session)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
}

func TestCookiesBehindATLSProxy(t *testing.T) {
	c := newTestCenter(t)
	b := c.browser("en")
	req, _ := http.NewRequest(http.MethodGet, c.http.URL+"/login", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cks := res.Cookies()
	if len(cks) != 1 || cks[0].Name != "__Host-tabadul-pre" || !cks[0].Secure {
		t.Errorf("behind a TLS proxy: cookies %v", res.Header["Set-Cookie"])
	}
}

func TestCookiesOverHTTP(t *testing.T) {
	c := newTestCenter(t)
	b := c.browser("en")
	form := url.Values{"username": {"iq-analyst"}, "password": {testcenter.Password("iq-analyst")}, "_csrf": {b.csrf("/login")}}
	req, _ := http.NewRequest(http.MethodPost, c.http.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "tabadul-session" {
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure {
				t.Errorf("session cookie over plain HTTP %+v: want HttpOnly, SameSite=Strict, not Secure", ck)
			}
			return
		}
	}
	t.Fatalf("no session cookie: %v", res.Header["Set-Cookie"])
}

// TestIsolation: a report from IQ to RU shows on every page for the two
// of them and on none for Syria, which cannot tell it from one that does
// not exist.
func TestIsolation(t *testing.T) {
	c := newTestCenter(t)
	iq := c.browser("ar")
	iq.login("iq-analyst")
	d := iqToRU()
	res := iq.post("/reports/new", "/reports", url.Values{
		"title": {d.Title}, "body": {d.Body}, "language": {"ar"}, "tlp": {"AMBER"},
		"dist": {"parties"}, "party": {"RU"}, "reliability": {"B"}, "credibility": {"2"}, "tags": {"زرقاء، بصرة"},
	})
	if res.status != http.StatusOK || !strings.HasPrefix(res.url, "/reports/report--") {
		t.Fatalf("compose: %d at %s:\n%s", res.status, res.url, res.body)
	}
	id := strings.TrimPrefix(res.url, "/reports/")
	rep, err := c.Store.Report(context.Background(), "IQ", id)
	if err != nil || rep.Author != "iq-analyst" || rep.Reliability != "B" || len(rep.Tags) != 2 || rep.Distribution.Parties[0] != "RU" {
		t.Fatalf("recorded %+v, %v", rep, err)
	}
	// A second version, so that the versions are on trial too.
	iq.post("/reports/"+id+"/edit", "/reports/"+id, url.Values{
		"title": {d.Title + " (٢)"}, "body": {d.Body}, "tlp": {"AMBER"}, "dist": {"parties"}, "party": {"RU"}, "tags": {"زرقاء"},
	})
	pages := []struct {
		desc, path string
	}{
		{"inbox", "/"},
		{"inbox by source", "/?source=IQ"},
		{"inbox by tag", "/?tag=" + url.QueryEscape("زرقاء")},
		{"inbox by language", "/?lang=ar"},
		{"report", "/reports/" + id},
		{"first version", "/reports/" + id + "?version=1"},
		{"search", "/search?q=" + url.QueryEscape("زرقاء")},
		{"search for the IP", "/search?q=10.0.0.7"},
		{"search by filter", "/search?q=" + url.QueryEscape("source:IQ lang:ar")},
	}
	for _, user := range []string{"iq-analyst", "ru-analyst", "sy-analyst", "ir-analyst", "jo-analyst"} {
		b := c.browser("en")
		b.login(user)
		sees := user == "iq-analyst" || user == "ru-analyst"
		for _, p := range pages {
			res := b.get(p.path)
			shown := strings.Contains(res.body, "خلية زرقاء") || strings.Contains(res.body, `href="/reports/`+id) || strings.Contains(res.body, "البصرة")
			if shown != sees {
				t.Errorf("%s, %s (%s): shown = %v, want %v", user, p.desc, p.path, shown, sees)
			}
			if !sees && strings.HasPrefix(p.path, "/reports/") && res.status != http.StatusNotFound {
				t.Errorf("%s, %s: status %d, want 404", user, p.desc, res.status)
			}
		}
		if !sees {
			// Writing is refused as not found too, and nothing changes.
			for _, path := range []string{"/reports/" + id + "/edit"} {
				if res := b.get(path); res.status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", user, path, res.status)
				}
			}
			for _, path := range []string{"/reports/" + id + "/revoke", "/reports/" + id} {
				res := b.post("/", path, url.Values{"title": {"x"}, "body": {"y"}, "tlp": {"GREEN"}, "dist": {"all"}})
				if res.status != http.StatusNotFound {
					t.Errorf("%s POST %s: %d, want 404", user, path, res.status)
				}
			}
			// The count of a search that would match it counts nothing.
			if res := b.get("/search?q=" + url.QueryEscape("زرقاء")); !strings.Contains(res.body, "0 results") {
				t.Errorf("%s: search count reveals the report", user)
			}
		}
	}
	vs, err := c.Store.Versions(context.Background(), "IQ", id)
	if err != nil || len(vs) != 2 || vs[1].Revoked != nil {
		t.Fatalf("versions after refused writes: %d, %v", len(vs), err)
	}
}

func TestComposeValidationInTheUsersLanguage(t *testing.T) {
	c := newTestCenter(t)
	tests := []struct {
		lang string
		form url.Values
		want []string
	}{
		{"ar", url.Values{"title": {""}, "body": {"نص"}, "tlp": {"AMBER"}, "dist": {"all"}}, []string{"العنوان مطلوب"}},
		{"fa", url.Values{"title": {"عنوان"}, "body": {" "}, "tlp": {"AMBER"}, "dist": {"all"}}, []string{"متن لازم است"}},
		{"ru", url.Values{"title": {"Т"}, "body": {"Б"}, "tlp": {"RED"}, "dist": {"all"}}, []string{"TLP:RED должен называть получателей"}},
		{"en", url.Values{"title": {"T"}, "body": {"B"}, "tlp": {"PURPLE"}, "dist": {"parties"}}, []string{`tlp <bdi translate="no">&#34;PURPLE&#34;</bdi> must be one of CLEAR`, "or &#34;committee&#34; must be given"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b := c.browser(tt.lang)
			b.login("iq-analyst")
			before, _ := c.Store.CountReports(context.Background())
			res := b.post("/reports/new", "/reports", tt.form)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("no %q in the form:\n%s", w, res.body)
				}
			}
			if !strings.Contains(res.body, `aria-invalid="true"`) {
				t.Error("no field marked aria-invalid")
			}
			if after, _ := c.Store.CountReports(context.Background()); after != before {
				t.Errorf("an invalid draft was recorded: %d reports, was %d", after, before)
			}
		})
	}
}

func TestLanguageRememberedPerUser(t *testing.T) {
	c := newTestCenter(t)
	b := c.browser("en")
	b.login("ir-analyst")
	if res := b.get("/"); !strings.Contains(res.body, `<html lang="en" dir="ltr">`) {
		t.Fatalf("before choosing, the page follows Accept-Language")
	}
	res := b.post("/", "/language", url.Values{"lang": {"fa"}, "next": {"/governance"}})
	if res.url != "/governance" || !strings.Contains(res.body, `<html lang="fa" dir="rtl">`) {
		t.Fatalf("after choosing Persian: at %s", res.url)
	}
	// A new browser asking for English still gets the user's choice.
	other := c.browser("en")
	other.login("ir-analyst")
	res = other.get("/")
	if !strings.Contains(res.body, `<html lang="fa" dir="rtl">`) {
		t.Fatal("the choice is not remembered")
	}
	// The chair banner in Persian, with the Solar Hijri date.
	if !strings.Contains(res.body, "ریاست: عراق تا ۱ مارس ۲۰۲۷ (۱۰ اسفند ۱۴۰۵)") {
		t.Errorf("chair banner in Persian missing:\n%s", res.body)
	}
	if got, _ := record.UILanguage(context.Background(), c.Store, "ir-analyst"); got != "fa" {
		t.Errorf("stored language %q", got)
	}
	if res := b.post("/", "/language", url.Values{"lang": {"xx"}}); res.status != http.StatusBadRequest {
		t.Errorf("unknown language: %d, want 400", res.status)
	}
	if res := b.post("/", "/language", url.Values{"lang": {"en"}, "next": {"//evil.example/"}}); res.url != "/" {
		t.Errorf("next sent the user to %s", res.url)
	}
}

func TestLanguagePickedBeforeSigningIn(t *testing.T) {
	c := newTestCenter(t)
	b := c.browser("en")
	if res := b.get("/login?lang=ru"); !strings.Contains(res.body, `<html lang="ru" dir="ltr">`) || !strings.Contains(res.body, `action="/login?lang=ru"`) {
		t.Fatalf("login page with ?lang=ru:\n%s", res.body)
	}
	res := b.post("/login?lang=ru", "/login?lang=ru", url.Values{"username": {"jo-analyst"}, "password": {testcenter.Password("jo-analyst")}})
	if res.url != "/" || !strings.Contains(res.body, `<html lang="ru" dir="ltr">`) {
		t.Fatalf("after signing in from the Russian page: at %s", res.url)
	}
	if got, _ := record.UILanguage(context.Background(), c.Store, "jo-analyst"); got != "ru" {
		t.Errorf("stored language %q, want ru", got)
	}
}

func TestChairBanner(t *testing.T) {
	c := newTestCenter(t)
	want := map[string]string{
		"ar": "الرئاسة: العراق حتى ١ آذار ٢٠٢٧",
		"fa": "ریاست: عراق تا ۱ مارس ۲۰۲۷ (۱۰ اسفند ۱۴۰۵)",
		"ru": "Председатель: Ирак до 1 марта 2027 г.",
		"en": "Chair: Iraq until 1 March 2027",
	}
	for lang, w := range want {
		b := c.browser(lang)
		b.login("sy-analyst")
		for _, p := range []string{"/", "/search", "/governance", "/transparency", "/reports/new"} {
			if res := b.get(p); !strings.Contains(res.body, w) {
				t.Errorf("%s %s: no banner %q", lang, p, w)
			}
		}
	}
}

func TestAmendmentVote(t *testing.T) {
	c := newTestCenter(t)
	ctx := context.Background()
	a, err := c.Recorder.ProposeAmendment(ctx, c.principal("sy-officer"), governTerm(2))
	if err != nil {
		t.Fatal(err)
	}
	analyst := c.browser("en")
	analyst.login("iq-analyst")
	if res := analyst.get("/governance"); strings.Contains(res.body, "/approve") {
		t.Error("an analyst is offered a vote")
	}
	if res := analyst.post("/governance", "/governance/amendments/"+a.ID+"/approve", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("analyst's vote: %d, want 403", res.status)
	}
	officer := c.browser("en")
	officer.login("iq-officer")
	res := officer.get("/governance")
	if !strings.Contains(res.body, "/governance/amendments/"+a.ID+"/approve") {
		t.Fatalf("no approve button for the officer:\n%s", res.body)
	}
	res = officer.post("/governance", "/governance/amendments/"+a.ID+"/approve", url.Values{})
	if res.status != http.StatusOK || !strings.Contains(res.body, "Approved by Iraq") {
		t.Fatalf("after approving: %d\n%s", res.status, res.body)
	}
	g, err := record.ReadGovernance(ctx, c.Store)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Amendments[0].Votes) != 1 || g.Amendments[0].Votes[0].Party != "IQ" {
		t.Errorf("votes recorded: %+v", g.Amendments[0].Votes)
	}
}

func TestInboxFilters(t *testing.T) {
	c := newTestCenter(t)
	all := center.Distribution{All: true}
	c.submit("iq-analyst", center.Draft{Title: "Arabic one", Body: "نص عربي عن بغداد", Language: "ar", TLP: center.TLPGreen, Distribution: all, Tags: []string{"a"}})
	c.Clock.Advance(1)
	c.submit("ru-analyst", center.Draft{Title: "Russian one", Body: "Текст о Москве", Language: "ru", TLP: center.TLPAmber, Distribution: all, Tags: []string{"b"}})
	c.Clock.Advance(1)
	c.submit("sy-analyst", center.Draft{Title: "English one", Body: "Text about Damascus", Language: "en", TLP: center.TLPClear, Distribution: all, Tags: []string{"a"}})
	b := c.browser("en")
	b.login("ir-analyst")
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"English one", "Russian one", "Arabic one"}},
		{"?source=RU", []string{"Russian one"}},
		{"?tlp=CLEAR", []string{"English one"}},
		{"?tag=a", []string{"English one", "Arabic one"}},
		{"?lang=ar", []string{"Arabic one"}},
		{"?lang=ar&tag=b", nil},
	}
	for _, tt := range tests {
		body := b.get("/" + tt.query).body
		var order []int
		for _, w := range tt.want {
			order = append(order, strings.Index(body, w))
		}
		for i, o := range order {
			if o < 0 {
				t.Errorf("%q: %q missing", tt.query, tt.want[i])
			} else if i > 0 && o < order[i-1] {
				t.Errorf("%q: not newest first", tt.query)
			}
		}
		for _, title := range []string{"English one", "Russian one", "Arabic one"} {
			if strings.Contains(body, title) && !slices.Contains(tt.want, title) {
				t.Errorf("%q: %q should be filtered out", tt.query, title)
			}
		}
	}
}

// governTerm is an amendment to make terms n months long.
func governTerm(n int) govern.Amendment {
	return govern.Amendment{Kind: govern.SetTermAmendment, Months: n}
}

func TestReviseAndRevoke(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", iqToRU())
	path := "/reports/" + rep.ID
	iq := c.browser("en")
	iq.login("iq-analyst")
	ru := c.browser("en")
	ru.login("ru-analyst")

	if res := ru.get(path); strings.Contains(res.body, path+"/edit") || strings.Contains(res.body, path+"/revoke") {
		t.Error("a party that is not the source is offered edit or revoke")
	}
	if res := ru.get(path + "/edit"); res.status != http.StatusForbidden {
		t.Errorf("RU editing IQ's report: %d, want 403", res.status)
	}
	edit := iq.get(path + "/edit")
	if !strings.Contains(edit.body, iqToRU().Title) || !strings.Contains(edit.body, `id="party-RU" name="party" value="RU" checked`) {
		t.Fatalf("the edit form is not filled with the report:\n%s", edit.body)
	}
	// An invalid revision comes back with its message and records nothing.
	if res := iq.post(path+"/edit", path, url.Values{"title": {" "}, "body": {"b"}, "tlp": {"AMBER"}, "dist": {"parties"}, "party": {"RU"}}); res.status != http.StatusBadRequest || !strings.Contains(res.body, "title is required") {
		t.Errorf("invalid revision: %d", res.status)
	}
	res := iq.post(path+"/edit", path, url.Values{"title": {"Revised title"}, "body": {"b"}, "tlp": {"AMBER"}, "dist": {"parties"}, "party": {"RU"}})
	if res.url != path || !strings.Contains(res.body, "Revised title") || !strings.Contains(res.body, "2 versions") {
		t.Fatalf("after revising: at %s\n%s", res.url, res.body)
	}
	if old := ru.get(path + "?version=1"); !strings.Contains(old.body, iqToRU().Title) || !strings.Contains(old.body, "This is version 1, not the newest.") {
		t.Errorf("the first version's page:\n%s", old.body)
	}
	if res := ru.get(path + "?version=3"); res.status != http.StatusNotFound {
		t.Errorf("a version that does not exist: %d", res.status)
	}

	res = iq.post(path, path+"/revoke", url.Values{})
	if res.url != path || !strings.Contains(res.body, "This report was revoked on 1 December 2026") || strings.Contains(res.body, path+"/edit") {
		t.Fatalf("after revoking: at %s\n%s", res.url, res.body)
	}
	if res := ru.get("/"); !strings.Contains(res.body, `class="revoked"`) {
		t.Error("the inbox does not mark the report revoked")
	}
	if res := iq.post(path, path+"/revoke", url.Values{}); res.status != http.StatusConflict {
		t.Errorf("revoking twice: %d, want 409", res.status)
	}
	if res := iq.get(path + "/edit"); res.status != http.StatusConflict {
		t.Errorf("editing a revoked report: %d, want 409", res.status)
	}
}

func TestSearchErrorsInTheUsersLanguage(t *testing.T) {
	c := newTestCenter(t)
	b := c.browser("ar")
	b.login("sy-analyst")
	res := b.get("/search?q=" + url.QueryEscape(`"خلية`))
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, "في الاستعلام خطأ عند الموضع") {
		t.Fatalf("malformed query: %d\n%s", res.status, res.body)
	}
}

func TestObservablesMarked(t *testing.T) {
	c := newTestCenter(t)
	rep := c.submit("iq-analyst", center.Draft{
		Title: "مؤشرات", Body: "اتصال من 10.0.0.7 إلى hxxp://evil[.]example/x ثم <b>CVE-2024-3094</b>.",
		Language: "ar", TLP: center.TLPGreen, Distribution: center.Distribution{All: true},
	})
	b := c.browser("en")
	b.login("ru-analyst")
	body := b.get("/reports/" + rep.ID).body
	for _, want := range []string{
		`<bdi dir="ltr" class="observable observable-ip">10.0.0.7</bdi>`,
		`<bdi dir="ltr" class="observable observable-url">hxxp://evil[.]example/x</bdi>`,
		`&lt;b&gt;<bdi dir="ltr" class="observable observable-cve">CVE-2024-3094</bdi>&lt;/b&gt;`,
		`URL: <bdi dir="ltr" translate="no" class="observable">http://evil.example/x</bdi>`,
		`IP address: <bdi dir="ltr" translate="no" class="observable">10.0.0.7</bdi>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in:\n%s", want, body)
		}
	}
}

func TestPublishBulletin(t *testing.T) {
	c := newTestCenter(t)
	sy := c.browser("en")
	sy.login("sy-officer")
	if res := sy.get("/governance"); strings.Contains(res.body, `id="bulletin-form"`) {
		t.Error("an officer of a party that does not chair is offered the bulletin form")
	}
	if res := sy.post("/governance", "/governance/bulletins", url.Values{"title": {"t"}, "body": {"b"}}); res.status != http.StatusForbidden {
		t.Errorf("a non-chair's bulletin: %d, want 403", res.status)
	}
	iq := c.browser("ar")
	iq.login("iq-officer")
	if res := iq.post("/governance", "/governance/bulletins", url.Values{"title": {""}, "body": {"نص"}}); res.status != http.StatusBadRequest || !strings.Contains(res.body, "العنوان مطلوب") {
		t.Errorf("a bulletin without a title: %d", res.status)
	}
	res := iq.post("/governance", "/governance/bulletins", url.Values{"title": {"اجتماع الأحد"}, "body": {"في بغداد."}})
	if res.url != "/governance" || !strings.Contains(res.body, "اجتماع الأحد") {
		t.Fatalf("after publishing: at %s", res.url)
	}
	if res := sy.get("/governance"); !strings.Contains(res.body, "اجتماع الأحد") {
		t.Error("another party does not see the bulletin")
	}
}

func TestHandOver(t *testing.T) {
	c := newTestCenter(t)
	sy := c.browser("en")
	sy.login("sy-officer")
	if res := sy.post("/governance", "/governance/handover", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("a non-chair's handover: %d, want 403", res.status)
	}
	iq := c.browser("en")
	iq.login("iq-officer")
	res := iq.post("/governance", "/governance/handover", url.Values{})
	// The term ends at the next midnight: Syria chairs from 2 December.
	if res.url != "/governance" || !strings.Contains(res.body, "Chair: Iraq until 2 December 2026") {
		t.Fatalf("after handing over: at %s\n%s", res.url, res.body)
	}
	c.Clock.Advance(24 * time.Hour)
	sy.login("sy-officer") // the day-old session has lapsed
	if res := sy.get("/"); !strings.Contains(res.body, "Chair: Syria until") {
		t.Errorf("the next day, Syria does not chair")
	}
}

func TestProposeAmendment(t *testing.T) {
	c := newTestCenter(t)
	analyst := c.browser("en")
	analyst.login("iq-analyst")
	if res := analyst.get("/governance"); strings.Contains(res.body, `id="amendment-form"`) {
		t.Error("an analyst is offered the proposal form")
	}
	if res := analyst.post("/governance", "/governance/amendments", url.Values{"kind": {"set_term"}, "months": {"2"}}); res.status != http.StatusForbidden {
		t.Errorf("an analyst's proposal: %d, want 403", res.status)
	}
	ru := c.browser("ru")
	ru.login("ru-officer")
	res := ru.post("/governance", "/governance/amendments", url.Values{"kind": {"set_term"}, "months": {"7"}})
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, `Срок в месяцах: срок в <bdi translate="no">7</bdi> мес. вне диапазона`) {
		t.Fatalf("a term of 7 months: %d\n%s", res.status, res.body)
	}
	res = ru.post("/governance", "/governance/amendments", url.Values{"kind": {"add_associate"}, "party": {"kz"},
		"name_ru": {"Казахстан"}, "name_en": {"Kazakhstan"}, "name_ar": {"كازاخستان"}, "name_fa": {"قزاقستان"}})
	if res.url != "/governance" || !strings.Contains(res.body, "Принятие ассоциированной стороны: <bdi>Казахстан</bdi>") {
		t.Fatalf("after proposing: at %s\n%s", res.url, res.body)
	}
	g, err := record.ReadGovernance(context.Background(), c.Store)
	if err != nil || len(g.Amendments) != 1 || g.Amendments[0].Party != "KZ" || g.Amendments[0].Proposer != "RU" || g.Amendments[0].Names["fa"] != "قزاقستان" {
		t.Errorf("recorded %+v, %v", g.Amendments, err)
	}
}

// TestCollectionMenuIsForMembers: the news feeds share their reports with
// the members only, so an associate's menu has no entry for them (the
// page itself answers it 404).
func TestCollectionMenuIsForMembers(t *testing.T) {
	c := newTestCenter(t)
	for _, tt := range []struct {
		user   string
		listed bool
	}{{"iq-analyst", true}, {"jo-analyst", false}} {
		b := c.browser("en")
		b.login(tt.user)
		if got := strings.Contains(b.get("/").body, `href="/feeds"`); got != tt.listed {
			t.Errorf("%s: the menu lists the collection: %v, want %v", tt.user, got, tt.listed)
		}
	}
}

// TestSearchOrders: the results of a text query link to their other
// order, relevance or newest first, in the user's language, and the
// newest first lists the newest first.
func TestSearchOrders(t *testing.T) {
	c := newTestCenter(t)
	all := center.Distribution{All: true}
	for _, body := range []string{"قافلة قافلة قافلة عند الحدود", "قافلة عند المعبر"} {
		c.submit("iq-analyst", center.Draft{Title: body, Body: body, Language: "ar", TLP: center.TLPGreen, Distribution: all})
	}
	b := c.browser("en")
	b.login("ru-analyst")
	res := b.get("/search?q=" + url.QueryEscape("قافلة"))
	newest := `<a href="/search?q=` + url.QueryEscape("قافلة sort:newest") + `">Newest first</a>`
	if !strings.Contains(res.body, `<strong aria-current="true">By relevance</strong>`) || !strings.Contains(html.UnescapeString(res.body), newest) {
		t.Fatalf("by relevance, no link to the newest first:\n%s", res.body)
	}
	if first, second := strings.Index(res.body, "قافلة قافلة قافلة"), strings.Index(res.body, "قافلة عند المعبر"); first < 0 || second < 0 || first > second {
		t.Errorf("by relevance, the report naming the convoy thrice is not first")
	}
	res = b.get("/search?q=" + url.QueryEscape("قافلة sort:NEWEST"))
	relevance := `<a href="/search?q=` + url.QueryEscape("قافلة") + `">By relevance</a>`
	if !strings.Contains(res.body, `<strong aria-current="true">Newest first</strong>`) || !strings.Contains(html.UnescapeString(res.body), relevance) {
		t.Fatalf("newest first, no link to by relevance:\n%s", res.body)
	}
	if first, second := strings.Index(res.body, "قافلة عند المعبر"), strings.Index(res.body, "قافلة قافلة قافلة"); first < 0 || second < 0 || first > second {
		t.Errorf("newest first, the newer report is not first")
	}
	if res := b.get("/search?q=" + url.QueryEscape("tlp:green")); strings.Contains(res.body, `id="search-order"`) {
		t.Error("a query of filters alone, which has one order, offers two")
	}
}
