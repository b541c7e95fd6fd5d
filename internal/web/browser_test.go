package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// The browser test drives Debian's Chromium, headless, through the real
// server on loopback: one browser for every step, a browser context (its
// own cookies) per person.

// findChromium returns the browser's path. Without one the test fails
// under CI (scripts/test.sh installs Debian's chromium) and is skipped
// elsewhere.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: the browser tests need Debian's chromium package (scripts/test.sh installs it)")
	}
	t.Skip("chromium is not installed; install Debian's chromium package to run the browser tests")
	return ""
}

// artifactsDir is where the screenshots go: $TABADUL_ARTIFACTS/web-screenshots,
// else a folder in the system's temporary directory, named in the test log.
func artifactsDir(t *testing.T) string {
	base := os.Getenv("TABADUL_ARTIFACTS")
	if base == "" {
		base = filepath.Join(os.TempDir(), "tabadul-artifacts")
	}
	dir := filepath.Join(base, "web-screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// consoleLog collects what every tab writes to its console.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *consoleLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, s)
}

func (l *consoleLog) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// person is one user's browser: a tab in a browser context of its own.
type person struct {
	t    *testing.T
	ctx  context.Context
	base string
}

type browserEnv struct {
	t       *testing.T
	c       *testCenter
	browser context.Context
	console *consoleLog
	shots   string
	// expected404 are URLs that are meant to answer 404, and expected400
	// those meant to answer 400 (a refused form), whose console line
	// about the failed load is no error of the page.
	expected404 []string
	expected400 []string
}

func (e *browserEnv) newPerson(acceptLanguage string) *person {
	e.t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	e.t.Cleanup(cancel)
	msgs := chromedp.Console(ctx)
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage},
	}); err != nil {
		e.t.Fatalf("accept-language: %v", err)
	}
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				e.console.add(fmt.Sprintf("%s %s: %s", m.Type, m.URL, m.Text))
			}
		}
	}()
	return &person{t: e.t, ctx: ctx, base: e.c.http.URL}
}

func (p *person) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		// What the page showed when it failed.
		sctx, scancel := context.WithTimeout(p.ctx, 5*time.Second)
		defer scancel()
		if png, serr := chromedp.Run(sctx, chromedp.FullScreenshot(100)); serr == nil {
			name := filepath.Join(os.TempDir(), "tabadul-browser-failure.png")
			os.WriteFile(name, png, 0o644)
			p.t.Logf("the page at the failure: %s", name)
		}
		p.t.Fatalf("browser: %v", err)
	}
}

func run[T any](p *person, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("browser: %v", err)
	}
	return v
}

func (p *person) open(path string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func (p *person) text(css string) string {
	p.t.Helper()
	return run(p, chromedp.Text(chromedp.CSS(css)))
}

func (p *person) eval(js string) string {
	p.t.Helper()
	return run(p, chromedp.Evaluate[string](js))
}

// setValue sets a form control's value in the page and, like a user's
// choice, fires its change event. (Done in the page: a node chromedp
// looked up earlier may have been replaced since.)
func (p *person) setValue(id, value string) {
	p.t.Helper()
	got := p.eval(fmt.Sprintf(`(() => { const e = document.getElementById(%q); if (!e) return 'missing';
  e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value; })()`, id, value))
	if got != value {
		p.t.Fatalf("set #%s to %q: %q", id, value, got)
	}
}

// waitText waits (up to 15 s: the machine may be busy) until the
// element's text is want. It reads the text in
// the page, so that an element htmx swaps out meanwhile is no error.
func (p *person) waitText(css, want string) {
	p.t.Helper()
	var got string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = p.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ''; })()`, css)); got == want {
			return
		}
	}
	p.t.Fatalf("%s reads %q, want %q", css, got, want)
}

// htmlLangDir is the page's <html lang> and dir.
func (p *person) htmlLangDir() string {
	return p.eval(`document.documentElement.lang + " " + document.documentElement.dir`)
}

func (p *person) login(user string) {
	p.t.Helper()
	p.open("/login")
	p.do(
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), testcenter.Password(user)),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("chair")),
	)
}

func (p *person) logout() {
	p.t.Helper()
	p.do(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("username")))
}

// chooseLanguage picks a language with the menu in the page's header.
func (p *person) chooseLanguage(lang string) {
	p.t.Helper()
	p.setValue("lang-select", lang)
	p.do(
		chromedp.Click(chromedp.ID("lang-apply")),
		chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"] #chair`)),
	)
}

// screenshot saves the whole page. It grows the viewport to the page's
// height and captures the viewport: Chromium's capture beyond the viewport
// shifts a right-to-left page sideways.
func (e *browserEnv) screenshot(p *person, name string) {
	e.t.Helper()
	h := run(p, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if _, err := chromedp.Call(p.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 1280, Height: max(h, 800), DeviceScaleFactor: 1,
	}); err != nil {
		e.t.Fatal(err)
	}
	png := run(p, chromedp.CaptureScreenshot())
	if _, err := chromedp.Call(p.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.shots, name+".png"), png, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// untranslated lists the text of the page outside translate="no" that has
// Latin letters: English left in an Arabic or Persian page.
const untranslatedJS = `(() => {
  const out = [];
  const latin = /[A-Za-z]/;
  const skip = (el) => el && el.closest('[translate="no"], script, style');
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode;
    if (skip(n.parentElement)) continue;
    // The Admiralty code's letters are its standard notation, like TLP's
    // labels.
    const s = n.textContent.trim().replace(/^[A-F] — /, '');
    if (latin.test(s)) out.push(s);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    if (skip(el)) continue;
    for (const a of ['aria-label', 'placeholder', 'title']) {
      const v = el.getAttribute(a);
      if (v && latin.test(v)) out.push(a + '=' + v);
    }
  }
  if (latin.test(document.title)) out.push('title=' + document.title);
  return out.join(' | ');
})()`

// latinInJS lists the text inside the element css, outside the
// arguments and identifiers marked translate="no", that has Latin letters.
func latinInJS(css string) string {
	return fmt.Sprintf(`(() => {
  const root = document.querySelector(%q);
  if (!root) return 'no element %s';
  const out = [];
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode;
    if (n.parentElement.closest('[translate="no"]')) continue;
    if (/[A-Za-z]/.test(n.textContent)) out.push(n.textContent.trim());
  }
  return out.join(' | ');
})()`, css, css)
}

// lowContrastJS lists the visible text whose contrast with its background
// is below WCAG 2's AA level: 4.5:1, or 3:1 for large text (24px, or
// 18.66px bold). The background is the nearest opaque one behind the text.
const lowContrastJS = `(() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const out = [];
  const seen = new Set();
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode;
    const el = n.parentElement;
    if (!n.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const st = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (st.visibility === 'hidden' || box.width <= 1 || box.height <= 1 || el.closest('option, script, style')) continue;
    const bg = background(el);
    let fg = parse(st.color);
    if (!fg) continue;
    fg = {r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a)};
    const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName + ' "' + n.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2) + ':1');
  }
  return out.join(' | ');
})()`

// unlabelledJS lists the form controls a screen reader could not name:
// no <label for>, no wrapping label, no aria-label.
const unlabelledJS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
    const named = (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label') ||
      el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim());
    if (!named) out.push(el.outerHTML.slice(0, 80));
  }
  return out.join(' | ');
})()`

func TestBrowser(t *testing.T) {
	chromium := findChromium(t)
	started := time.Now()
	c := newTestCenter(t)
	ctx := context.Background()

	// The scene: Syria's officer proposes shorter terms; the chair's
	// officer has published a bulletin.
	amendment, err := c.Recorder.ProposeAmendment(ctx, c.principal("sy-officer"), governTerm(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recorder.PublishBulletin(ctx, c.principal("iq-officer"), "اجتماع اللجنة الرباعية", "يُعقد الاجتماع في بغداد يوم ١٥ كانون الأول.", "ar"); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// This machine's network is closed: nothing but the test server.
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	env := &browserEnv{t: t, c: c, browser: browser, console: &consoleLog{}, shots: artifactsDir(t)}
	t.Logf("screenshots in %s", env.shots)

	const title = "خلية في البصرة تتصل بالعنوان 10.0.0.9"
	var reportPath string

	iq := env.newPerson("ar-IQ,ar;q=0.9")
	t.Run("iq-analyst signs in in Arabic", func(t *testing.T) {
		iq.t = t
		iq.open("/login")
		if got := iq.htmlLangDir(); got != "ar rtl" {
			t.Fatalf("login page: lang dir %q, want ar rtl", got)
		}
		env.screenshot(iq, "ar-login")
		iq.login("iq-analyst")
		if got := iq.text("#chair"); got != "الرئاسة: العراق حتى ١ آذار ٢٠٢٧" {
			t.Errorf("chair banner %q", got)
		}
	})

	t.Run("compose an Arabic report to IQ and RU", func(t *testing.T) {
		iq.t = t
		iq.do(chromedp.Click(chromedp.CSS(`nav a[href="/reports/new"]`)), chromedp.WaitVisible(chromedp.ID("title")))
		iq.do(
			chromedp.SendKeys(chromedp.ID("title"), title),
			chromedp.SendKeys(chromedp.ID("body"), "رصدت الوحدة اتصالات من إيران إلى العنوان 10.0.0.9 عبر النطاق evil.example في البصرة."),
			chromedp.Click(chromedp.ID("dist-parties")),
			chromedp.Click(chromedp.ID("party-RU")),
			chromedp.SendKeys(chromedp.ID("tags"), "بصرة"),
		)
		iq.setValue("tlp", "AMBER")
		iq.setValue("reliability", "B")
		iq.setValue("credibility", "2")
		iq.do(
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.ID("report-title")),
		)
		if got := iq.text("#report-title"); got != title {
			t.Errorf("report title %q", got)
		}
		reportPath = iq.eval(`location.pathname`)
		if !strings.HasPrefix(reportPath, "/reports/report--") {
			t.Fatalf("after submitting at %s", reportPath)
		}
		if got := iq.eval(`getComputedStyle(document.getElementById('tlp-banner')).backgroundColor + " " + getComputedStyle(document.querySelector('#tlp-banner strong')).color`); got != "rgb(0, 0, 0) rgb(255, 192, 0)" {
			t.Errorf("TLP:AMBER banner colours %q, want TLP 2.0's amber on black", got)
		}
		// dir="auto" makes the Arabic body right-to-left; the IP inside
		// it keeps its order.
		if got := iq.eval(`getComputedStyle(document.getElementById('report-body')).direction`); got != "rtl" {
			t.Errorf("report body direction %q", got)
		}
		ip := `document.querySelector('#report-body .observable-ip')`
		if got := iq.eval(ip + `.textContent + " " + getComputedStyle(` + ip + `).direction + " " + getComputedStyle(` + ip + `).unicodeBidi`); got != "10.0.0.9 ltr isolate" {
			t.Errorf("the IP in the Arabic text: %q, want it isolated left to right", got)
		}
		rep, err := c.Store.Report(ctx, "IQ", strings.TrimPrefix(reportPath, "/reports/"))
		if err != nil || rep.Language != "ar" || rep.Reliability != "B" || rep.Credibility != "2" ||
			len(rep.Distribution.Parties) != 1 || rep.Distribution.Parties[0] != "RU" || rep.TLP != center.TLPAmber {
			t.Errorf("recorded %+v, %v", rep, err)
		}
	})

	t.Run("an invalid form and a refused import answer in Arabic", func(t *testing.T) {
		iq.t = t
		// No title, and TLP:RED to all members: the center refuses both,
		// and says so in Arabic.
		iq.open("/reports/new")
		iq.do(chromedp.SendKeys(chromedp.ID("body"), "نص بلا عنوان"), chromedp.Click(chromedp.ID("dist-all")))
		iq.setValue("tlp", "RED")
		iq.do(chromedp.Click(chromedp.ID("submit")), chromedp.WaitVisible(chromedp.ID("form-errors")))
		if got := iq.text("#title-error"); got != "العنوان مطلوب" {
			t.Errorf("title error %q, want العنوان مطلوب", got)
		}
		if got := iq.text("#dist-error"); !strings.HasPrefix(got, "يجب أن يسمّي التصنيف الأحمر") {
			t.Errorf("distribution error %q, want the Arabic message", got)
		}
		if left := iq.eval(latinInJS("#form-errors")); left != "" {
			t.Errorf("the validation messages hold Latin text: %s", left)
		}
		if left := iq.eval(untranslatedJS); left != "" {
			t.Errorf("the form with its errors: text left untranslated: %s", left)
		}
		env.screenshot(iq, "ar-compose-invalid")
		env.expected400 = append(env.expected400, c.http.URL+"/reports", c.http.URL+"/import")

		// A bundle whose report has an id that is not a STIX identifier.
		bundle := filepath.Join(t.TempDir(), "bundle.json")
		if err := os.WriteFile(bundle, []byte(`{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
  {"type": "report", "spec_version": "2.1", "id": "report--not-a-uuid", "created": "2026-11-01T00:00:00Z",
   "modified": "2026-11-01T00:00:00Z", "name": "x", "published": "2026-11-01T00:00:00Z", "object_refs": ["note--5d0092c5-5f74-4287-9642-33f4c354e56d"]}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		iq.open("/import")
		iq.do(chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{bundle}),
			chromedp.Click(chromedp.ID("import-submit")), chromedp.WaitVisible(chromedp.ID("import-rejected")))
		if got := iq.text("#import-rejected li"); !strings.Contains(got, "ليس معرّف ستكس") || !strings.Contains(got, "report--not-a-uuid") {
			t.Errorf("import rejection %q, want the Arabic reason naming the object", got)
		}
		if left := iq.eval(latinInJS("#import-rejected")); left != "" {
			t.Errorf("the import rejection holds Latin text: %s", left)
		}
		env.screenshot(iq, "ar-import-rejected")
	})

	t.Run("search with a variant spelling", func(t *testing.T) {
		iq.t = t
		iq.do(chromedp.Click(chromedp.CSS(`nav a[href="/search"]`)), chromedp.WaitVisible(chromedp.ID("q")))
		// ايران without its hamza finds إيران.
		iq.do(
			chromedp.SendKeys(chromedp.ID("q"), "ايران"),
			chromedp.Click(chromedp.ID("search-submit")),
			chromedp.WaitVisible(chromedp.ID("search-count")),
		)
		if got := iq.text("#results"); !strings.Contains(got, title) {
			t.Errorf("results lack the report: %q", got)
		}
		if got := iq.text("#results mark"); got != "إيران" {
			t.Errorf("highlighted %q, want إيران", got)
		}
		if loc := iq.eval(`location.search`); !strings.Contains(loc, "q=") {
			t.Errorf("htmx did not push the query to the address: %q", loc)
		}
		env.screenshot(iq, "ar-search")
		iq.logout()
	})

	t.Run("ru-analyst sees it, in Russian", func(t *testing.T) {
		ru := env.newPerson("ru-RU,ru;q=0.9")
		ru.t = t
		ru.login("ru-analyst")
		if got := ru.htmlLangDir(); got != "ru ltr" {
			t.Errorf("lang dir %q", got)
		}
		if got := ru.text("#chair"); got != "Председатель: Ирак до 1 марта 2027 г." {
			t.Errorf("chair banner %q", got)
		}
		if got := ru.text("#results"); !strings.Contains(got, title) {
			t.Errorf("inbox lacks the report: %q", got)
		}
		env.screenshot(ru, "ru-inbox")
		// Filtering swaps the list in place (htmx) and keeps the filter in
		// the address.
		ru.setValue("f-tlp", "RED")
		ru.waitText("#inbox-count", "0 отчётов")
		if loc := ru.eval(`location.search`); !strings.Contains(loc, "tlp=RED") {
			t.Errorf("the filter is not in the address: %q", loc)
		}
		ru.setValue("f-tlp", "AMBER")
		ru.waitText("#inbox-count", "1 отчёт")
	})

	t.Run("sy-analyst does not, and switches language", func(t *testing.T) {
		sy := env.newPerson("en-GB,en;q=0.9")
		sy.t = t
		sy.login("sy-analyst")
		if got := sy.text("#results"); strings.Contains(got, title) || strings.Contains(got, "10.0.0.9") {
			t.Errorf("Syria's inbox shows the report: %q", got)
		}
		env.expected404 = append(env.expected404, c.http.URL+reportPath)
		sy.open(reportPath)
		if got := sy.text("h1"); got != "Not found" {
			t.Errorf("Syria opening the report: %q", got)
		}
		sy.open("/")
		sy.chooseLanguage("fa")
		if got := sy.htmlLangDir(); got != "fa rtl" {
			t.Errorf("after choosing Persian: %q", got)
		}
		if got := sy.text("#chair"); got != "ریاست: عراق تا ۱ مارس ۲۰۲۷ (۱۰ اسفند ۱۴۰۵)" {
			t.Errorf("chair banner %q", got)
		}
		// The choice is the user's: it outlives the session.
		sy.logout()
		sy.login("sy-analyst")
		if got := sy.htmlLangDir(); got != "fa rtl" {
			t.Errorf("after signing in again: %q", got)
		}
		if got := sy.text("#results"); strings.Contains(got, title) {
			t.Errorf("Syria's inbox shows the report")
		}
	})

	officer := env.newPerson("en-US,en;q=0.9")
	t.Run("an officer approves an amendment", func(t *testing.T) {
		officer.t = t
		officer.login("iq-officer")
		officer.open("/governance")
		li := `li[id="` + amendment.ID + `"]`
		// The vote reloads the page, which then offers no vote.
		officer.do(chromedp.Click(chromedp.CSS(li+" button.approve")), chromedp.WaitNotPresent(chromedp.CSS(li+" button.approve")), chromedp.WaitVisible(chromedp.CSS(li)))
		if got := officer.text(li); !strings.Contains(got, "Approved by Iraq") || !strings.Contains(got, "Waiting for Syria, Iran, Russia") {
			t.Errorf("amendment after approving: %q", got)
		}
		g, err := record.ReadGovernance(ctx, c.Store)
		if err != nil || len(g.Amendments) != 1 || len(g.Amendments[0].Votes) != 1 || g.Amendments[0].Votes[0].Party != "IQ" {
			t.Errorf("recorded votes: %+v, %v", g.Amendments, err)
		}
	})

	t.Run("screenshots of the main pages in each language", func(t *testing.T) {
		officer.t = t
		pages := []struct{ name, path string }{
			{"inbox", "/"},
			{"report", reportPath},
			{"compose", "/reports/new"},
			{"search", "/search?q=" + "البصرة"},
			{"governance", "/governance"},
			{"log", "/transparency"},
		}
		anon := env.newPerson("en")
		for _, lang := range []string{"ar", "fa", "ru", "en"} {
			officer.open("/")
			officer.chooseLanguage(lang)
			for _, pg := range pages {
				officer.open(pg.path)
				if got := officer.htmlLangDir(); !strings.HasPrefix(got, lang+" ") {
					t.Errorf("%s %s: lang dir %q", lang, pg.name, got)
				}
				if lang == "ar" || lang == "fa" {
					if left := officer.eval(untranslatedJS); left != "" {
						t.Errorf("%s %s: text left untranslated: %s", lang, pg.name, left)
					}
				}
				if bare := officer.eval(unlabelledJS); bare != "" {
					t.Errorf("%s %s: controls without a label: %s", lang, pg.name, bare)
				}
				if low := officer.eval(lowContrastJS); low != "" {
					t.Errorf("%s %s: text below WCAG AA contrast: %s", lang, pg.name, low)
				}
				env.screenshot(officer, lang+"-"+pg.name)
			}
			anon.open("/login?lang=" + lang)
			if lang == "ar" || lang == "fa" {
				if left := anon.eval(untranslatedJS); left != "" {
					t.Errorf("%s login: text left untranslated: %s", lang, left)
				}
			}
			env.screenshot(anon, lang+"-login")
		}
	})

	t.Run("the contrast check sees faint text", func(t *testing.T) {
		officer.t = t
		officer.open("/")
		officer.eval(`(() => { const p = document.createElement('p'); p.textContent = 'faint'; p.style.color = '#cccccc'; document.querySelector('main').append(p); return ''; })()`)
		if low := officer.eval(lowContrastJS); !strings.Contains(low, `"faint" 1.6`) {
			t.Errorf("light grey on white: %q, want it reported", low)
		}
	})

	t.Run("keyboard: the skip link and the form are reachable with Tab", func(t *testing.T) {
		officer.t = t
		officer.open("/reports/new")
		officer.do(chromedp.KeyEvent("\t"))
		if got := officer.eval(`document.activeElement.className`); got != "skip" {
			t.Errorf("first Tab focuses %q, want the skip link", got)
		}
		// The focused link shows where the keyboard is.
		if got := officer.eval(`getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth`); got != "solid 3px" {
			t.Errorf("the focused skip link's outline: %q, want solid 3px", got)
		}
		// Enter follows it: the focus moves on to the page's content.
		officer.do(chromedp.KeyEvent("\r"))
		if got := officer.eval(`location.hash`); got != "#main" {
			t.Errorf("Enter on the skip link: at %q, want #main", got)
		}
		officer.do(chromedp.Focus(chromedp.ID("title")), chromedp.KeyEvent("\t"))
		if got := officer.eval(`document.activeElement.id`); got != "body" {
			t.Errorf("Tab from the title goes to %q, want the body", got)
		}
		// Nothing jumps the reading order.
		if got := officer.eval(`String(document.querySelectorAll('[tabindex]:not([tabindex="-1"]):not([tabindex="0"])').length)`); got != "0" {
			t.Errorf("%s elements with a positive tabindex", got)
		}
	})

	t.Run("pages for entities, distribution and the live inbox", func(t *testing.T) { browseNewPages(t, env) })

	// Give the last events time to arrive, then check that no page logged
	// an error.
	time.Sleep(200 * time.Millisecond)
	seen404 := false
	for _, m := range env.console.errors() {
		expected := false
		for _, u := range env.expected404 {
			expected = expected || strings.Contains(m, u) && strings.Contains(m, "404")
		}
		for _, u := range env.expected400 {
			expected = expected || strings.Contains(m, u+":") && strings.Contains(m, "400 (Bad Request)")
		}
		seen404 = seen404 || expected
		if !expected {
			t.Errorf("console: %s", m)
		}
	}
	// The one expected failure shows that the console is being read.
	if !seen404 {
		t.Error("the console never showed the expected 404: is it being read?")
	}
	t.Logf("browser test took %v", time.Since(started))
}
