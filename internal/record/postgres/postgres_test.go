package postgres_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/tabadul/tabadul/internal/center"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, postgres.Options{}) })
}

// TestBatches: the statements sent in one round trip leave what the
// statements one at a time leave.
func TestBatches(t *testing.T) {
	storetest.RunBatches(t, func(t *testing.T) store.Store { return open(t, postgres.Options{}) })
}

func open(t *testing.T, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSwallowedFailureFailsItsUpdateAlone: an update that goes on after a
// failed statement (PostgreSQL then refuses everything until its
// savepoint is rolled back) fails by itself, changes nothing, and the
// updates committed with it stand.
func TestSwallowedFailureFailsItsUpdateAlone(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Options{})
	defer s.Close()
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx store.Tx) error {
				// Half start with a read, which goes out with the
				// savepoint's release, half with a write.
				if i%2 == 1 {
					if _, err := tx.Meta(ctx, "k0"); err != nil {
						return err
					}
				}
				if err := tx.SetMeta(ctx, fmt.Sprint("k", i), "v"); err != nil {
					return err
				}
				if i%5 == 0 {
					// A statement that fails, its error ignored.
					tx.InsertUser(ctx, center.User{Username: "u", Party: "nowhere", Role: center.Analyst})
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		v, merr := s.Meta(ctx, fmt.Sprint("k", i))
		if merr != nil {
			t.Fatal(merr)
		}
		if i%5 == 0 && (err == nil || v != "") {
			t.Errorf("update %d swallowed a failure: err %v, value %q", i, err, v)
		}
		if i%5 != 0 && (err != nil || v != "v") {
			t.Errorf("update %d: err %v, value %q; want committed", i, err, v)
		}
	}
}
