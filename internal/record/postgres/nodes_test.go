package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/testkit"
)

// nodes opens n stores on one new database, all at once, as n nodes
// starting together do: the migrations run once.
func nodes(t *testing.T, n int) (string, []*postgres.Store) {
	t.Helper()
	url := pgtest.NewDatabase(t)
	out := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i], errs[i] = postgres.Open(context.Background(), url, postgres.Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { out[i].Close() })
	}
	return url, out
}

func TestFoundOnceAcrossNodes(t *testing.T) {
	_, ss := nodes(t, 4)
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	errs := make([]error, len(ss))
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() {
			errs[i] = record.NewRecorder(s, clock, center.DefaultLimits).Found(context.Background(), testkit.Charter())
		})
	}
	wg.Wait()
	founded := 0
	for i, err := range errs {
		switch {
		case err == nil:
			founded++
		case !errors.Is(err, record.ErrAlreadyFounded):
			t.Errorf("node %d: Found = %v, want nil or ErrAlreadyFounded", i, err)
		}
	}
	if founded != 1 {
		t.Fatalf("%d nodes founded the center, want 1", founded)
	}
	evs, err := ss[0].Events(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == center.CenterFounded {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d center.founded events, want 1", n)
	}
}

// TestNodesShareOneLog: reports written through three nodes at once, with
// each node's integrator competing for leadership and the leader's hold
// cut halfway, end up in one log, each once, in the order they were
// recorded, and the log checks out against the records.
func TestNodesShareOneLog(t *testing.T) {
	ctx := context.Background()
	url, ss := nodes(t, 3)
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	recs := make([]*record.Recorder, len(ss))
	for i, s := range ss {
		recs[i] = record.NewRecorder(s, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	}
	if err := recs[0].Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	key, err := tlog.EnsureKey(ctx, ss[0], "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	leading := map[int]int{}
	for i, s := range ss {
		in, err := tlog.NewIntegrator(tlog.IntegratorConfig{Store: s, Key: key, Elector: s, MaxDelay: 20 * time.Millisecond,
			OnLeadership: func(on bool) {
				mu.Lock()
				defer mu.Unlock()
				if on {
					leading[i]++
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		recs[i].OnEvents(in.Notify)
		in.Start(ctx)
		t.Cleanup(in.Stop)
	}
	const perNode = 60
	var wg sync.WaitGroup
	for i, r := range recs {
		wg.Go(func() {
			for j := range perNode {
				d := center.Draft{Title: fmt.Sprint(i, "-", j), Body: "تقرير", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
				if _, err := r.SubmitReport(ctx, testkit.Analyst("IQ"), d); err != nil {
					t.Error(err)
					return
				}
				if i == 0 && j == perNode/2 {
					// Cut the leader's hold, as if its node died.
					terminateLeader(t, url, tlog.LeaderJob)
				}
			}
		})
	}
	wg.Wait()
	// Another node takes over within 10 s and sequences what follows.
	leaders := func() int {
		mu.Lock()
		defer mu.Unlock()
		total := 0
		for _, n := range leading {
			total += n
		}
		return total
	}
	for deadline := time.Now().Add(10 * time.Second); leaders() < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no node took over the integrator within 10 s: %v", leading)
		}
	}
	for j := range 10 {
		d := center.Draft{Title: fmt.Sprint("after-", j), Body: "تقرير", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
		if _, err := recs[j%3].SubmitReport(ctx, testkit.Analyst("SY"), d); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		size, err := ss[1].LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := ss[1].Events(ctx, 0, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if size == int64(len(evs)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log holds %d of %d events 20 s after the writes", size, len(evs))
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep, err := tlog.Check(ctx, ss[2], tlog.CheckOptions{Audit: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Errorf("check: %s", p)
	}
	if n, _ := ss[0].CountReports(ctx); n != 3*perNode+10 {
		t.Errorf("%d reports, want %d", n, 3*perNode+10)
	}
}

// terminateLeader ends the server session that holds the integrator's
// lock, as the server does when the leader's node dies.
func terminateLeader(t *testing.T, url, job string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		err := c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = $1::bigint & x'ffffffffffffffff'::bigint`,
			postgres.LeaderLock(job)).Scan(&n)
		if err != nil {
			t.Error(err)
			return
		}
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Error("no node held the integrator's lock")
}

func TestLeadershipMovesWhenTheLeaderDies(t *testing.T) {
	ctx := context.Background()
	url, ss := nodes(t, 2)
	lost, release, err := ss[0].Lead(ctx, "job")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	got := make(chan time.Time, 1)
	go func() {
		_, r2, err := ss[1].Lead(ctx, "job")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- time.Now()
		r2()
	}()
	select {
	case <-got:
		t.Fatal("a second node led while the first held the lead")
	case <-time.After(2 * postgres.LeadPoll):
	}
	killed := time.Now()
	terminateLeader(t, url, "job")
	select {
	case at := <-got:
		if d := at.Sub(killed); d > 10*time.Second {
			t.Errorf("took over after %v, want within 10 s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no node took over within 10 s")
	}
	select {
	case <-lost:
	case <-time.After(postgres.LeadCheck + postgres.LeadTimeout + time.Second):
		t.Error("the old leader was not told it lost the lead")
	}
}

// TestSearchTokensPostgresBounds: tokens that tsvector syntax or limits
// would mangle — quotes, backslashes, colons, a token longer than a
// lexeme may be — are found as themselves.
func TestSearchTokensPostgresBounds(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Options{})
	defer s.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(s, clock, center.DefaultLimits)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	long := ""
	for range 300 {
		long += "abcdefghij"
	}
	tokens := []string{`it's`, `back\slash`, `a:b`, `x&y|z`, `!not`, long, "<->", "ok"}
	var seq int64
	err := s.Update(ctx, func(tx store.Tx) error {
		rep := center.Report{ID: center.NewReportID(), Version: clock.Now(), Created: clock.Now(), Source: "IQ", Author: "iq-analyst",
			Title: "t", Body: "b", Language: "en", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}, Audience: []center.PartyCode{"IQ"}}
		var err error
		if seq, err = tx.InsertVersion(ctx, rep); err != nil {
			return err
		}
		stems := make([]string, len(tokens))
		for i, tok := range tokens {
			stems[i] = "stem-" + tok
		}
		return tx.IndexVersion(ctx, seq, store.SearchDoc{Surface: tokens, Stems: stems})
	})
	if err != nil {
		t.Fatal(err)
	}
	word := func(tok string) store.Alternatives {
		return store.Alternatives{{Surface: []string{tok}, Stems: []string{"nomatch"}}}
	}
	for _, tok := range tokens {
		page, err := s.Search(ctx, "IQ", store.SearchQuery{Text: store.TextQuery{All: []store.Alternatives{word(tok)}}, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", tok, err)
		}
		if page.Total != 1 || len(page.Hits) != 1 || page.Hits[0].Report.Seq != seq {
			t.Errorf("%.20q: total %d, %d hits", tok, page.Total, len(page.Hits))
		}
	}
	// A phrase of stems in order matches; out of order, or of surface
	// forms, it does not.
	for _, c := range []struct {
		stems []string
		want  int
	}{
		{[]string{"stem-" + tokens[0], "stem-" + tokens[1]}, 1},
		{[]string{"stem-" + tokens[1], "stem-" + tokens[0]}, 0},
		{[]string{tokens[0], tokens[1]}, 0},
		{[]string{"stem-ok"}, 1},
	} {
		q := store.TextQuery{All: []store.Alternatives{{{Surface: c.stems, Stems: c.stems}}}}
		page, err := s.Search(ctx, "IQ", store.SearchQuery{Text: q, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != c.want {
			t.Errorf("phrase %q: total %d, want %d", c.stems, page.Total, c.want)
		}
	}
	// Another party sees nothing of it.
	page, err := s.Search(ctx, "SY", store.SearchQuery{Text: store.TextQuery{All: []store.Alternatives{word("ok")}}, Limit: 10})
	if err != nil || page.Total != 0 {
		t.Errorf("SY: total %d, %v", page.Total, err)
	}
}
