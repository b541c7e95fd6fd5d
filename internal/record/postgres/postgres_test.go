package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, postgres.Options{}) })
}

func open(t *testing.T, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
