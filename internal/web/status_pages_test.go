package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/record/tlog/witness"
)

// TestLogStatusPages: the transparency page gives the log's size, its
// latest published checkpoint and which witnesses cosigned it, and a
// report's page where its version stands in the log, in the reader's
// language. Real witnesses over loopback HTTP cosign the checkpoint.
func TestLogStatusPages(t *testing.T) {
	c := newTestCenter(t)
	ctx := context.Background()
	rep := c.submit("iq-analyst", iqToRU())

	ar := c.browser("ar")
	ar.login("ru-analyst")
	if got := text(section(ar.get("/reports/"+rep.ID).body, "log-status")); got != "بانتظار الإدراج في السجل" {
		t.Errorf("before the log takes it: %q", got)
	}

	key, err := tlog.EnsureKey(ctx, c.Store, "tabadul.test/log")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []center.PartyCode{"IQ", "SY", "IR"} {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		w, err := witness.New(ctx, witness.Config{Name: "witness/" + string(p), Key: priv,
			StatePath: filepath.Join(t.TempDir(), "witness.db"), LogKey: key.VKey})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(w)
		t.Cleanup(func() { srv.Close(); w.Close() })
		if err := c.Recorder.RegisterWitness(ctx, store.Witness{Party: p, VKey: w.VerifierKey(), URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	in, err := tlog.NewIntegrator(tlog.IntegratorConfig{Store: c.Store, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	for {
		n, err := in.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	co, err := tlog.NewCosigner(tlog.CosignerConfig{Store: c.Store, Key: key, Clock: c.Clock})
	if err != nil {
		t.Fatal(err)
	}
	res, err := co.Round(ctx)
	if err != nil || !res.Published || len(res.CosignedBy) != 3 {
		t.Fatalf("cosigning round: %+v, %v", res, err)
	}
	size, err := c.Store.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}

	page := ar.get("/transparency")
	if got, want := text(section(page.body, "log-size")), (&Locale{Lang: "ar"}).Num(int(size)); got != want {
		t.Errorf("log size %q, want %q", got, want)
	}
	cp, err := c.Store.LatestCheckpoint(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(string(cp.Signed()), "\n", 2)[0]; !strings.Contains(page.body, first) {
		t.Errorf("the page lacks the published checkpoint %q", first)
	}
	witnesses := section(page.body, "witnesses")
	for _, name := range []string{"العراق", "سوريا", "إيران"} {
		if !strings.Contains(witnesses, "<bdi>"+name+"</bdi></td><td dir=\"ltr\" translate=\"no\" class=\"key\">") {
			t.Errorf("no witness row for %s:\n%s", name, witnesses)
		}
	}
	if n := strings.Count(witnesses, "<td>نعم</td>"); n != 3 {
		t.Errorf("%d witnesses marked as cosigning, want 3:\n%s", n, witnesses)
	}
	if got := text(section(ar.get("/reports/"+rep.ID).body, "log-status")); !strings.Contains(got, "ووقّعه شهود") ||
		!strings.Contains(got, "العراق") || !strings.Contains(got, "إيران") {
		t.Errorf("after cosigning: %q", got)
	}
}

// TestRotationCalendar: the governance page lists the chair's terms, the
// current one marked, with Persian pages giving the Solar Hijri date.
func TestRotationCalendar(t *testing.T) {
	c := newTestCenter(t)
	fa := c.browser("fa")
	fa.login("sy-analyst")
	cal := section(fa.get("/governance").body, "calendar")
	if n := strings.Count(cal, "<tr"); n < 3 {
		t.Fatalf("%d rows in the calendar, want a heading and at least two terms:\n%s", n, cal)
	}
	current := cal[strings.Index(cal, `aria-current="true"`):]
	current = current[:strings.Index(current, "</tr>")]
	if !strings.Contains(current, "عراق") || !strings.Contains(current, "(۱۰ اسفند ۱۴۰۵)") {
		t.Errorf("the current term: %s", current)
	}
	if strings.Count(cal, `aria-current="true"`) != 1 {
		t.Errorf("not exactly one current term:\n%s", cal)
	}
}
