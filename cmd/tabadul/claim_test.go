package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestDeliveryWorkersOnEveryNodeAttemptEachOnce: three nodes on one
// PostgreSQL database each run serve's delivery worker (startDistribution,
// as serve wires it); reports recorded on every node owe deliveries to
// four parties' endpoints, whose answers take a few milliseconds. Every
// delivery is attempted exactly once — never by two nodes, never twice at
// once — and the work is shared between the nodes. (Without the claims
// this test reports hundreds of deliveries attempted twice.)
func TestDeliveryWorkersOnEveryNodeAttemptEachOnce(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	clock := center.SystemClock{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	const n = 3
	stores := make([]*postgres.Store, n)
	recs := make([]*record.Recorder, n)
	for i := range n {
		st, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i], recs[i] = st, record.NewRecorder(st, clock, center.DefaultLimits)
	}
	if err := recs[0].Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}

	// The receivers note every attempt by webhook-id, and any that comes
	// while the same id is still being answered.
	var mu sync.Mutex
	attempts := map[string]int{}
	inFlight := map[string]bool{}
	parties := []center.PartyCode{"IQ", "SY", "IR", "RU"}
	for i, p := range parties {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("webhook-id")
			mu.Lock()
			attempts[id]++
			if inFlight[id] {
				t.Errorf("delivery %s attempted while an attempt of it was in flight", id)
			}
			inFlight[id] = true
			mu.Unlock()
			io.Copy(io.Discard, r.Body)
			time.Sleep(time.Duration(1+rand.IntN(5)) * time.Millisecond)
			mu.Lock()
			delete(inFlight, id)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(srv.Close)
		rec := recs[i%n]
		e, _, err := rec.CreateEndpoint(ctx, testkit.Officer(p), srv.URL+"/hook", "", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.CreateSubscription(ctx, testkit.Officer(p), e.ID, store.Filter{}); err != nil {
			t.Fatal(err)
		}
	}

	flags := webhookFlags{allow: "127.0.0.1", horizon: time.Hour, perEndpoint: 16, timeout: 10 * time.Second, lease: time.Minute}
	for i := range n {
		d, err := startDistribution(ctx, stores[i], recs[i], clock, flags, log)
		if err != nil {
			t.Fatal(err)
		}
		defer d.stop()
	}
	const reports = 300
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for j := i; j < reports; j += n {
				d := center.Draft{Title: fmt.Sprint("owed ", j), Body: "b", Language: "en", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}}
				if _, err := recs[i].SubmitReport(ctx, testkit.Analyst(parties[j%len(parties)]), d); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	want := reports * len(parties)
	for deadline := time.Now().Add(time.Minute); ; {
		mu.Lock()
		got := len(attempts)
		mu.Unlock()
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries attempted after a minute", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a worker's poll: a second attempt would come now
	mu.Lock()
	for id, k := range attempts {
		if k != 1 {
			t.Errorf("delivery %s attempted %d times", id, k)
		}
	}
	mu.Unlock()

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT count(*) FROM deliveries GROUP BY claimed_by`)
	if err != nil {
		t.Fatal(err)
	}
	perNode, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deliveries per node: %v", perNode)
	// Each node's worker is woken by its own node's reports, and reads
	// the oldest due of all; on a starved machine one may find everything
	// taken, but never all but one.
	if len(perNode) < 2 {
		t.Errorf("deliveries claimed by %d claimant(s), want several of the %d nodes", len(perNode), n)
	}
}
