package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/schema"
)

// TestMigrationsFromEverySchema: a database left at any earlier schema
// version is brought up to date by Open, its rows kept — the witness
// registered before witness_keys existed (00005) among them.
func TestMigrationsFromEverySchema(t *testing.T) {
	ctx := context.Background()
	// The first schema, the last before 00005's data migration, the one
	// before the entity registry, the one before delivery claims, and the
	// one before the newest.
	for _, v := range []int64{1, 4, 7, 12, 13} {
		url := pgtest.NewDatabase(t)
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		db := stdlib.OpenDBFromPool(pool)
		p, err := goose.NewProvider(goose.DialectPostgres, db, schema.Postgres())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, v); err != nil {
			t.Fatalf("up to %d: %v", v, err)
		}
		if v >= 3 {
			if _, err := pool.Exec(ctx, `INSERT INTO witnesses (party, vkey, url) VALUES ('IQ', 'witness/IQ+1+AA', 'http://iq')`); err != nil {
				t.Fatal(err)
			}
		}
		if v >= 5 { // witness_keys exists: the write path keeps both
			if _, err := pool.Exec(ctx, `INSERT INTO witness_keys (party, vkey, since) VALUES ('IQ', 'witness/IQ+1+AA', 0)`); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		pool.Close()

		s, err := postgres.Open(ctx, url, postgres.Options{})
		if err != nil {
			t.Fatalf("open from version %d: %v", v, err)
		}
		if v >= 3 {
			keys, err := s.WitnessKeys(ctx)
			if err != nil || len(keys) != 1 || keys[0].VKey != "witness/IQ+1+AA" {
				t.Errorf("from version %d: witness keys %+v, %v", v, keys, err)
			}
		}
		if _, err := s.LogSize(ctx); err != nil {
			t.Errorf("from version %d: %v", v, err)
		}
		s.Close()
	}
}
