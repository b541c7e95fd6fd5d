package tlog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

// staleSize is a store whose log size reads, in order, the given sizes
// and then the real one: a log read while it grew, or one rolled back.
type staleSize struct {
	store.Reader
	sizes []int64
}

func (s *staleSize) LogSize(ctx context.Context) (int64, error) {
	if len(s.sizes) > 0 {
		n := s.sizes[0]
		s.sizes = s.sizes[1:]
		return n, nil
	}
	return s.Reader.LogSize(ctx)
}

// TestCheckOfALogThatGrewOrShrank: a checkpoint past the log size a check
// read is a problem only if the log still holds fewer entries than it
// (a rollback), not when the log grew while the check ran.
func TestCheckOfALogThatGrewOrShrank(t *testing.T) {
	f := newFixture(t, sqlite.Options{NoSync: true})
	f.submit("IQ", 3)
	size := f.integrate()
	cps, err := f.st.Checkpoints(f.ctx)
	if err != nil || len(cps) == 0 || cps[len(cps)-1].Size != size {
		t.Fatalf("checkpoints %v, %v; want one of the log's %d entries", cps, err, size)
	}
	for _, tt := range []struct {
		desc      string
		sizes     []int64
		problem   string
		later     int
		checkSize int64
	}{
		{"read whole", nil, "", 0, size},
		{"grew while read", []int64{size - 2}, "", 1, size - 2},
		{"rolled back", []int64{size - 2, size - 2}, fmt.Sprintf("signed for %d entries, but the log holds %d", size, size-2), 0, size - 2},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			rep, err := xtlog.Check(f.ctx, &staleSize{Reader: f.st, sizes: tt.sizes}, xtlog.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := problems(rep.Problems)
			if tt.problem == "" && got != "" || tt.problem != "" && !strings.Contains(got, tt.problem) {
				t.Errorf("problems:%s\nwant %q", got, tt.problem)
			}
			if rep.Later != tt.later || rep.Size != tt.checkSize {
				t.Errorf("Later = %d, Size = %d; want %d, %d", rep.Later, rep.Size, tt.later, tt.checkSize)
			}
		})
	}
}
