package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Feeds: the chair configures, members see the health, an associate and
// the others see nothing of another party's reports through it.
func TestFeeds(t *testing.T) {
	c := newTestCenter(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<rss version="2.0"><channel><title>N</title><item><guid>1</guid><title>Item one</title><description>d</description></item></channel></rss>`)
	}))
	defer srv.Close()
	// IQ chairs on the test clock's day; SY does not.
	c.do(http.MethodPost, feedsPath, c.token("sy-analyst"), map[string]any{"url": srv.URL}).want(t, http.StatusForbidden)
	c.do(http.MethodPost, feedsPath, c.token("iq-analyst"), map[string]any{"url": srv.URL}).want(t, http.StatusForbidden)
	c.do(http.MethodPost, feedsPath, c.token("iq-officer"), map[string]any{"url": "ftp://x.example/"}).want(t, http.StatusUnprocessableEntity)
	var created feedView
	c.do(http.MethodPost, feedsPath, c.token("iq-officer"), map[string]any{"url": srv.URL, "interval_seconds": 600, "reliability": "B"}).
		want(t, http.StatusCreated).decode(t, &created)
	// An IQ report shared only with SY must not show through feed health.
	secret := c.submit("iq-analyst", with(sampleDraft(), "distribution", map[string]any{"parties": []string{"SY"}}))
	var list struct{ Feeds []feedView }
	c.do(http.MethodGet, feedsPath, c.token("ru-analyst"), nil).want(t, http.StatusOK).decode(t, &list)
	if len(list.Feeds) != 1 || list.Feeds[0].ID != created.ID || list.Feeds[0].ItemsTaken != 0 {
		t.Fatalf("feeds %+v", list)
	}
	r := c.do(http.MethodGet, feedsPath, c.token("ru-analyst"), nil)
	if strings.Contains(string(r.body), secret.ID) || strings.Contains(string(r.body), secret.Title) {
		t.Error("feed health leaks a report")
	}
	c.do(http.MethodGet, feedsPath, c.token("jo-analyst"), nil).want(t, http.StatusNotFound)
	c.do(http.MethodGet, feedsPath, "", nil).want(t, http.StatusUnauthorized)
	c.do(http.MethodDelete, feedsPath+"/"+created.ID, c.token("sy-analyst"), nil).want(t, http.StatusForbidden)
	c.do(http.MethodDelete, feedsPath+"/"+created.ID, c.token("iq-officer"), nil).want(t, http.StatusNoContent)
	c.do(http.MethodDelete, feedsPath+"/"+created.ID, c.token("iq-officer"), nil).want(t, http.StatusNotFound)
	c.do(http.MethodGet, feedsPath, c.token("ru-analyst"), nil).want(t, http.StatusOK).decode(t, &list)
	if len(list.Feeds) != 0 {
		t.Errorf("removed feed still listed")
	}
}
