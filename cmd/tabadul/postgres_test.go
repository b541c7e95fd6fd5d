package main

// Tests of centers on PostgreSQL: several real nodes (serve processes) on
// one throwaway database, the log's integrator moving when its node is
// killed, and a SQLite center moved into PostgreSQL.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/distribute/webhook"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// nodeReports is how many reports the several-nodes test submits: 5,000
// (about a minute on two busy cores); under the race detector, which
// slows the test's own clients (streams, receivers) several times and
// looks for races, not for scale, 600 unless the flag says otherwise.
var nodeReports = flag.Int("nodes.reports", 0, "reports submitted across the nodes in TestNodesOnPostgresSurviveTheIntegratorsDeath (0: 5,000, or 600 under -race)")

func nodeReportCount() int {
	switch {
	case *nodeReports > 0:
		return *nodeReports
	case raceDetector:
		return 600
	}
	return 5000
}

// startNodes starts n serve processes on one database at the same moment,
// each with a data directory of its own.
func startNodes(t *testing.T, db string, n int, args ...string) []*server {
	t.Helper()
	nodes := make([]*server, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			nodes[i] = startServerArgs(t, append([]string{"--data", filepath.Join(t.TempDir(), "data"), "--db", db}, args...)...)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return nodes
}

// submitTo posts a GREEN report for every member to a node and returns
// its id, or "" if the node did not accept it.
func submitTo(ctx context.Context, url, token, title string) (string, error) {
	return submitReport(ctx, url, token, title, "GREEN", map[string]any{"all": true})
}

// submitReport posts a report to a node and returns its id, or "" if the
// node did not accept it.
func submitReport(ctx context.Context, url, token, title, tlp string, dist map[string]any) (string, error) {
	body, _ := json.Marshal(map[string]any{"title": title, "body": "تقرير " + title, "language": "ar",
		"tlp": tlp, "distribution": dist})
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
// once on an empty database (one of them creates the demo center, once),
// each running a delivery worker; four parties' receiving systems
// subscribe, and their analysts follow their live streams on every node.
// Reports are submitted across the nodes while the node running the log's
// integrator is killed with SIGKILL. Another node takes the log over, and
// in the end:
//   - every accepted report is in the log exactly once, every event is
//     sequenced, and the checkpoint from before the kill is kept and the
//     log is consistent with it (verify --audit);
//   - every receiver got every accepted report its party may see and its
//     subscription selects, once per webhook-id, and nothing else;
//   - every surviving node's stream, and a stream that hops between the
//     nodes with Last-Event-ID (across the kill too), delivered every
//     event of its party's inbox, once, in order.
func TestNodesOnPostgresSurviveTheIntegratorsDeath(t *testing.T) {
	db := pgtest.NewDatabase(t)
	ctx := t.Context()
	// A short lease, so that what the killed node had claimed goes out
	// from another node soon after.
	nodes := startNodes(t, db, 3, "--webhook-allow=127.0.0.1", "--webhook-lease=5s", "--webhook-timeout=4s")
	founders := 0
	for _, n := range nodes {
		if strings.Contains(n.banner, "iq-analyst") {
			founders++
		}
	}
	if founders != 1 {
		t.Fatalf("%d nodes created the demo center, want 1", founders)
	}
	parties := []string{"IQ", "SY", "IR", "RU"}
	tokens := map[string]string{}
	for _, p := range parties {
		for _, role := range []string{"analyst", "officer"} {
			user := strings.ToLower(p) + "-" + role
			r := tabadul(t, "", "token", "create", "--db", db, "--user", user)
			if r.code != 0 {
				t.Fatalf("token create %s: %+v", user, r)
			}
			tokens[user] = strings.TrimSpace(r.stdout)
		}
	}

	// Each party's receiving system subscribes to everything; IQ has a
	// second one for GREEN reports only. Endpoints are made on different
	// nodes: every node serves the same center.
	type hook struct {
		party string
		green bool
		recv  *partyReceiver
	}
	hooks := []*hook{{party: "IQ"}, {party: "IQ", green: true}, {party: "SY"}, {party: "IR"}, {party: "RU"}}
	for i, h := range hooks {
		h.recv = newPartyReceiver(t)
		n, officer := nodes[i%len(nodes)], tokens[strings.ToLower(h.party)+"-officer"]
		code, body, err := post(t, n.url+"/api/v1/endpoints", officer, map[string]any{"url": h.recv.srv.URL + "/hook"})
		if err != nil || code != http.StatusCreated {
			t.Fatalf("create endpoint: %d %s %v", code, body, err)
		}
		var ep struct{ ID, Secret string }
		json.Unmarshal(body, &ep)
		key, err := webhook.ParseSecret(ep.Secret)
		if err != nil {
			t.Fatal(err)
		}
		h.recv.key.Store(&key)
		filter := map[string]any{}
		if h.green {
			filter["tlp"] = []string{"GREEN"}
		}
		code, body, err = post(t, n.url+"/api/v1/subscriptions", officer, map[string]any{"endpoint_id": ep.ID, "filter": filter})
		if err != nil || code != http.StatusCreated {
			t.Fatalf("create subscription: %d %s %v", code, body, err)
		}
	}

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
	var dead atomic.Bool
	alive := func(i int) bool { return i != leader || !dead.Load() }

	// Two parties' analysts follow their streams: one client stays on each
	// node, and one starts on the integrator's node and moves to the next
	// node every few hundred events, resuming with Last-Event-ID.
	sctx, endStreams := context.WithCancel(ctx)
	defer endStreams()
	var streams []*streamClient
	var swg sync.WaitGroup
	for _, p := range []string{"SY", "RU"} {
		for i := range nodes {
			streams = append(streams, &streamClient{party: p, token: tokens[strings.ToLower(p)+"-analyst"], start: i})
		}
		streams = append(streams, &streamClient{party: p, token: tokens[strings.ToLower(p)+"-analyst"], start: leader, hop: 300})
	}
	for _, c := range streams {
		swg.Go(func() { c.run(sctx, nodes, alive) })
	}

	reports, workers := nodeReportCount(), 6
	var (
		mu       sync.Mutex
		accepted []string
		owed     = map[*hook][]string{}
		notOwed  = map[string]map[string]bool{}
		next     atomic.Int64
		killOnce sync.Once
		before   struct {
			size int64
			note []byte
		}
	)
	for _, p := range parties {
		notOwed[p] = map[string]bool{}
	}
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
				i := int(next.Add(1) - 1)
				if i >= reports {
					return
				}
				if i == reports/3 {
					killOnce.Do(kill)
				}
				// Two reports in three go to every member, GREEN; the
				// third, AMBER, from its source to one other party.
				src := parties[i%len(parties)]
				tlp, dist, to := "GREEN", map[string]any{"all": true}, parties
				if i%3 == 0 {
					other := parties[(i+1+w)%len(parties)]
					if other == src {
						other = parties[(i+2)%len(parties)]
					}
					tlp, dist, to = "AMBER", map[string]any{"parties": []string{other}}, []string{src, other}
				}
				// Spread over the nodes; a node that is gone is skipped,
				// and a report it did not accept goes to another.
				for try := 0; ; try++ {
					n := (i + try + w) % len(nodes)
					if !alive(n) {
						continue
					}
					id, err := submitReport(ctx, nodes[n].url, tokens[strings.ToLower(src)+"-analyst"], fmt.Sprint("r", i), tlp, dist)
					if err == nil {
						mu.Lock()
						accepted = append(accepted, id)
						for _, h := range hooks {
							switch {
							case !slices.Contains(to, h.party):
								notOwed[h.party][id] = true
							case !h.green || tlp == "GREEN":
								owed[h] = append(owed[h], id)
							}
						}
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
	submitted := time.Now()

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
	// Receipts of deliveries keep arriving as events while this runs:
	// only those already in the log are counted.
	var events, distinct, size int64
	if err := conn.QueryRow(ctx, `SELECT count(log_index), count(DISTINCT log_index), coalesce(max(log_index) + 1, 0) FROM events`).Scan(&events, &distinct, &size); err != nil {
		t.Fatal(err)
	}
	if events != distinct || events != size {
		t.Errorf("%d events at %d distinct log indexes, log size %d", events, distinct, size)
	}

	// The checkpoint from before the kill is kept as it was; the new
	// integrator signed checkpoints on from it up to the whole log, and
	// the log is consistent with every one: verify checks every
	// checkpoint against the tree, and the records against the log.
	var note []byte
	if err := conn.QueryRow(ctx, `SELECT note FROM checkpoints WHERE size = $1`, before.size).Scan(&note); err != nil || !bytes.Equal(note, before.note) {
		t.Errorf("the checkpoint of size %d before the kill changed or went: %v", before.size, err)
	}
	var latest int64
	if err := conn.QueryRow(ctx, `SELECT max(size) FROM checkpoints`).Scan(&latest); err != nil || latest < size || latest <= before.size {
		t.Errorf("the latest checkpoint's size is %d (%v); want the log's %d, past %d before the kill", latest, err, size, before.size)
	}
	if r := tabadul(t, "", "verify", "--audit", "--db", db); r.code != 0 {
		t.Errorf("verify --audit after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Every delivery arrives, from whichever node claimed it (what the
	// killed node had claimed, once its lease ran out).
	for deadline := time.Now().Add(2 * time.Minute); ; {
		missing := 0
		for _, h := range hooks {
			missing += h.recv.has(owed[h])
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries of accepted reports missing 2 min after the last report", missing)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("every delivery arrived %v after the last report", time.Since(submitted).Round(time.Millisecond))
	// Every node's worker sent some: the last claim of each delivery
	// names the node that sent it.
	rows, err = conn.Query(ctx, `SELECT count(*) FROM deliveries GROUP BY claimed_by ORDER BY claimed_by`)
	if err != nil {
		t.Fatal(err)
	}
	perNode, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deliveries by the node that claimed them last: %v", perNode)
	if len(perNode) != len(nodes) {
		t.Errorf("deliveries were claimed by %d claimants, want one per node (%d)", len(perNode), len(nodes))
	}
	acceptedSet := map[string]bool{}
	for _, id := range accepted {
		acceptedSet[id] = true
	}
	for _, h := range hooks {
		rc := h.recv
		rc.mu.Lock()
		got, ids, sends := len(rc.reports), len(rc.ids), rc.sends
		var extra []string
		for id := range rc.reports {
			switch {
			case notOwed[h.party][id]:
				t.Errorf("%s's endpoint got report %s, which was not shared with it", h.party, id)
			case !acceptedSet[id]:
				// Recorded, but its node died before answering: the
				// client sent it again elsewhere. It must still be one the
				// party may see.
				extra = append(extra, id)
			}
		}
		rc.mu.Unlock()
		for _, id := range extra {
			if code, _ := get(t, nodes[(leader+1)%len(nodes)].url+"/api/v1/reports/"+id, tokens[strings.ToLower(h.party)+"-analyst"]); code != http.StatusOK {
				t.Errorf("%s's endpoint got report %s, which %s may not read (%d)", h.party, id, h.party, code)
			}
		}
		if got != len(owed[h])+len(extra) || ids != got {
			t.Errorf("%s's endpoint (GREEN only: %v): %d reports under %d webhook-ids, want %d owed (+%d recorded unanswered), one id each",
				h.party, h.green, got, ids, len(owed[h]), len(extra))
		}
		if rc.refused.Load() != 0 {
			t.Errorf("%s's receiver refused %d webhooks", h.party, rc.refused.Load())
		}
		t.Logf("%s (GREEN only: %v): %d reports owed, %d webhook-ids, %d requests", h.party, h.green, len(owed[h]), ids, sends)
	}

	// Every stream on a surviving node, and every hopping one, delivered
	// its party's whole inbox, in order, once.
	inbox := map[string][]int64{}
	for _, p := range []string{"SY", "RU"} {
		rows, err := conn.Query(ctx, `SELECT seq FROM inbox WHERE party = $1 ORDER BY seq`, p)
		if err != nil {
			t.Fatal(err)
		}
		if inbox[p], err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			t.Fatal(err)
		}
	}
	checked := func(c *streamClient) bool { return c.hop > 0 || c.start != leader }
	for deadline := time.Now().Add(30 * time.Second); ; {
		behind := 0
		for _, c := range streams {
			if want := inbox[c.party]; checked(c) && c.last() < want[len(want)-1] {
				behind++
			}
		}
		if behind == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("%d streams behind their inbox 30 s after the deliveries", behind)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	endStreams()
	swg.Wait()
	for _, c := range streams {
		c.mu.Lock()
		if checked(c) && !slices.Equal(c.ids, inbox[c.party]) {
			t.Errorf("%s's stream (from node %d, hop %d): %d events, want the inbox's %d; errors: %v",
				c.party, c.start, c.hop, len(c.ids), len(inbox[c.party]), c.errs)
		}
		for _, id := range c.reports {
			if notOwed[c.party][id] {
				t.Errorf("%s's stream carried report %s, which was not shared with it", c.party, id)
			}
		}
		if c.hop > 0 {
			t.Logf("%s's hopping stream: %d events over %d connections", c.party, len(c.ids), c.conns)
			if c.conns < 3 {
				t.Errorf("%s's hopping stream made %d connections; it should have moved between nodes", c.party, c.conns)
			}
		}
		c.mu.Unlock()
	}

	for i, n := range nodes {
		if i != leader {
			if code := n.stop(t); code != 0 {
				t.Errorf("node %d exited %d; stderr:\n%s", i, code, n.stderr)
			}
		}
	}
}

// streamClient follows a party's live stream (GET /api/v1/stream) from
// the first event on, as a client behind a load balancer would: it
// resumes with Last-Event-ID on another node when its node goes away,
// and, with hop > 0, moves to the next node after hop events anyway.
// Without hop it stays with its start node and stops when that node dies.
type streamClient struct {
	party, token string
	start, hop   int

	mu      sync.Mutex
	ids     []int64  // event ids, in the order received
	reports []string // the reports they carried
	conns   int
	errs    []string
}

func (c *streamClient) last() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ids) == 0 {
		return 0
	}
	return c.ids[len(c.ids)-1]
}

func (c *streamClient) run(ctx context.Context, nodes []*server, alive func(int) bool) {
	cur := c.start
	for ctx.Err() == nil {
		if !alive(cur) {
			if c.hop == 0 {
				return
			}
			cur = (cur + 1) % len(nodes)
			continue
		}
		err := c.follow(ctx, nodes[cur].url)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.mu.Lock()
			if alive(cur) {
				c.errs = append(c.errs, err.Error())
			}
			c.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
		if c.hop > 0 {
			cur = (cur + 1) % len(nodes)
		}
	}
}

// follow reads one connection's events until it ends, or hop of them.
func (c *streamClient) follow(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v1/stream", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Last-Event-ID", strconv.FormatInt(c.last(), 10))
	resp, err := streamHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("stream: %s", resp.Status)
	}
	c.mu.Lock()
	c.conns++
	c.mu.Unlock()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var id int64
	var data string
	n := 0
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id, err = strconv.ParseInt(line[4:], 10, 64)
			if err != nil {
				return fmt.Errorf("stream: id %q", line)
			}
		case strings.HasPrefix(line, "data: "):
			data = line[6:]
		case line == "" && id != 0:
			var p struct {
				Data struct{ ID string }
			}
			if err := json.Unmarshal([]byte(data), &p); err != nil {
				return fmt.Errorf("stream: event %d: %v", id, err)
			}
			c.mu.Lock()
			if len(c.ids) > 0 && id <= c.ids[len(c.ids)-1] {
				c.errs = append(c.errs, fmt.Sprintf("event %d after %d", id, c.ids[len(c.ids)-1]))
			}
			c.ids = append(c.ids, id)
			c.reports = append(c.reports, p.Data.ID)
			c.mu.Unlock()
			id, data = 0, ""
			if n++; c.hop > 0 && n >= c.hop {
				return nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// streamHTTP has no timeout: a stream is a request that does not end.
var streamHTTP = &http.Client{}

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
