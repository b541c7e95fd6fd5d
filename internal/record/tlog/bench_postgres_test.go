package tlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

// BenchmarkIntegratorPostgres is BenchmarkIntegrator on PostgreSQL: a
// throwaway server on this machine with fsync on, b.N pending events,
// sequenced in batches of 16 and 256.
//
//	go test -run '^$' -bench IntegratorPostgres -benchtime 20000x ./internal/record/tlog/
func BenchmarkIntegratorPostgres(b *testing.B) {
	srv, err := pgtest.Start(pgtest.Options{Durable: true})
	if err != nil {
		b.Skip(err)
	}
	defer srv.Stop()
	for _, batch := range []int{16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			ctx := context.Background()
			url, err := srv.CreateDatabase(ctx)
			if err != nil {
				b.Fatal(err)
			}
			st, err := postgres.Open(ctx, url, postgres.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
			for lo := 0; lo < b.N; lo += 5000 {
				if err := st.Update(ctx, func(tx store.Tx) error {
					for i := lo; i < min(lo+5000, b.N); i++ {
						if _, err := tx.AppendEvent(ctx, benchEvent(i, at)); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
			key, err := xtlog.EnsureKey(ctx, st, "tabadul.bench/log")
			if err != nil {
				b.Fatal(err)
			}
			in, err := xtlog.NewIntegrator(xtlog.IntegratorConfig{Store: st, Key: key, MaxBatch: batch})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			done := 0
			for done < b.N {
				n, err := in.Step(ctx)
				if err != nil {
					b.Fatal(err)
				}
				done += n
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
			if size, _ := st.LogSize(ctx); size != int64(b.N) {
				b.Fatalf("log size %d, want %d", size, b.N)
			}
		})
	}
}
