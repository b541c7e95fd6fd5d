package main

// Tests of centers on PostgreSQL: several real nodes (serve processes) on
// one throwaway database, the log's integrator moving when its node is
// killed, and a SQLite center moved into PostgreSQL.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// nodeReports is how many reports the several-nodes test submits: a few
// hundred in the test run; the 5,000 with
// go test ./cmd/tabadul -run NodesOnPostgres -args -nodes.reports=5000
var nodeReports = flag.Int("nodes.reports", 600, "reports submitted across the nodes in TestNodesOnPostgresSurviveTheIntegratorsDeath")

// startNodes starts n serve processes on one database at the same moment,
// each with a data directory of its own.
func startNodes(t *testing.T, db string, n int) []*server {
	t.Helper()
	nodes := make([]*server, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			nodes[i] = startServerArgs(t, "--data", filepath.Join(t.TempDir(), "data"), "--db", db)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return nodes
}

// submitTo posts a report to a node and returns its id, or "" if the node
// did not accept it.
func submitTo(ctx context.Context, url, token, title string) (string, error) {
	body, _ := json.Marshal(map[string]any{"title": title, "body": "تقرير " + title, "language": "ar",
		"tlp": "GREEN", "distribution": map[string]any{"all": true}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/v1/reports", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("submit: %d %s", resp.StatusCode, b)
	}
	var r struct{ ID string }
	if err := json.Unmarshal(b, &r); err != nil || r.ID == "" {
		return "", fmt.Errorf("submit: %s: %v", b, err)
	}
	return r.ID, nil
}

// leaderPID returns the process id of the node that runs the log's
// integrator, from the session holding its advisory lock.
func leaderPID(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var app string
		err := conn.QueryRow(context.Background(), `
			SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
			  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			  AND (l.classid::bigint << 32 | l.objid::bigint) = $1`, postgres.LeaderLock(tlog.LeaderJob)).Scan(&app)
		if err == nil {
			pid, err := strconv.Atoi(strings.TrimPrefix(app, "tabadul/"))
			if err != nil {
				t.Fatalf("the leader's session is named %q", app)
			}
			return pid
		}
		if err != pgx.ErrNoRows {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no node leads the log's integrator")
	return 0
}

// TestNodesOnPostgresSurviveTheIntegratorsDeath: three nodes start at
// once on an empty database (one of them creates the demo center, once);
// reports are submitted across them while the node running the log's
// integrator is killed with SIGKILL. Another node takes the log over, and
// in the end every accepted report is in the log exactly once, every
// event is sequenced, and the log, its checkpoints (the one from before
// the kill included) and the records check out.
func TestNodesOnPostgresSurviveTheIntegratorsDeath(t *testing.T) {
	db := pgtest.NewDatabase(t)
	ctx := t.Context()
	nodes := startNodes(t, db, 3)
	founders := 0
	for _, n := range nodes {
		if strings.Contains(n.banner, "iq-analyst") {
			founders++
		}
	}
	if founders != 1 {
		t.Fatalf("%d nodes created the demo center, want 1", founders)
	}
	r := tabadul(t, "", "token", "create", "--db", db, "--user", "iq-analyst")
	if r.code != 0 {
		t.Fatalf("token create: %+v", r)
	}
	token := strings.TrimSpace(r.stdout)

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pid := leaderPID(t, conn)
	leader := -1
	for i, n := range nodes {
		if n.cmd.Process.Pid == pid {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatalf("the leader's pid %d is none of the nodes'", pid)
	}

	reports, workers := *nodeReports, 6
	var (
		mu       sync.Mutex
		accepted []string
		next     atomic.Int64
		dead     atomic.Bool
		killOnce sync.Once
		before   struct {
			size int64
			note []byte
		}
	)
	kill := func() {
		// The checkpoint of the moment, to hold the log to after the kill.
		if err := conn.QueryRow(ctx, `SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&before.size, &before.note); err != nil {
			t.Errorf("checkpoint before the kill: %v", err)
		}
		nodes[leader].cmd.Process.Signal(syscall.SIGKILL)
		dead.Store(true)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(reports) {
					return
				}
				if i == int64(reports/3) {
					killOnce.Do(kill)
				}
				// Spread over the nodes; a node that is gone is skipped,
				// and a report it did not accept goes to another.
				for try := 0; ; try++ {
					n := nodes[(int(i)+try+w)%len(nodes)]
					if dead.Load() && n == nodes[leader] {
						continue
					}
					id, err := submitTo(ctx, n.url, token, fmt.Sprint("r", i))
					if err == nil {
						mu.Lock()
						accepted = append(accepted, id)
						mu.Unlock()
						break
					}
					if try > 5 {
						t.Errorf("report %d: %v", i, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Another node sequences everything within the takeover time.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM events WHERE log_index IS NULL`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending 30 s after the last report", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if newLeader := leaderPID(t, conn); newLeader == pid {
		t.Fatalf("the killed node %d still leads", pid)
	}

	// Every accepted report is in the log exactly once; the log has no
	// gap and no index twice.
	rows, err := conn.Query(ctx, `SELECT subject, count(*) FROM events WHERE type = 'report.submitted' GROUP BY subject`)
	if err != nil {
		t.Fatal(err)
	}
	inLog, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct {
		id string
		n  int
	}, error) {
		var v struct {
			id string
			n  int
		}
		err := r.Scan(&v.id, &v.n)
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, v := range inLog {
		count[v.id] = v.n
	}
	for _, id := range accepted {
		if count[id] != 1 {
			t.Errorf("accepted report %s is in the log %d times", id, count[id])
		}
	}
	if len(accepted) != reports {
		t.Errorf("%d reports accepted, want %d", len(accepted), reports)
	}
	var events, distinct, size int64
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT log_index), coalesce(max(log_index) + 1, 0) FROM events`).Scan(&events, &distinct, &size); err != nil {
		t.Fatal(err)
	}
	if events != distinct || events != size {
		t.Errorf("%d events at %d distinct log indexes, log size %d", events, distinct, size)
	}

	// The checkpoint from before the kill is kept as it was, and the log
	// is consistent with it: verify checks every checkpoint against the
	// tree, and the records against the log.
	var note []byte
	if err := conn.QueryRow(ctx, `SELECT note FROM checkpoints WHERE size = $1`, before.size).Scan(&note); err != nil || !bytes.Equal(note, before.note) {
		t.Errorf("the checkpoint of size %d before the kill changed or went: %v", before.size, err)
	}
	if r := tabadul(t, "", "verify", "--audit", "--db", db); r.code != 0 {
		t.Errorf("verify --audit after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for i, n := range nodes {
		if i != leader {
			if code := n.stop(t); code != 0 {
				t.Errorf("node %d exited %d; stderr:\n%s", i, code, n.stderr)
			}
		}
	}
}

// TestMigrateMovesACenterToPostgres: a demo center on SQLite with a few
// reports is copied into PostgreSQL; the copy's log has the same root and
// passes verify --audit, it serves the same reports, and a second copy
// into the now full database is refused.
func TestMigrateMovesACenterToPostgres(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ls := startLogSession(t, data, "iq-analyst")
	for i := range 5 {
		ls.submit(t, fmt.Sprint("before the move ", i))
	}
	code, reports := get(t, ls.s.url+"/api/v1/reports", ls.token)
	if code != http.StatusOK {
		t.Fatalf("reports: %d", code)
	}
	if code := ls.s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	sqliteCheck := tabadul(t, "", "verify", "--audit", "--data", data)
	if sqliteCheck.code != 0 {
		t.Fatalf("verify on SQLite: %+v", sqliteCheck)
	}

	db := pgtest.NewDatabase(t)
	r := tabadul(t, "", "migrate", "--from", data, "--to", db)
	if r.code != 0 || !strings.Contains(r.stdout, "The log is unchanged") {
		t.Fatalf("migrate: %+v", r)
	}
	pgCheck := tabadul(t, "", "verify", "--audit", "--db", db)
	if pgCheck.code != 0 {
		t.Fatalf("verify --audit on PostgreSQL: %+v", pgCheck)
	}
	// The same entries and checkpoints, by verify's count of them.
	counts := func(out string) string {
		_, after, _ := strings.Cut(out, ": ")
		return after
	}
	if counts(sqliteCheck.stdout) != counts(pgCheck.stdout) {
		t.Errorf("verify on SQLite said %q, on PostgreSQL %q", sqliteCheck.stdout, pgCheck.stdout)
	}
	// The moved center serves what it served, searchable, with the old token.
	s := startServerArgs(t, "--data", data, "--db", db)
	code, moved := get(t, s.url+"/api/v1/reports", ls.token)
	if code != http.StatusOK || fmt.Sprint(reportTitles(moved)) != fmt.Sprint(reportTitles(reports)) {
		t.Errorf("after the move: %d %v, want %v", code, reportTitles(moved), reportTitles(reports))
	}
	code, found := get(t, s.url+"/api/v1/search?q=move", ls.token)
	if code != http.StatusOK || len(reportTitles(found)) != 5 {
		t.Errorf("search after the move: %d, %d reports, want 5", code, len(reportTitles(found)))
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("serve on PostgreSQL exited %d; stderr:\n%s", code, s.stderr)
	}
	if r := tabadul(t, "", "user", "list", "--db", db); r.code != 0 || !strings.Contains(r.stdout, "ru-officer") {
		t.Errorf("user list on the moved center: %+v", r)
	}
	if r := tabadul(t, "", "migrate", "--from", data, "--to", db); r.code != 1 || !strings.Contains(r.stderr, "not empty") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("migrate into a full database: %+v", r)
	}
}

func TestDBFlagErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	for _, tt := range []struct {
		desc string
		args []string
		code int
		want string
	}{
		{"not a database URL", []string{"user", "list", "--db", "mysql://u:secret@host/db"}, 2, "--db"},
		{"a malformed URL", []string{"user", "list", "--db", "postgres://u:secret@host:port/db"}, 1, "invalid database URL"},
		{"migrate to no URL", []string{"migrate", "--from", empty, "--to", "file.db"}, 2, "--to"},
		{"migrate from no center", []string{"migrate", "--from", empty, "--to", "postgres://u:secret@127.0.0.1:1/db"}, 1, "no center in"},
		{"no server", []string{"token", "list", "--user", "a", "--db", "postgres://u:secret@127.0.0.1:1/db?connect_timeout=5"}, 1, "postgres"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			r := tabadul(t, "", tt.args...)
			if r.code != tt.code || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %q", r.code, r.stderr, tt.code, tt.want)
			}
			if strings.Contains(r.stderr, "secret") {
				t.Errorf("the password is in the message: %q", r.stderr)
			}
		})
	}
}

// TestInitOnPostgres: a center founded from a charter into PostgreSQL is
// managed with --db like one in a data directory.
func TestInitOnPostgres(t *testing.T) {
	db := pgtest.NewDatabase(t)
	data := filepath.Join(t.TempDir(), "data")
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data, "--db", db); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data, "--db", db); r.code != 1 || !strings.Contains(r.stderr, "already holds a center") {
		t.Fatalf("second init: %+v", r)
	}
	t.Setenv("TABADUL_DB", db)
	for _, args := range [][]string{
		{"user", "create", "--username", "jo-analyst", "--party", "JO", "--role", "analyst"},
		{"token", "create", "--user", "jo-analyst"},
		{"governance"},
		{"verify", "--audit"},
	} {
		if r := tabadul(t, "", args...); r.code != 0 {
			t.Errorf("%v with TABADUL_DB: %+v", args, r)
		}
	}
}
