package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/process/entity"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// seededDB is a founded center with the entity registry seeded and the
// test users, made once (seeding takes seconds) and copied for each test.
var seededDB struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if seededDB.dir != "" {
		os.RemoveAll(seededDB.dir)
	}
	os.Exit(code)
}

func makeSeededDB() (string, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tabadul-web-seed-")
	if err != nil {
		return "", err
	}
	seededDB.dir = dir
	path := filepath.Join(dir, "tabadul.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		return "", err
	}
	rec := record.NewRecorder(st, testkit.NewClock(testcenter.Start), center.DefaultLimits).ExtractWith(analyze.NewRegistry(st))
	err = rec.Found(ctx, testkit.Charter())
	var es []store.Entity
	if err == nil {
		es, err = entity.Seed()
	}
	if err == nil {
		_, err = rec.SeedEntities(ctx, es)
	}
	for _, u := range testUsers() {
		if err == nil {
			_, err = rec.CreateUser(ctx, center.User{Username: u.Name, Party: u.Party, Role: u.Role}, testcenter.Password(u.Name), testcenter.CheapHashing)
		}
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return path, err
}

// newLinkedCenter is newTestCenter with the entity registry seeded and the
// write path extracting entities, observables and near-duplicates, as
// tabadul serve runs it.
func newLinkedCenter(t testing.TB) *testCenter {
	t.Helper()
	ctx := context.Background()
	seededDB.once.Do(func() {
		var path string
		path, seededDB.err = makeSeededDB()
		seededDB.dir = filepath.Dir(path)
	})
	if seededDB.err != nil {
		t.Fatalf("seeded center: %v", seededDB.err)
	}
	path := filepath.Join(t.TempDir(), "tabadul.db")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(filepath.Join(seededDB.dir, "tabadul.db"+suffix))
		if errors.Is(err, fs.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+suffix, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	clock := testkit.NewClock(testcenter.Start)
	g := analyze.NewRegistry(st)
	if err := g.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	rec := record.NewRecorder(st, clock, center.DefaultLimits).ExtractWith(g)
	// The live streams wake when something is recorded, as in serve.
	changes := &distribute.Broadcast{}
	rec.OnDeliveries(changes.Notify)
	return serveWeb(t, &testcenter.Center{Store: st, Recorder: rec, Clock: clock},
		Config{Searcher: analyze.NewSearcher(st, nil).WithRegistry(g), Changes: changes})
}

// The scene of the pages' tests: a secret IQ→RU report naming NATO and
// Baghdad with a hash no other report holds, and reports every party sees.
const (
	secretHash  = "d41d8cd98f00b204e9800998ecf8427e"
	sharedHash  = "9e107d9d372bb6826bd81d3542a419d6"
	secretTitle = "سري: الناتو في بغداد"
)

func secretDraft() center.Draft {
	return center.Draft{
		Title: secretTitle, Body: "اجتماع لحلف الناتو في بغداد، والملف " + secretHash + " والملف " + sharedHash + " معًا.",
		Language: "ar", TLP: center.TLPAmber, Distribution: center.Distribution{Parties: []center.PartyCode{"RU"}},
	}
}

func publicDraft(title, body string) center.Draft {
	return center.Draft{Title: title, Body: body, Language: "ar", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
}

const publicBody = "رصدت وحدة المراقبة في بغداد نشاطًا متزايدًا لخلية تستخدم الملف " + sharedHash +
	" في عمليات التهريب عبر الحدود الغربية، وتواصل الأجهزة المختصة متابعة تحركاتها في الأحياء الجنوبية من المدينة."

func TestReportPageLinks(t *testing.T) {
	c := newLinkedCenter(t)
	secret := c.submit("iq-analyst", secretDraft())
	public := c.submit("iq-analyst", publicDraft("خلية في بغداد", publicBody))
	// Jordan reports the same, nearly word for word: a near-duplicate
	// from an independent source.
	dup := c.submit("jo-analyst", publicDraft("خلية تهريب في بغداد", publicBody+" وأكدت المصادر ذلك."))

	iq := c.browser("en")
	iq.login("iq-analyst")
	res := iq.get("/reports/" + public.ID)
	if !strings.Contains(res.body, `<a class="entity" href="/entities/location--baghdad">بغداد</a>`) {
		t.Errorf("Baghdad not linked to its entity in the body:\n%s", section(res.body, "report-body"))
	}
	if !strings.Contains(res.body, `class="observable observable-hash">`+sharedHash) {
		t.Errorf("the hash is not marked")
	}
	// IQ sees its secret report among the related ones: the check below
	// can fail.
	if !strings.Contains(section(res.body, "related"), secretTitle) {
		t.Errorf("iq-analyst: the secret report is not related:\n%s", section(res.body, "related"))
	}
	if d := section(res.body, "duplicates"); !strings.Contains(d, dup.Title) || !strings.Contains(d, "1 independent source") {
		t.Errorf("iq-analyst: near-duplicates:\n%s", d)
	}

	for _, user := range []string{"sy-analyst", "ir-analyst"} {
		b := c.browser("en")
		b.login(user)
		res := b.get("/reports/" + public.ID)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d", user, res.status)
		}
		if strings.Contains(res.body, secretTitle) || strings.Contains(res.body, secret.ID) || strings.Contains(res.body, "organization--nato") {
			t.Errorf("%s: the secret report leaks into the public one's page", user)
		}
		// The hash is held by the public report and the duplicate only,
		// as far as SY knows: 2, not 3.
		if rel := section(res.body, "related"); strings.Contains(rel, "in 3 reports") {
			t.Errorf("%s: the shared hash's count includes the secret report:\n%s", user, rel)
		}
		if res := b.get("/reports/" + secret.ID); res.status != http.StatusNotFound {
			t.Errorf("%s: secret report: status %d", user, res.status)
		}
	}
}

func TestReportPageReceipts(t *testing.T) {
	c := newLinkedCenter(t)
	ctx := context.Background()
	iqo := c.principal("iq-officer")
	ep, _, err := c.Recorder.CreateEndpoint(ctx, iqo, "https://receiver.example/iq", "IQ's receiver", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recorder.CreateSubscription(ctx, iqo, ep.ID, store.Filter{}); err != nil {
		t.Fatal(err)
	}
	rep := c.submit("jo-analyst", publicDraft("تقرير للجميع", "نص التقرير للجميع."))
	iq := c.browser("en")
	iq.login("iq-analyst")
	if r := section(iq.get("/reports/"+rep.ID).body, "receipts"); !strings.Contains(r, ep.ID) || !strings.Contains(r, "pending") {
		t.Errorf("iq-analyst: no receipt for its endpoint:\n%s", r)
	}
	sy := c.browser("en")
	sy.login("sy-analyst")
	if body := sy.get("/reports/" + rep.ID).body; strings.Contains(body, ep.ID) || !strings.Contains(section(body, "receipts"), "Not delivered") {
		t.Errorf("sy-analyst sees IQ's receipts:\n%s", section(body, "receipts"))
	}
	// Delivered: the receipt names the event that logs it.
	ds, err := c.Store.Deliveries(ctx, "IQ", store.DeliveryQuery{Report: rep.ID, Limit: 10})
	if err != nil || len(ds) != 1 {
		t.Fatalf("IQ's deliveries of the report: %d, %v", len(ds), err)
	}
	at := ds[0].Created.Add(time.Second)
	if err := c.Recorder.RecordAttempts(ctx, []record.AttemptResult{{Delivery: ds[0], Attempt: store.Attempt{At: at, Status: 204}, State: store.Delivered}}, record.Breaker{}); err != nil {
		t.Fatal(err)
	}
	ds, _ = c.Store.Deliveries(ctx, "IQ", store.DeliveryQuery{Report: rep.ID, Limit: 10})
	if ds[0].ReceiptEvent == "" {
		t.Fatal("a delivered delivery names no receipt event")
	}
	for _, page := range []string{"/reports/" + rep.ID, "/deliveries"} {
		if r := iq.get(page).body; !strings.Contains(r, ds[0].ReceiptEvent) {
			t.Errorf("%s does not name the receipt's event %s", page, ds[0].ReceiptEvent)
		}
	}
}

func TestEntityPage(t *testing.T) {
	c := newLinkedCenter(t)
	c.submit("iq-analyst", secretDraft())
	c.submit("iq-analyst", publicDraft("خلية في بغداد", publicBody))
	tests := []struct {
		user, lang string
		reports    string
		nato       bool
	}{
		{"iq-analyst", "en", "2 reports", true},
		{"ru-analyst", "ru", "2 отчёта", true},
		{"sy-analyst", "en", "1 report", false},
		{"ir-analyst", "fa", "۱ گزارش", false},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			b := c.browser(tt.lang)
			b.login(tt.user)
			res := b.get("/entities/location--baghdad")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			if got := text(section(res.body, "entity-reports")); got != tt.reports {
				t.Errorf("mentioned in %q, want %q", got, tt.reports)
			}
			if nato := strings.Contains(section(res.body, "co-occurring"), "organization--nato"); nato != tt.nato {
				t.Errorf("NATO among the co-occurring: %v, want %v", nato, tt.nato)
			}
			if strings.Contains(res.body, secretTitle) != tt.nato {
				t.Errorf("the secret report in the recent list: %v, want %v", !tt.nato, tt.nato)
			}
			for _, name := range []string{"بغداد", "Багдад", "Baghdad"} {
				if !strings.Contains(section(res.body, "entity-names"), name) {
					t.Errorf("name %q missing", name)
				}
			}
			if !strings.Contains(res.body, `<svg id="timeline"`) {
				t.Errorf("no timeline chart")
			}
			if tt.lang == "fa" && !strings.Contains(res.body, `dir="rtl"`) {
				t.Errorf("Persian page not right to left")
			}
		})
	}
	t.Run("lookup in any script", func(t *testing.T) {
		b := c.browser("en")
		b.login("sy-analyst")
		for _, q := range []string{"Багдад", "بغداد", "baghdad"} {
			if res := b.get("/entities?q=" + url.QueryEscape(q)); !strings.Contains(section(res.body, "found"), "/entities/location--baghdad") {
				t.Errorf("q=%s does not find Baghdad:\n%s", q, section(res.body, "found"))
			}
		}
		if res := b.get("/entities?q=" + strings.Repeat("x", 201)); res.status != http.StatusOK || !strings.Contains(res.body, `role="alert"`) {
			t.Errorf("a query too long: status %d", res.status)
		}
		if res := b.get("/entities/organization--no-such"); res.status != http.StatusNotFound {
			t.Errorf("unknown entity: status %d", res.status)
		}
	})
}

func TestEntityProposalAndCuration(t *testing.T) {
	c := newLinkedCenter(t)
	sy := c.browser("en")
	sy.login("sy-analyst")
	res := sy.post("/entities", "/entities", url.Values{"type": {"group"}, "name": {"Northern Brigade"},
		"alias_ar": {"اللواء الشمالي"}, "alias_en": {"Northern Brigade"}, "alias_ru": {"Северная бригада"}})
	if res.status != http.StatusOK || !strings.HasPrefix(res.url, "/entities/group--") {
		t.Fatalf("propose: %d at %s", res.status, res.url)
	}
	id := strings.TrimPrefix(res.url, "/entities/")
	if got := text(section(res.body, "entity-status")); got != "proposed, waiting for the chair" {
		t.Errorf("status %q", got)
	}
	// Only the proposer and the chair (Iraq) see a proposal.
	ru := c.browser("en")
	ru.login("ru-analyst")
	if res := ru.get("/entities/" + id); res.status != http.StatusNotFound {
		t.Errorf("ru-analyst sees SY's proposal: %d", res.status)
	}
	if strings.Contains(ru.get("/entities").body, id) {
		t.Errorf("ru-analyst's pending list shows SY's proposal")
	}
	// Only the chair's officers curate.
	for _, user := range []string{"sy-officer", "iq-analyst"} {
		b := c.browser("en")
		b.login(user)
		if res := b.post("/entities/"+id, "/entities/"+id+"/curate", url.Values{"action": {"accept"}}); res.status != http.StatusForbidden {
			t.Errorf("%s curates: status %d", user, res.status)
		}
	}
	iq := c.browser("en")
	iq.login("iq-officer")
	if !strings.Contains(iq.get("/entities").body, id) {
		t.Errorf("the chair does not see the proposal in the pending list")
	}
	if res := iq.post("/entities/"+id, "/entities/"+id+"/curate", url.Values{"action": {"accept"}}); text(section(res.body, "entity-status")) != "accepted" {
		t.Fatalf("accept: %d %s", res.status, section(res.body, "entity-status"))
	}
	if res := ru.get("/entities/" + id); res.status != http.StatusOK {
		t.Errorf("ru-analyst does not see the accepted entity: %d", res.status)
	}
	// Any user proposes another name; the chair accepts it.
	ru.post("/entities/"+id, "/entities/"+id+"/aliases", url.Values{"lang": {"fa"}, "name": {"تیپ شمالی"}})
	if sec := section(iq.get("/entities/"+id).body, "entity-names"); !strings.Contains(sec, "تیپ شمالی") {
		t.Errorf("the chair does not see RU's proposed name:\n%s", sec)
	}
	if sec := section(sy.get("/entities/"+id).body, "entity-names"); strings.Contains(sec, "تیپ شمالی") {
		t.Errorf("SY sees RU's pending name")
	}
	iq.post("/entities/"+id, "/entities/"+id+"/curate", url.Values{"action": {"accept"}, "alias_lang": {"fa"}, "alias_name": {"تیپ شمالی"}})
	if sec := section(sy.get("/entities/"+id).body, "entity-names"); !strings.Contains(sec, "تیپ شمالی") {
		t.Errorf("SY does not see the accepted name")
	}
	if res := iq.post("/entities/"+id, "/entities/"+id+"/curate", url.Values{"action": {"rename"}, "name": {"North Brigade"}, "type": {"group"}}); text(section(res.body, "entity-canonical")) != "North Brigade" {
		t.Errorf("rename: %d %q", res.status, section(res.body, "entity-canonical"))
	}
	if res := iq.post("/entities/"+id, "/entities/"+id+"/curate", url.Values{"action": {"merge"}, "into": {"group--isis"}}); res.url != "/entities/group--isis" {
		t.Errorf("merge: %d at %s", res.status, res.url)
	}
}

func TestDistributionPages(t *testing.T) {
	c := newLinkedCenter(t)
	iq := c.browser("en")
	iq.login("iq-officer")
	res := iq.post("/distribution", "/endpoints", url.Values{"url": {"https://receiver.example/iq"}, "description": {"IQ's receiver"}})
	secret := text(section(res.body, "secret"))
	if res.status != http.StatusOK || len(secret) < 16 {
		t.Fatalf("create: %d, secret %q", res.status, secret)
	}
	ep, err := c.Store.Endpoints(context.Background(), "IQ")
	if err != nil || len(ep) != 1 {
		t.Fatalf("endpoints %v %v", ep, err)
	}
	id := ep[0].ID
	if strings.Contains(iq.get("/distribution").body, secret) {
		t.Errorf("the secret is shown again")
	}
	res = iq.post("/distribution", "/endpoints/"+id+"/rotate", url.Values{"overlap": {"1h"}})
	if s := text(section(res.body, "secret")); s == "" || s == secret {
		t.Errorf("rotate: new secret %q", s)
	}
	res = iq.post("/distribution", "/subscriptions", url.Values{"endpoint": {id}, "tlp": {"AMBER"}, "query": {"بغداد"}})
	if !strings.Contains(section(res.body, "subscriptions"), "TLP:AMBER") {
		t.Errorf("subscription not listed:\n%s", section(res.body, "subscriptions"))
	}
	if res := iq.post("/distribution", "/subscriptions", url.Values{"endpoint": {id}, "query": {`"unclosed`}}); res.status != http.StatusBadRequest {
		t.Errorf("a bad query: status %d", res.status)
	}
	secret2 := c.submit("iq-analyst", secretDraft())
	if d := iq.get("/deliveries?report=" + secret2.ID); !strings.Contains(section(d.body, "deliveries"), secret2.ID) {
		t.Errorf("IQ's delivery is not listed")
	}

	// Analysts read; they change nothing.
	an := c.browser("en")
	an.login("iq-analyst")
	if body := an.get("/distribution").body; !strings.Contains(body, id) || strings.Contains(body, `action="/endpoints"`) {
		t.Errorf("iq-analyst: the endpoint missing, or the officer's forms shown")
	}
	if res := an.post("/distribution", "/endpoints/"+id+"/rotate", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("an analyst rotates: status %d", res.status)
	}

	// Another party sees none of it, and touches none of it.
	for _, user := range []string{"sy-officer", "sy-analyst"} {
		sy := c.browser("en")
		sy.login(user)
		for _, p := range []string{"/distribution", "/deliveries", "/deliveries?report=" + secret2.ID, "/deliveries?endpoint=" + id} {
			body := sy.get(p).body
			if p == "/distribution" && strings.Contains(body, id) {
				t.Errorf("%s: the distribution page shows IQ's endpoint", user)
			}
			if strings.Contains(section(body, "endpoints"), id) || strings.Contains(section(body, "d-endpoint"), id) || strings.Contains(section(body, "deliveries"), secret2.ID) {
				t.Errorf("%s: %s shows IQ's endpoint or delivery", user, p)
			}
		}
	}
	sy := c.browser("en")
	sy.login("sy-officer")
	ds, _ := c.Store.Deliveries(context.Background(), "IQ", store.DeliveryQuery{Limit: 10})
	for _, p := range []string{"/endpoints/" + id + "/rotate", "/endpoints/" + id + "/delete", "/deliveries/" + ds[0].ID + "/redrive"} {
		if res := sy.post("/distribution", p, url.Values{}); res.status != http.StatusNotFound {
			t.Errorf("sy-officer POST %s: status %d, want 404", p, res.status)
		}
	}
	// A dead delivery is offered for redrive to officers, and redriven.
	d := ds[0]
	err = c.Recorder.RecordAttempts(context.Background(), []record.AttemptResult{{Delivery: d,
		Attempt: store.Attempt{Delivery: d.ID, N: 1, At: c.Clock.Now(), Status: 500, Error: "HTTP 500"}, State: store.Dead}},
		record.Breaker{Threshold: 100, Cooldown: func(int) time.Duration { return time.Minute }})
	if err != nil {
		t.Fatal(err)
	}
	if body := an.get("/deliveries?state=dead").body; !strings.Contains(section(body, "deliveries"), d.Report) || strings.Contains(body, "/redrive") {
		t.Errorf("iq-analyst: the dead delivery missing, or offered for redrive")
	}
	if body := iq.get("/distribution").body; !strings.Contains(body, "Some deliveries failed for good") {
		t.Errorf("the endpoint's health does not show the dead delivery")
	}
	res = iq.post("/deliveries?state=dead", "/deliveries/"+d.ID+"/redrive", url.Values{"state": {"dead"}})
	if res.status != http.StatusOK || strings.Contains(section(res.body, "deliveries"), d.Report) {
		t.Errorf("redrive: %d, still dead:\n%s", res.status, section(res.body, "deliveries"))
	}
	if got, _ := c.Store.Deliveries(context.Background(), "IQ", store.DeliveryQuery{Report: d.Report, Limit: 10}); len(got) != 1 || got[0].State != store.Pending {
		t.Errorf("after redrive: %+v", got)
	}
	if res := iq.post("/distribution", "/endpoints/"+id+"/delete", url.Values{}); res.url != "/distribution" || strings.Contains(section(res.body, "endpoints"), id) {
		t.Errorf("delete: at %s", res.url)
	}
}

func TestLiveInbox(t *testing.T) {
	// Only the recorder's wake-up can deliver in time: the streams do not
	// poll during the test.
	defer func(p time.Duration) { streamPoll = p }(streamPoll)
	streamPoll = time.Hour
	c := newLinkedCenter(t)
	open := func(user string) *bufio.Reader {
		b := c.browser("en")
		b.login(user)
		req, _ := http.NewRequest(http.MethodGet, c.http.URL+"/inbox/stream", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		t.Cleanup(cancel)
		res, err := b.client.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("%s: stream %d %s", user, res.StatusCode, res.Header.Get("Content-Type"))
		}
		return bufio.NewReader(res.Body)
	}
	ru, sy := open("ru-analyst"), open("sy-analyst")
	secret := c.submit("iq-analyst", secretDraft())
	public := c.submit("iq-analyst", publicDraft("تقرير للجميع", "نص للجميع."))
	next := func(r *bufio.Reader) (event, data string) {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("stream ended: %v", err)
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data += strings.TrimPrefix(line, "data: ") + "\n"
			case line == "" && event != "":
				return event, data
			}
		}
	}
	if ev, data := next(ru); ev != "report.created" || !strings.Contains(data, secret.ID) || !strings.Contains(data, `<li class="report">`) {
		t.Errorf("ru-analyst's first event: %s %s", ev, data)
	}
	// SY's first event is the public report: the secret one never came.
	if ev, data := next(sy); ev != "report.created" || !strings.Contains(data, public.ID) || strings.Contains(data, secretTitle) {
		t.Errorf("sy-analyst's first event: %s %s", ev, data)
	}
	iq := c.browser("en")
	iq.login("iq-analyst")
	if body := iq.get("/").body; !strings.Contains(body, `data-stream="/inbox/stream"`) || !strings.Contains(body, `src="/static/live.js"`) {
		t.Errorf("the inbox's first page is not live")
	}
	if body := iq.get("/?tlp=RED").body; strings.Contains(body, "live.js") {
		t.Errorf("a filtered inbox is live")
	}
	if res := c.browser("en").get("/inbox/stream"); res.url != "/login" {
		t.Errorf("the stream without a session: at %s", res.url)
	}
	// A shutdown ends the open streams instead of waiting for them.
	c.ui.CloseStreams()
	for _, r := range []*bufio.Reader{ru, sy} {
		if _, err := io.ReadAll(r); err != nil {
			t.Errorf("a stream after CloseStreams: %v", err)
		}
	}
}

// section returns the element with the id, up to the end of its first
// closing tag of the same name: enough for the tests to look inside.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<")
	tag := strings.Fields(body[start+1 : i])[0]
	end := strings.Index(body[i:], "</"+tag+">")
	if end < 0 {
		return body[start:]
	}
	return body[start : i+end+len(tag)+3]
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// text is an element's text, its tags stripped, spaces trimmed.
func text(html string) string {
	return strings.TrimSpace(tagRE.ReplaceAllString(html, ""))
}

func TestCollectionPages(t *testing.T) {
	c := newLinkedCenter(t)
	iq := c.browser("en")
	iq.login("iq-officer")
	res := iq.post("/feeds", "/feeds", url.Values{"url": {"https://news.example/rss"}, "interval": {"30"}, "language": {"ar"}, "reliability": {"B"}})
	if !strings.Contains(section(res.body, "feeds"), "https://news.example/rss") || !strings.Contains(res.body, "Not polled yet") {
		t.Fatalf("add feed: %d\n%s", res.status, section(res.body, "feeds"))
	}
	if res := iq.post("/feeds", "/feeds", url.Values{"url": {"ftp://x"}, "interval": {"30"}}); res.status != http.StatusBadRequest {
		t.Errorf("a bad feed URL: status %d", res.status)
	}
	sy := c.browser("en")
	sy.login("sy-officer")
	if body := sy.get("/feeds").body; !strings.Contains(body, "https://news.example/rss") || strings.Contains(body, `action="/feeds"`) {
		t.Errorf("sy-officer: the feed missing, or the chair's form shown")
	}
	if res := sy.post("/feeds", "/feeds", url.Values{"url": {"https://other.example/rss"}, "interval": {"30"}}); res.status != http.StatusForbidden {
		t.Errorf("sy-officer adds a feed: status %d", res.status)
	}
	jo := c.browser("en")
	jo.login("jo-analyst")
	if res := jo.get("/feeds"); res.status != http.StatusNotFound || strings.Contains(res.body, "news.example") {
		t.Errorf("an associate sees the feeds: status %d", res.status)
	}

	// An import shared with SY only: SY sees it, RU does not.
	an := c.browser("en")
	an.login("iq-analyst")
	res = an.upload("/import", "/import", url.Values{"tlp": {"RED"}, "to": {"SY"}}, "bundle", importBundle(importIndicator, importReport))
	if res.status != http.StatusOK || !strings.Contains(section(res.body, "import-done"), "2 new reports") {
		t.Fatalf("import: %d\n%s", res.status, section(res.body, "import-done")+section(res.body, "import-rejected"))
	}
	syA := c.browser("en")
	syA.login("sy-analyst")
	if !strings.Contains(section(syA.get("/").body, "results"), "Secret C2 for SY") {
		t.Errorf("SY's inbox lacks the imported report")
	}
	ru := c.browser("en")
	ru.login("ru-analyst")
	if strings.Contains(ru.get("/").body, "Secret C2 for SY") || strings.Contains(ru.get("/search?q=C2").body, "Secret C2 for SY") {
		t.Errorf("RU sees the report imported for SY")
	}
	before, _ := c.Store.Search(context.Background(), "IQ", store.SearchQuery{Limit: 100})
	res = an.upload("/import", "/import", url.Values{}, "bundle", `{"type":"bundle",`)
	if res.status != http.StatusBadRequest || section(res.body, "import-rejected") == "" {
		t.Errorf("a malformed bundle: %d", res.status)
	}
	if after, _ := c.Store.Search(context.Background(), "IQ", store.SearchQuery{Limit: 100}); after.Total != before.Total {
		t.Errorf("a refused import recorded reports: %d then %d", before.Total, after.Total)
	}
}

const (
	importIndicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-01-02T03:04:05.000Z","modified":"2026-01-02T03:04:05.000Z","name":"C2","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2026-01-02T03:04:05Z"}`
	importReport    = `{"type":"report","spec_version":"2.1","id":"report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3","created":"2026-01-02T03:04:05.000Z","modified":"2026-01-02T03:04:05.000Z","name":"Secret C2 for SY","description":"only SY","published":"2026-01-02T00:00:00Z","object_refs":["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]}`
)

func importBundle(objs ...string) string {
	return `{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[` + strings.Join(objs, ",") + `]}`
}

// upload submits a multipart form with one file from the page at from,
// with that page's token.
func (b *browser) upload(from, path string, form url.Values, field, content string) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf(from))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, "bundle.json")
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, b.c.http.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.c.http.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept-Language", b.lang)
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(data), url: res.Request.URL.Path}
}

// TestNewPagesHeaders: the new pages carry the security headers and no
// inline script or style, in a right-to-left language too.
func TestNewPagesHeaders(t *testing.T) {
	c := newLinkedCenter(t)
	rep := c.submit("iq-analyst", publicDraft("خلية في بغداد", publicBody))
	b := c.browser("ar")
	b.login("iq-officer")
	for _, p := range []string{"/reports/" + rep.ID, "/entities", "/entities?q=" + url.QueryEscape("بغداد"), "/entities/location--baghdad",
		"/distribution", "/deliveries", "/feeds", "/import", "/static/live.js", "/static/pages.css"} {
		res := b.get(p)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d", p, res.status)
		}
		checkHeaders(t, p, res)
		if strings.HasPrefix(res.header.Get("Content-Type"), "text/html") && !strings.Contains(res.body, `<html lang="ar" dir="rtl">`) {
			t.Errorf("%s: not an Arabic right-to-left page", p)
		}
	}
}
