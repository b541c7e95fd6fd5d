package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tabadul/tabadul/internal/record/store"
)

// browseNewPages checks the entity, distribution, delivery and
// report-link pages and the live inbox in the browser of env, on a center
// of their own that extracts links, and saves screenshots of the entity
// and report pages in each language. Console errors land in env's log.
func browseNewPages(t *testing.T, env *browserEnv) {
	c := newLinkedCenter(t)
	ctx := context.Background()
	e := &browserEnv{t: t, c: c, browser: env.browser, console: env.console, shots: env.shots}
	iqo := c.principal("iq-officer")
	ep, _, err := c.Recorder.CreateEndpoint(ctx, iqo, "https://receiver.example/iq", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recorder.CreateSubscription(ctx, iqo, ep.ID, store.Filter{}); err != nil {
		t.Fatal(err)
	}
	public := c.submit("iq-analyst", publicDraft("خلية في بغداد", publicBody))
	c.submit("jo-analyst", publicDraft("خلية تهريب في بغداد", publicBody+" وأكدت المصادر ذلك."))

	ru := e.newPerson("ru-RU,ru;q=0.9")
	t.Run("the inbox updates live", func(t *testing.T) {
		ru.t = t
		ru.login("ru-analyst")
		secret := c.submit("iq-analyst", secretDraft())
		ru.waitText("#live-rows .report-title", secret.Title)
	})

	sy := e.newPerson("en-GB,en;q=0.9")
	t.Run("entity page and lookup", func(t *testing.T) {
		sy.t = t
		sy.login("sy-analyst")
		sy.open("/entities")
		// The results follow the typing (htmx), without a submit.
		sy.do(chromedp.SendKeys(chromedp.ID("entity-q"), "Багдад"), chromedp.WaitVisible(chromedp.CSS(`#found a[href="/entities/location--baghdad"]`)))
		if loc := sy.eval(`location.search`); !strings.Contains(loc, "q=") {
			t.Errorf("the lookup is not in the address: %q", loc)
		}
		sy.do(chromedp.Click(chromedp.CSS(`#found a[href="/entities/location--baghdad"]`)), chromedp.WaitVisible(chromedp.ID("timeline")))
		if got := sy.text("#entity-reports"); got != "2 reports" {
			t.Errorf("sy-analyst: Baghdad mentioned in %q, want the two public reports only", got)
		}
		if got := sy.eval(`String(document.querySelectorAll('#timeline rect').length)`); got != "1" {
			t.Errorf("timeline bars: %s", got)
		}
	})

	t.Run("report page links", func(t *testing.T) {
		sy.t = t
		sy.open("/reports/" + public.ID)
		if got := sy.text("#report-body a.entity"); got != "بغداد" {
			t.Errorf("first entity link in the body: %q", got)
		}
		if got := sy.text("#independent-sources"); got != "1 independent source reported it too" {
			t.Errorf("independent sources: %q", got)
		}
		if got := sy.text("main"); strings.Contains(got, secretTitle) {
			t.Errorf("sy-analyst sees the secret report on the public one's page")
		}
	})

	iq := e.newPerson("en-US,en;q=0.9")
	t.Run("an officer adds an endpoint and sees its deliveries", func(t *testing.T) {
		iq.t = t
		iq.login("iq-officer")
		iq.open("/distribution")
		iq.do(chromedp.SendKeys(chromedp.ID("ep-url"), "https://second.example/hook"), chromedp.Submit(chromedp.ID("ep-url")), chromedp.WaitVisible(chromedp.ID("secret")))
		if got := iq.text("#secret"); len(got) < 16 {
			t.Errorf("secret %q", got)
		}
		iq.open("/deliveries")
		if got := iq.text("#deliveries"); !strings.Contains(got, public.ID) {
			t.Errorf("deliveries: %q", got)
		}
	})

	t.Run("collection: the feeds and the import form", func(t *testing.T) {
		iq.t = t
		iq.open("/feeds")
		iq.do(chromedp.SendKeys(chromedp.ID("feed-url"), "https://news.example/rss"), chromedp.Submit(chromedp.ID("feed-url")), chromedp.WaitVisible(chromedp.ID("feeds")))
		if got := iq.text("#feeds"); !strings.Contains(got, "https://news.example/rss") {
			t.Errorf("feeds: %q", got)
		}
		iq.do(chromedp.Click(chromedp.ID("import-link")), chromedp.WaitVisible(chromedp.ID("import-file")))
	})

	t.Run("screenshots of the entity and report pages in each language", func(t *testing.T) {
		iq.t = t
		pages := []struct{ name, path string }{
			{"entity", "/entities/location--baghdad"},
			{"report-links", "/reports/" + public.ID},
			{"entities", "/entities"},
			{"distribution", "/distribution"},
			{"deliveries", "/deliveries"},
			{"feeds", "/feeds"},
			{"import", "/import"},
		}
		for _, lang := range []string{"ar", "fa", "ru", "en"} {
			iq.open("/")
			iq.chooseLanguage(lang)
			for i, pg := range pages {
				if i >= 2 && lang != "ar" && lang != "fa" {
					break
				}
				iq.open(pg.path)
				if got := iq.htmlLangDir(); !strings.HasPrefix(got, lang+" ") {
					t.Errorf("%s %s: lang dir %q", lang, pg.name, got)
				}
				if lang == "ar" || lang == "fa" {
					if left := iq.eval(untranslatedJS); left != "" {
						t.Errorf("%s %s: text left untranslated: %s", lang, pg.name, left)
					}
				}
				if bare := iq.eval(unlabelledJS); bare != "" {
					t.Errorf("%s %s: controls without a label: %s", lang, pg.name, bare)
				}
				if pg.name == "entity" || pg.name == "report-links" {
					e.screenshot(iq, lang+"-"+pg.name)
				}
			}
		}
	})
}
