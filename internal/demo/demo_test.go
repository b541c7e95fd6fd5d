package demo_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/demo"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

var demoUsers = []string{
	"iq-officer", "iq-analyst", "sy-officer", "sy-analyst",
	"ir-officer", "ir-analyst", "ru-officer", "ru-analyst",
}

// newCenter opens an empty database in a fresh data directory.
func newCenter(t *testing.T) (context.Context, *record.Recorder, store.Store, *testkit.Clock, string) {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := testkit.NewClock(time.Date(2027, 2, 17, 9, 30, 0, 0, time.UTC))
	return ctx, record.NewRecorder(st, clock, center.DefaultLimits), st, clock, dir
}

func allEvents(t *testing.T, ctx context.Context, st store.Store) []center.Event {
	t.Helper()
	var out []center.Event
	for after := int64(0); ; {
		page, err := st.Events(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

func TestCreateFoundsTheDemoCenterOnce(t *testing.T) {
	ctx, rec, st, clock, dir := newCenter(t)

	var out bytes.Buffer
	created, err := demo.Create(ctx, rec, st, clock, dir, &out)
	if err != nil || !created {
		t.Fatalf("Create = %v, %v; want true, nil", created, err)
	}
	for _, u := range demoUsers {
		if !strings.Contains(out.String(), u) {
			t.Errorf("output does not show user %s:\n%s", u, out.String())
		}
		if _, err := st.User(ctx, u); err != nil {
			t.Errorf("user %s: %v", u, err)
		}
	}

	d, err := st.Directory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Members(); !reflect.DeepEqual(got, []center.PartyCode{"IQ", "SY", "IR", "RU"}) {
		t.Errorf("members = %v", got)
	}
	if q, ok := d.Committee("quad"); !ok || len(q.Members) != 4 {
		t.Errorf("committee quad = %+v, %v", q, ok)
	}

	// The seed article is the first report, and every member sees it.
	for _, viewer := range d.Members() {
		page, err := st.Reports(ctx, viewer, store.ReportQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 {
			t.Fatalf("%s sees %d reports, want the seed article", viewer, len(page.Items))
		}
		r := page.Items[0]
		if r.Source != "IQ" || r.Author != "iq-analyst" || r.TLP != center.TLPGreen || !r.Distribution.All ||
			r.Language != "ar" || r.Reliability != "B" || r.Credibility != "2" || !strings.Contains(r.Body, "خلية") {
			t.Errorf("seed report = %+v", r)
		}
		if !strings.HasPrefix(r.Body, r.Title) {
			t.Errorf("title %q does not open the article", r.Title)
		}
	}

	// A second start changes nothing and prints nothing.
	before := allEvents(t, ctx, st)
	out.Reset()
	created, err = demo.Create(ctx, rec, st, clock, dir, &out)
	if err != nil || created {
		t.Fatalf("second Create = %v, %v; want false, nil", created, err)
	}
	if out.Len() != 0 {
		t.Errorf("second Create printed %q", out.String())
	}
	if after := allEvents(t, ctx, st); !reflect.DeepEqual(after, before) {
		t.Errorf("second Create changed the log: %d events before, %d after", len(before), len(after))
	}
}

func TestCreateKeepsCredentialsForTheOwnerOnly(t *testing.T) {
	ctx, rec, st, clock, dir := newCenter(t)
	if _, err := demo.Create(ctx, rec, st, clock, dir, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, demo.CredentialsFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("credentials file mode = %o, want 600", mode)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var users []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") || fields[0] == "username" {
			continue
		}
		if len(fields) != 4 {
			t.Fatalf("line %q: want username, party, role, password", sc.Text())
		}
		users = append(users, fields[0])
	}
	if !reflect.DeepEqual(users, demoUsers) {
		t.Errorf("credentials for %v, want %v", users, demoUsers)
	}
}

func TestConcurrentCreatesFoundOnce(t *testing.T) {
	ctx, rec, st, clock, dir := newCenter(t)
	const n = 4
	var wg sync.WaitGroup
	createdBy := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			createdBy[i], errs[i] = demo.Create(ctx, rec, st, clock, dir, &bytes.Buffer{})
		})
	}
	wg.Wait()
	count := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Create %d: %v", i, errs[i])
		}
		if createdBy[i] {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d Creates created the center, want 1", count)
	}
	founded := 0
	for _, e := range allEvents(t, ctx, st) {
		if e.Type == center.CenterFounded {
			founded++
		}
	}
	if founded != 1 {
		t.Errorf("%d center.founded events, want 1", founded)
	}
}

func TestCharterStartsOnTheFirstOfTheMonth(t *testing.T) {
	c, err := demo.Charter(time.Date(2027, 2, 17, 23, 59, 0, 0, time.FixedZone("+03", 3*3600)))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC); !c.Rotation.Start.Equal(want) {
		t.Errorf("start = %v, want %v", c.Rotation.Start, want)
	}
	if c.Rotation.FirstChair != "IQ" || c.Rotation.TermMonths != 3 {
		t.Errorf("rotation = %+v", c.Rotation)
	}
}

// The documented example is the demo charter with a fixed start; this keeps
// the two from drifting apart.
func TestCharterIsTheDocumentedExample(t *testing.T) {
	data, err := os.ReadFile("../../docs/charter.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := center.ParseCharter(data, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := demo.Charter(doc.Rotation.Start)
	if err != nil {
		t.Fatal(err)
	}
	got.WitnessQuorum = doc.WitnessQuorum
	if !reflect.DeepEqual(got, doc) {
		t.Errorf("demo charter\n%+v\ndiffers from docs/charter.example.yaml\n%+v", got, doc)
	}
}

func TestHeadline(t *testing.T) {
	long := strings.Repeat("كلمة ", 40)
	tests := []struct {
		desc, in, want string
	}{
		{"first clause of the first line", "\n  سعت الحكومة إلى كذا، حيث إنها\nسطر ثان", "سعت الحكومة إلى كذا"},
		{"a short line is kept whole", "عنوان قصير\nنص", "عنوان قصير"},
		{"a long line is cut between words", long, strings.TrimSpace(strings.Repeat("كلمة ", 24)) + "…"},
		{"a long word is cut at the limit", strings.Repeat("ب", 200), strings.Repeat("ب", 120) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got := demo.Headline(tt.in)
			if got != tt.want {
				t.Errorf("Headline = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > 121 {
				t.Errorf("headline of %d runes", n)
			}
		})
	}
}
