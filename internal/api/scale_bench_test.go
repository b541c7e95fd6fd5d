package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// BenchmarkSubmitBackends measures report submission as BenchmarkSubmit
// does (32 clients, real HTTP on loopback, search index on, every commit
// durable) on SQLite, on PostgreSQL with one node, and on PostgreSQL with
// two nodes sharing the database, the clients spread over them. The nodes
// run in this process (each its own store, recorder and HTTP server), and
// the PostgreSQL server on the same machine, with fsync on.
//
//	go test -run '^$' -bench BenchmarkSubmitBackends -benchtime 10000x ./internal/api/
func BenchmarkSubmitBackends(b *testing.B) {
	var srv *pgtest.Server
	pg := func(b *testing.B) {
		if srv == nil {
			var err error
			if srv, err = pgtest.Start(pgtest.Options{Durable: true}); err != nil {
				b.Skip(err)
			}
		}
	}
	defer func() {
		if srv != nil {
			srv.Stop()
		}
	}()
	b.Run("sqlite", benchmarkSubmitHTTP)
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("postgres-%d-node", n), func(b *testing.B) {
			pg(b)
			url, err := srv.CreateDatabase(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			var nodes []store.Store
			for range n {
				st, err := postgres.Open(context.Background(), url, postgres.Options{})
				if err != nil {
					b.Fatal(err)
				}
				nodes = append(nodes, st)
			}
			benchmarkSubmitNodes(b, nodes)
		})
	}
}

// benchmarkSubmitNodes serves each store through its own recorder and HTTP
// server and submits b.N reports over them, round robin; it closes the
// stores.
func benchmarkSubmitNodes(b *testing.B, nodes []store.Store) {
	ctx := context.Background()
	defer func() {
		for _, st := range nodes {
			st.Close()
		}
	}()
	clock := center.SystemClock{}
	var urls []string
	var tok string
	for i, st := range nodes {
		rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
		if i == 0 {
			if err := rec.Found(ctx, testkit.Charter()); err != nil {
				b.Fatal(err)
			}
			if _, err := rec.CreateUser(ctx, center.User{Username: "iq-analyst", Party: "IQ", Role: center.Analyst}, "", testcenter.CheapHashing); err != nil {
				b.Fatal(err)
			}
			var err error
			if tok, _, err = rec.IssueToken(ctx, "iq-analyst", "bench", 0); err != nil {
				b.Fatal(err)
			}
		}
		srv, err := New(Config{Store: st, Recorder: rec, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler())
		defer hs.Close()
		urls = append(urls, hs.URL)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}}
	bodies := make([][]byte, 64)
	for i := range bodies {
		bodies[i] = benchBody(i)
	}
	latencies := make([][]time.Duration, benchClients)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Go(func() {
			url := urls[c%len(urls)] + reportsPath
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				took, err := benchPost(client, url, tok, bodies[i%int64(len(bodies))])
				if err != nil {
					b.Error(err)
					return
				}
				latencies[c] = append(latencies[c], took)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	reportRates(b, elapsed, slices.Concat(latencies...))
	if n, _ := nodes[0].CountReports(ctx); n != int64(b.N) {
		b.Fatalf("%d reports stored, want %d", n, b.N)
	}
}
