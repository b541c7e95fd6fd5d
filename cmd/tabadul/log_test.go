package main

// Tests of the transparency log as the parties and the operator meet it:
// the real binary serving a demo center with its in-process witnesses,
// `tabadul verify` in its three modes, and the database file changed behind
// the center's back.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite"

	"github.com/tabadul/tabadul/internal/testkit"
)

// logSession is a running demo center and a party's token for it.
type logSession struct {
	s     *server
	data  string
	token string
}

func startLogSession(t *testing.T, data, user string) *logSession {
	t.Helper()
	s := startServer(t, data)
	r := tabadul(t, "", "token", "create", "--data", data, "--user", user)
	if r.code != 0 {
		t.Fatalf("token create: %+v", r)
	}
	return &logSession{s: s, data: data, token: strings.TrimSpace(r.stdout)}
}

// do sends a request with the session's token and returns the status and body.
func (ls *logSession) do(t *testing.T, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, ls.s.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ls.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// submit shares a report with every member and returns its id.
func (ls *logSession) submit(t *testing.T, title string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"title": title, "body": "text of " + title, "language": "en",
		"tlp": "GREEN", "distribution": map[string]any{"all": true}})
	code, b := ls.do(t, http.MethodPost, "/api/v1/reports", body)
	if code != http.StatusCreated {
		t.Fatalf("submit: %d %s", code, b)
	}
	var r struct{ ID string }
	json.Unmarshal(b, &r)
	return r.ID
}

// published waits until /log/checkpoint shows at least size entries and
// returns it.
func (ls *logSession) published(t *testing.T, size int64) torchwood.Checkpoint {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, b := ls.do(t, http.MethodGet, "/log/checkpoint", nil)
		if code == http.StatusOK {
			text, _, _ := strings.Cut(string(b), "\n\n")
			c, err := torchwood.ParseCheckpoint(text + "\n")
			if err != nil {
				t.Fatalf("checkpoint %q: %v", b, err)
			}
			if c.N >= size {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of %d entries published within 30s (last: %d %s); stderr:\n%s", size, code, b, ls.s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logSize reads the size of the log in the center's database, events
// pending included: what the next published checkpoint will cover.
func (ls *logSession) events(t *testing.T) int64 {
	t.Helper()
	db := openDB(t, ls.data)
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func openDB(t *testing.T, data string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(data, dbFile)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// policy writes the center's policy file, as a party would keep it.
func policyFile(t *testing.T, data string) string {
	t.Helper()
	r := tabadul(t, "", "witness", "policy", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "quorum parties") {
		t.Fatalf("witness policy: %+v", r)
	}
	path := filepath.Join(t.TempDir(), "policy.txt")
	if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// verifyLive runs `tabadul verify --url` as the session's party.
func (ls *logSession) verifyLive(t *testing.T, policy, state string, extra ...string) result {
	t.Helper()
	return tabaduleEnv(t, []string{"TABADUL_TOKEN=" + ls.token},
		append([]string{"verify", "--url", ls.s.url, "--policy", policy, "--state", state}, extra...)...)
}

// tabaduleEnv runs the binary with extra environment variables.
func tabaduleEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("tabadul %v: %v", args, err)
		}
		code = exitErr.ExitCode()
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

func TestLogProofsAndLiveVerify(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	ls := startLogSession(t, data, "sy-analyst")
	id := ls.submit(t, "convoy")
	ls.published(t, ls.events(t))
	policy := policyFile(t, data)
	state := filepath.Join(t.TempDir(), "state")

	// The log is for parties only.
	resp, err := client.Get(ls.s.url + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /log/checkpoint without a token = %d, want 401", resp.StatusCode)
	}

	if r := ls.verifyLive(t, policy, state, "--audit"); r.code != 0 || !strings.Contains(r.stdout, "cosigned by") {
		t.Fatalf("verify --url --audit: %+v", r)
	}
	// A second run checks consistency with the first.
	ls.submit(t, "second")
	ls.published(t, ls.events(t))
	if r := ls.verifyLive(t, policy, state); r.code != 0 || !strings.Contains(r.stdout, "consistent with the checkpoint seen before") {
		t.Fatalf("second verify --url: %+v", r)
	}

	// The report's proof verifies offline, and with its salt proves the
	// exact content that was logged.
	code, b := ls.do(t, http.MethodGet, "/api/v1/reports/"+id+"/proof", nil)
	if code != http.StatusOK {
		t.Fatalf("report proof: %d %s", code, b)
	}
	var proof struct {
		Status     string   `json:"status"`
		Salt       string   `json:"salt"`
		CosignedBy []string `json:"cosigned_by"`
		EventID    string   `json:"event_id"`
	}
	json.Unmarshal(b, &proof)
	if proof.Status != "cosigned" || proof.Salt == "" || len(proof.CosignedBy) < 3 {
		t.Fatalf("report proof: %s", b)
	}
	receipt := filepath.Join(t.TempDir(), "receipt.json")
	os.WriteFile(receipt, b, 0o600)
	// The receipt carries the content it commits to, which it checks too.
	if r := tabadul(t, "", "verify", "--receipt", receipt, "--policy", policy); r.code != 0 || !strings.HasPrefix(r.stdout, "OK: ") ||
		!strings.Contains(r.stdout, "the content matches its digest") {
		t.Fatalf("verify --receipt: %+v", r)
	}
	// A receipt whose entry was changed does not verify.
	forged := bytes.Replace(b, []byte(`party IQ`), []byte(`party RU`), 1)
	forged = bytes.Replace(forged, []byte(`party SY`), []byte(`party RU`), 1)
	os.WriteFile(receipt, forged, 0o600)
	if r := tabadul(t, "", "verify", "--receipt", receipt, "--policy", policy); r.code != 1 {
		t.Errorf("verify --receipt of a forged entry: %+v", r)
	}

	// The entry proof gives the salt to a party entitled to the content,
	// and not to one that may not see the report.
	if code, b := ls.do(t, http.MethodGet, "/api/v1/log/entries/"+proof.EventID+"/proof", nil); code != 200 || !bytes.Contains(b, []byte(`"salt"`)) {
		t.Errorf("entry proof for the author's party: %d %s", code, b)
	}
	if code, _ := ls.do(t, http.MethodGet, "/api/v1/log/entries/event--00000000-0000-0000-0000-000000000000/proof", nil); code != 404 {
		t.Errorf("proof of an unknown event: %d", code)
	}

	// A standard tlog client reads every entry through the tiles.
	hc := &http.Client{Transport: authTransport{token: ls.token, base: http.DefaultTransport}}
	fetcher, _ := torchwood.NewTileFetcher(ls.s.url+"/log/", torchwood.WithHTTPClient(hc))
	signed, err := fetcher.ReadEndpoint(t.Context(), "checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	pol, _ := loadPolicy(policy)
	c, _, err := torchwood.VerifyCheckpoint(signed, pol)
	if err != nil {
		t.Fatal(err)
	}
	tc, _ := torchwood.NewClient(fetcher)
	n := int64(0)
	for range tc.AllEntries(t.Context(), c.Tree, 0) {
		n++
	}
	if tc.Err() != nil || n != c.N {
		t.Fatalf("torchwood client read %d of %d entries: %v", n, c.N, tc.Err())
	}
	if code := ls.s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

func TestVerifyAuditNamesTamperedRecords(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "data")
	ls := startLogSession(t, base, "iq-analyst")
	id := ls.submit(t, "first")
	ls.submit(t, "second")
	ls.published(t, ls.events(t))
	if code := ls.s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if r := tabadul(t, "", "verify", "--data", base, "--audit"); r.code != 0 {
		t.Fatalf("verify --audit of an untouched center: %+v", r)
	}

	// The report's rows, in the schema as it is: by its text id, or by the
	// integer key other tables use once it has one.
	ofReport := "report = '" + id + "'"
	db := openDB(t, base)
	var hasRID int
	db.QueryRow(`SELECT count(*) FROM pragma_table_info('versions') WHERE name = 'rid'`).Scan(&hasRID)
	db.Close()
	if hasRID > 0 {
		ofReport = "rid = (SELECT rid FROM reports WHERE id = '" + id + "')"
	}
	tests := []struct {
		desc  string
		sql   []string
		names string // what the output must name
	}{
		{"a report row edited", []string{`UPDATE versions SET body = 'forged' WHERE ` + ofReport}, "report " + id},
		{"a report's event deleted", []string{`DELETE FROM events WHERE subject = '` + id + `'`}, "report " + id},
		{"a token (a receipt of access) deleted", []string{`DELETE FROM tokens WHERE username = 'iq-analyst'`}, "event event--"},
		{"entries reordered", []string{
			`UPDATE events SET log_index = -1 WHERE log_index = 5`,
			`UPDATE events SET log_index = 5 WHERE log_index = 6`,
			`UPDATE events SET log_index = 6 WHERE log_index = -1`}, "(log index 5"},
		{"a witness's key changed behind the write path", []string{`UPDATE witnesses SET vkey = '` + testkit.WitnessVKey("witness/IQ") + `' WHERE party = 'IQ'`}, "witness of IQ: its content does not match"},
		{"a witness's event deleted", []string{`DELETE FROM events WHERE type = 'witness.registered' AND subject = 'SY'`}, "witness of SY: no event records it"},
		{"a version deleted", []string{`DELETE FROM report_views WHERE ` + ofReport,
			`DELETE FROM version_tags WHERE seq IN (SELECT seq FROM versions WHERE ` + ofReport + `)`, `DELETE FROM versions WHERE ` + ofReport}, id},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			data := filepath.Join(t.TempDir(), "data")
			copyDir(t, base, data)
			db := openDB(t, data)
			for _, q := range tt.sql {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()
			r := tabadul(t, "", "verify", "--data", data, "--audit")
			if r.code != 1 || !strings.Contains(r.stdout, "PROBLEM") || !strings.Contains(r.stdout, tt.names) {
				t.Fatalf("verify --audit: exit %d, want 1 naming %q:\n%s%s", r.code, tt.names, r.stdout, r.stderr)
			}
		})
	}
}

func TestRollbackIsRefusedByWitnessesAndVerify(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	ls := startLogSession(t, data, "ru-analyst")
	ls.published(t, ls.events(t))
	policy := policyFile(t, data)
	state := filepath.Join(t.TempDir(), "state")
	if r := ls.verifyLive(t, policy, state); r.code != 0 {
		t.Fatalf("verify: %+v", r)
	}
	ls.s.stop(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, filepath.Join(data, dbFile), backup)

	ls.s = startServer(t, data)
	ls.submit(t, "later")
	ls.submit(t, "later still")
	newer := ls.published(t, ls.events(t))
	if r := ls.verifyLive(t, policy, state); r.code != 0 {
		t.Fatalf("verify: %+v", r)
	}
	ls.s.stop(t)

	// Restore the older database; the witnesses keep their state.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(filepath.Join(data, dbFile+suffix))
	}
	copyFile(t, backup, filepath.Join(data, dbFile))
	ls.s = startServer(t, data)
	ls.submit(t, "after the restore")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(ls.s.stderr.String(), "409 Conflict") {
		if time.Now().After(deadline) {
			t.Fatalf("no witness refused the rolled-back log; stderr:\n%s", ls.s.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(ls.s.stderr.String(), "rolled back") {
		t.Errorf("the refusal does not say rolled back:\n%s", ls.s.stderr)
	}
	// Nothing newer than the backup's checkpoint is published.
	if c := ls.published(t, 1); c.N >= newer.N {
		t.Errorf("the rolled-back center published %d entries, as many as the %d before", c.N, newer.N)
	}
	r := ls.verifyLive(t, policy, state)
	if r.code != 1 || !strings.Contains(r.stderr, "SECURITY ERROR") || !strings.Contains(r.stderr, "rolled its log back") {
		t.Fatalf("verify after a rollback: %+v", r)
	}
	ls.s.stop(t)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSplitViewIsDetected(t *testing.T) {
	t.Parallel()
	a := filepath.Join(t.TempDir(), "a")
	ls := startLogSession(t, a, "ir-analyst")
	ls.published(t, ls.events(t))
	policy := policyFile(t, a)
	ls.s.stop(t)

	// The center keeps a second copy of itself, with copies of the
	// witnesses' state, to show a different history to one party.
	b := filepath.Join(t.TempDir(), "b")
	copyDir(t, a, b)

	ls.s = startServer(t, a)
	ls.submit(t, "what the others see")
	ls.published(t, ls.events(t))
	state := filepath.Join(t.TempDir(), "state")
	if r := ls.verifyLive(t, policy, state); r.code != 0 {
		t.Fatalf("verify of A: %+v", r)
	}
	ls.s.stop(t)

	fork := &logSession{s: startServer(t, b), data: b, token: ls.token}
	fork.submit(t, "what this party is shown")
	fork.submit(t, "and more")
	forked := fork.published(t, fork.events(t))
	r := fork.verifyLive(t, policy, state)
	if r.code != 1 || !strings.Contains(r.stderr, "SECURITY ERROR") || !strings.Contains(r.stderr, "fork") ||
		strings.Count(r.stderr, "\n— ") < 4 {
		t.Fatalf("verify of the fork: %+v", r)
	}
	_, forkNote, _ := bytes.Cut([]byte(r.stderr), []byte("The checkpoint the center shows now:\n"))
	fork.s.stop(t)

	// The party's own witness, which cosigned A's history, refuses B's.
	w := exec.Command(binary, "witness", "--party", "IR", "--data", filepath.Join(a, "witnesses", "IR"), "--addr", "127.0.0.1:0")
	out, _ := w.StdoutPipe()
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Process.Kill(); w.Wait() })
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		if _, u, ok := strings.Cut(sc.Text(), " listening on "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the witness did not start")
	}
	go io.Copy(io.Discard, out)
	post := func(body []byte) (int, string) {
		resp, err := http.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	note := forkedNote(t, forkNote)
	code, body := post(append([]byte("old 0\n\n"), note...))
	if code != http.StatusConflict {
		t.Fatalf("witness: %d %s, want 409", code, body)
	}
	known, _ := strconv.ParseInt(strings.TrimSpace(body), 10, 64)
	req := fmt.Appendf(nil, "old %d\n", known)
	if known < forked.N {
		// Prove B's tree from the size the witness knows: the proof is of
		// B's tree, which does not extend A's.
		fb := &logSession{s: startServer(t, b), data: b, token: ls.token}
		hc := &http.Client{Transport: authTransport{token: ls.token, base: http.DefaultTransport}}
		fetcher, _ := torchwood.NewTileFetcher(fb.s.url+"/log/", torchwood.WithHTTPClient(hc))
		p, err := tlog.ProveTree(forked.N, known, torchwood.TileHashReaderWithContext(t.Context(), forked.Tree, fetcher))
		if err != nil {
			t.Fatal(err)
		}
		fb.s.stop(t)
		for _, h := range p {
			req = append(req, h.String()+"\n"...)
		}
	}
	req = append(append(req, '\n'), note...)
	if code, body := post(req); code != http.StatusConflict && code != http.StatusUnprocessableEntity {
		t.Fatalf("witness cosigned the fork: %d %s", code, body)
	}
}

// forkedNote takes the center's signature line off a printed checkpoint
// and keeps the note with the center's signature alone.
func forkedNote(t *testing.T, printed []byte) []byte {
	t.Helper()
	text, sigs, ok := bytes.Cut(printed, []byte("\n\n"))
	if !ok {
		t.Fatalf("no checkpoint in %q", printed)
	}
	first, _, _ := bytes.Cut(sigs, []byte("\n"))
	n := append(append(append(text, "\n\n"...), first...), '\n')
	if _, err := note.Open(n, note.VerifierList()); err == nil {
		t.Fatal("a note verified with no key")
	}
	return n
}

// TestLiveAuditNamesTamperedRecords: a party audits a live center with its
// own token — its reports, a revision and a revocation, an amendment
// approved by every member and a handover — and finds nothing wrong; once
// the operator edits a report row and an amendment row behind the write
// path and restarts the center, the party's audit names both.
func TestLiveAuditNamesTamperedRecords(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	ls := startLogSession(t, data, "iq-analyst")
	as := func(user string) *logSession {
		t.Helper()
		r := tabadul(t, "", "token", "create", "--data", data, "--user", user)
		if r.code != 0 {
			t.Fatalf("token create: %+v", r)
		}
		return &logSession{s: ls.s, data: data, token: strings.TrimSpace(r.stdout)}
	}
	must := func(s *logSession, want int, method, path string, body any) []byte {
		t.Helper()
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		code, out := s.do(t, method, path, b)
		if code != want {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		}
		return out
	}

	edited := ls.submit(t, "to be edited")
	revoked := ls.submit(t, "to be revoked")
	must(ls, http.StatusOK, http.MethodPut, "/api/v1/reports/"+edited, map[string]any{"title": "edited", "body": "the second version",
		"tlp": "AMBER", "distribution": map[string]any{"parties": []string{"SY"}}, "tags": []string{"convoy"}})
	must(ls, http.StatusOK, http.MethodPost, "/api/v1/reports/"+revoked+"/revoke", nil)

	officers := []*logSession{as("iq-officer"), as("sy-officer"), as("ir-officer"), as("ru-officer")}
	var am struct{ ID string }
	json.Unmarshal(must(officers[1], http.StatusCreated, http.MethodPost, "/api/v1/governance/amendments",
		map[string]any{"kind": "set_term", "months": 2}), &am)
	for _, o := range officers {
		must(o, http.StatusOK, http.MethodPost, "/api/v1/governance/amendments/"+am.ID+"/approve", nil)
	}
	must(officers[0], http.StatusOK, http.MethodPost, "/api/v1/governance/handover", nil)
	ls.published(t, ls.events(t))

	policy := policyFile(t, data)
	state := filepath.Join(t.TempDir(), "state")
	r := ls.verifyLive(t, policy, state, "--audit")
	if r.code != 0 || strings.Contains(r.stdout, "PROBLEM") || !strings.Contains(r.stdout, "Audited ") {
		t.Fatalf("verify --url --audit of an untouched center: %+v", r)
	}
	// The demo's own report and the party's three versions.
	if !strings.Contains(r.stdout, "against the 4 report versions and 1 amendment the party may see") {
		t.Errorf("the audit did not see the party's 4 versions and the amendment:\n%s", r.stdout)
	}
	if code := ls.s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	db := openDB(t, data)
	for _, q := range []string{
		`UPDATE versions SET body = 'forged' WHERE rid = (SELECT rid FROM reports WHERE id = '` + edited + `') AND title = 'edited'`,
		`UPDATE amendments SET body = json_set(body, '$.months', 1) WHERE id = '` + am.ID + `'`,
	} {
		if res, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s: %d rows", q, n)
		}
	}
	db.Close()
	ls.s = startServer(t, data)
	r = ls.verifyLive(t, policy, state, "--audit")
	for _, want := range []string{
		"PROBLEM report " + edited + " version ",
		"its content does not match the digest",
		"PROBLEM amendment " + am.ID + " proposal: its content does not match the digest",
	} {
		if r.code != 1 || !strings.Contains(r.stdout, want) {
			t.Errorf("verify --url --audit of the edited center: exit %d, want 1 naming %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	ls.s.stop(t)
}
