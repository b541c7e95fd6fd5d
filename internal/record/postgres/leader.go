package postgres

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/store"
)

var _ store.Elector = (*Store)(nil)

// The timing of leadership: a node that does not lead tries for the lock
// every LeadPoll; the leader checks its connection every LeadCheck and
// gives up leading when a check does not answer within LeadTimeout. When
// the leader dies its connection closes and the server frees the lock at
// once, so another node leads within LeadPoll; when it vanishes without
// closing (power, network) the server's keepalive (about 8 s, see
// keepalive) frees the lock, and the old leader, cut off, stops within
// LeadCheck+LeadTimeout.
const (
	LeadPoll    = time.Second
	LeadCheck   = time.Second
	LeadTimeout = 3 * time.Second
)

// LeaderLock is the advisory lock key of a named job. An operator finds
// the node leading the log's integrator with
//
//	SELECT pid, application_name, client_addr FROM pg_stat_activity
//	WHERE pid = (SELECT pid FROM pg_locks WHERE locktype = 'advisory'
//	  AND granted AND (classid::bigint << 32 | objid::bigint) = key)
//
// with key = LeaderLock(tlog.LeaderJob) as an unsigned 64-bit number.
func LeaderLock(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tabadul leader " + name))
	return int64(h.Sum64())
}

// Lead implements store.Elector with a session-level advisory lock held
// on a connection of its own, outside the pool: the lock lives exactly as
// long as that connection.
func (s *Store) Lead(ctx context.Context, name string) (<-chan struct{}, func(), error) {
	key := LeaderLock(name)
	var conn *pgx.Conn
	for {
		if conn == nil || conn.IsClosed() {
			c, err := pgx.ConnectConfig(ctx, s.cfg)
			if err != nil && ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			if err == nil {
				conn = c
			}
		}
		if conn != nil {
			var got bool
			err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got)
			if err == nil && got {
				break
			}
			if err != nil {
				conn.Close(context.Background())
				conn = nil
			}
		}
		select {
		case <-ctx.Done():
			if conn != nil {
				conn.Close(context.Background())
			}
			return nil, nil, ctx.Err()
		case <-time.After(LeadPoll):
		}
	}
	lost := make(chan struct{})
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		defer close(lost)
		t := time.NewTicker(LeadCheck)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			cctx, cancel := context.WithTimeout(context.Background(), LeadTimeout)
			err := conn.Ping(cctx)
			cancel()
			if err != nil {
				conn.Close(context.Background())
				return
			}
		}
	}()
	var once sync.Once
	release := func() {
		once.Do(func() {
			close(stop)
			<-watched
			if !conn.IsClosed() {
				cctx, cancel := context.WithTimeout(context.Background(), LeadTimeout)
				conn.Exec(cctx, `SELECT pg_advisory_unlock($1)`, key)
				cancel()
				conn.Close(context.Background())
			}
		})
	}
	return lost, release, nil
}
