package feed_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/feed"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><guid>a1</guid><title>Ransomware hits the port of Basra</title><link>https://news.example/a1</link>
 <description>&lt;p&gt;A &lt;b&gt;ransomware&lt;/b&gt; attack stopped the port's systems.&lt;/p&gt;</description>
 <category>ransomware</category><pubDate>Mon, 30 Nov 2026 10:00:00 GMT</pubDate></item>
<item><guid>a2</guid><title>هجوم فدية يضرب ميناء البصرة</title><link>https://news.example/a2</link><description>توقف أنظمة الميناء</description></item>
</channel></rss>`

const rssMore = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>News</title>
<item><guid>a1</guid><title>Ransomware hits the port of Basra</title><description>x</description></item>
<item><guid>a3</guid><title>Ransomware hits the port of Basra again</title><description>Second wave.</description></item>
</channel></rss>`

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>urn:x</id><updated>2026-11-30T10:00:00Z</updated>
<entry><id>urn:e1</id><title>Фишинговая кампания против банков</title><updated>2026-11-30T10:00:00Z</updated><summary>Новая волна писем</summary></entry>
</feed>`

type fixture struct {
	ctx   context.Context
	st    *sqlite.Store
	rec   *record.Recorder
	clock *testkit.Clock
	p     *feed.Poller
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	p := &feed.Poller{Store: st, Recorder: rec, Clock: clock, Client: &fetch.Client{Timeout: 2 * time.Second, MaxBytes: 1 << 20}}
	return &fixture{ctx: ctx, st: st, rec: rec, clock: clock, p: p}
}

// The chair (IQ chairs from 1 December 2026) adds a feed.
func (f *fixture) addFeed(t *testing.T, url, lang string) store.Feed {
	fd, err := f.rec.AddFeed(f.ctx, testkit.Officer("IQ"), store.Feed{URL: url, Interval: 10 * time.Minute, Language: lang, Reliability: "C"})
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

func (f *fixture) state(t *testing.T, id string) store.FeedState {
	feeds, states, err := f.st.Feeds(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, fd := range feeds {
		if fd.ID == id {
			return states[i]
		}
	}
	t.Fatalf("feed %s missing", id)
	return store.FeedState{}
}

func TestOnlyTheChairConfiguresFeeds(t *testing.T) {
	f := newFixture(t)
	if _, err := f.rec.AddFeed(f.ctx, testkit.Officer("SY"), store.Feed{URL: "https://x.example/rss", Interval: time.Hour}); !errors.Is(err, center.ErrForbidden) {
		t.Errorf("SY added a feed: %v", err)
	}
	for _, bad := range []store.Feed{
		{URL: "file:///etc/passwd", Interval: time.Hour},
		{URL: "https://x.example/rss", Interval: time.Second},
		{URL: "https://x.example/rss", Interval: time.Hour, Reliability: "Z"},
	} {
		if _, err := f.rec.AddFeed(f.ctx, testkit.Officer("IQ"), bad); !errors.Is(err, center.ErrInvalid) {
			t.Errorf("AddFeed(%+v) = %v", bad, err)
		}
	}
}

func TestPoll(t *testing.T) {
	f := newFixture(t)
	var hits, conditional atomic.Int32
	body := rss
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` && body == rss {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	fd := f.addFeed(t, srv.URL+"/rss", "")
	if err := f.p.PollDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	st := f.state(t, fd.ID)
	if st.ItemsTaken != 2 || st.LastError != "" || st.ETag != `"v1"` || !st.NextPoll.Equal(f.clock.Now().Add(10*time.Minute)) {
		t.Fatalf("state %+v", st)
	}
	page, err := f.st.Reports(f.ctx, "RU", store.ReportQuery{Limit: 10})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("RU sees %d reports: %v", len(page.Items), err)
	}
	for _, rep := range page.Items {
		if rep.TLP != center.TLPClear || rep.Source != "IQ" || rep.Reliability != "C" {
			t.Errorf("report %+v", rep)
		}
		if strings.Contains(rep.Body, "<b>") {
			t.Errorf("HTML left in %q", rep.Body)
		}
	}
	if _, err := f.st.Reports(f.ctx, "JO", store.ReportQuery{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.st.Reports(f.ctx, "JO", store.ReportQuery{Limit: 10}); len(p.Items) != 0 {
		t.Errorf("JO, an associate, sees all-member feed reports")
	}
	// Not due yet: no request.
	f.clock.Advance(time.Minute)
	f.p.PollDue(f.ctx)
	if hits.Load() != 1 {
		t.Errorf("polled before due: %d hits", hits.Load())
	}
	// Due: a conditional GET, 304, nothing new.
	f.clock.Advance(10 * time.Minute)
	if err := f.p.PollDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	if conditional.Load() != 1 || f.state(t, fd.ID).ItemsTaken != 2 {
		t.Errorf("conditional GET: %d, state %+v", conditional.Load(), f.state(t, fd.ID))
	}
	// New content: only the new item; a near-duplicate is kept, clustered.
	body = rssMore
	f.clock.Advance(11 * time.Minute)
	if err := f.p.PollDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	page, _ = f.st.Reports(f.ctx, "IQ", store.ReportQuery{Limit: 10})
	if len(page.Items) != 3 {
		t.Fatalf("%d reports after the second poll", len(page.Items))
	}
	newest := page.Items[0]
	if !strings.HasSuffix(newest.Title, "again") || len(newest.Tags) == 0 || !strings.HasPrefix(newest.Tags[len(newest.Tags)-1], "cluster:report--") {
		t.Errorf("near-duplicate not clustered: %+v", newest)
	}
}

func TestAtomAndLanguageHint(t *testing.T) {
	f := newFixture(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, atom) }))
	defer srv.Close()
	f.addFeed(t, srv.URL, "ru")
	if err := f.p.PollDue(f.ctx); err != nil {
		t.Fatal(err)
	}
	page, _ := f.st.Reports(f.ctx, "SY", store.ReportQuery{Limit: 10})
	if len(page.Items) != 1 || page.Items[0].Language != "ru" {
		t.Fatalf("%+v", page.Items)
	}
}

// A feed that fails records the reason in its health and nothing else.
func TestBadFeeds(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<rss><channel><item><title>x</ti`) })
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<html><body>not a feed</body></html>`) })
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		// 10 GB announced by nothing: chunked, endless.
		chunk := []byte(strings.Repeat("<item>", 1000))
		for i := 0; i < 10<<30/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/huge-announced", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(int64(10<<30)))
		w.Write([]byte("<rss>"))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tt := range []struct {
		path, reason string
		next         time.Duration
	}{
		{"/broken", "feed:", 10 * time.Minute},
		{"/html", "feed:", 10 * time.Minute},
		{"/hang", "deadline exceeded", 10 * time.Minute},
		{"/huge", "size cap", 10 * time.Minute},
		{"/huge-announced", "size cap", 10 * time.Minute},
		{"/redirect", "only http and https", 10 * time.Minute},
		{"/busy", "503", 2 * time.Hour},
	} {
		t.Run(tt.path, func(t *testing.T) {
			f := newFixture(t)
			fd := f.addFeed(t, srv.URL+tt.path, "")
			before, _ := f.st.Events(f.ctx, 0, 1000)
			start := time.Now()
			if err := f.p.PollDue(f.ctx); err != nil {
				t.Fatalf("a failing feed is not the center's error: %v", err)
			}
			if el := time.Since(start); el > 10*time.Second {
				t.Errorf("the poll took %v", el)
			}
			st := f.state(t, fd.ID)
			if !strings.Contains(st.LastError, tt.reason) || !st.LastSuccess.IsZero() || st.ItemsTaken != 0 {
				t.Errorf("state %+v, want error with %q", st, tt.reason)
			}
			if want := f.clock.Now().Add(tt.next); !st.NextPoll.Equal(want) {
				t.Errorf("next poll %v, want %v", st.NextPoll, want)
			}
			after, _ := f.st.Events(f.ctx, 0, 1000)
			if len(after) != len(before) {
				t.Errorf("a failed poll appended %d events", len(after)-len(before))
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{rss, rssMore, atom, `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","title":"t","content_text":"c"}]}`, `<rss><channel><item><title>x</ti`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := feed.Parse(b, "en")
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Key == "" || it.Draft.Title == "" || strings.ContainsAny(it.Draft.Title, "<>\x00") && strings.Contains(it.Draft.Title, "<b>") {
				t.Fatalf("item %+v", it)
			}
			d := it.Draft
			d.TLP, d.Distribution = center.TLPClear, center.Distribution{All: true}
			d.Normalize()
			if err := d.Validate(center.DefaultLimits, testkit.Roster()); err != nil && !strings.Contains(err.Error(), "control") && !strings.Contains(err.Error(), "required") {
				t.Logf("item refused: %v", err)
			}
		}
	})
}
