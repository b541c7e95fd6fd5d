package main

// These tests build the real binary once and run it as a user would: as a
// subprocess, with its flags, streams, exit codes and signals.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
)

// binary is the path of the tabadul binary built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tabadul-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "tabadul")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build tabadul: %v\n", err)
		return 1
	}
	// Tests on PostgreSQL share one throwaway server, stopped at the end.
	return pgtest.Main(m)
}

// result is what one run of the binary printed and how it ended.
type result struct {
	stdout, stderr string
	code           int
}

// tabadul runs the binary to completion with stdin as its input.
func tabadul(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("tabadul %v: %v", args, err)
		}
		code = exitErr.ExitCode()
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// lockedBuffer collects a subprocess's stderr while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `tabadul serve`.
type server struct {
	cmd *exec.Cmd
	url string
	// banner is what the server printed on stdout before it listened.
	banner string
	stderr *lockedBuffer
	done   chan struct{} // closed when stdout is drained
}

// startServer runs `tabadul serve` on a free port of the loopback, with any
// extra flags, and waits until it prints the address it listens on.
func startServer(t *testing.T, dataDir string, flags ...string) *server {
	t.Helper()
	return startServerArgs(t, append([]string{"--data", dataDir}, flags...)...)
}

// startServerArgs runs `tabadul serve` with the given flags as startServer
// does.
func startServerArgs(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})

	const prefix = "Tabadul listening on "
	urls := make(chan string, 1)
	var banner strings.Builder
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stdout)
		listening := false
		for sc.Scan() {
			line := sc.Text()
			if !listening {
				if url, ok := strings.CutPrefix(line, prefix); ok {
					listening = true
					urls <- url
					continue
				}
				banner.WriteString(line + "\n")
			}
		}
		close(urls)
	}()
	select {
	case url, ok := <-urls:
		if !ok {
			cmd.Wait()
			t.Fatalf("serve exited before listening:\n%s\nstderr:\n%s", banner.String(), s.stderr)
		}
		s.url = url
		s.banner = banner.String() // written before the URL was sent
	case <-time.After(time.Minute):
		t.Fatalf("serve did not listen within a minute; stderr:\n%s", s.stderr)
	}
	if !(strings.HasPrefix(s.url, "http://127.0.0.1:") || strings.HasPrefix(s.url, "https://127.0.0.1:")) || strings.HasSuffix(s.url, ":0") {
		t.Fatalf("serve printed %q, want the bound address", s.url)
	}
	return s
}

// stop sends SIGTERM and returns the exit code.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() {
		<-s.done
		waited <- s.cmd.Wait()
	}()
	select {
	case err := <-waited:
		if exitErr, ok := err.(*exec.ExitError); ok {
			return exitErr.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		t.Fatalf("serve did not stop within a minute of SIGTERM; stderr:\n%s", s.stderr)
		return -1
	}
}

var client = &http.Client{Timeout: 30 * time.Second}

// get fetches url with the token, if any, and decodes the JSON body.
func get(t *testing.T, url, token string) (int, any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %q", url, resp.StatusCode, body)
	}
	return resp.StatusCode, v
}

// reportTitles walks a decoded JSON value and returns the title of every
// object whose id is a report's. It does not depend on how the list is
// wrapped.
func reportTitles(v any) map[string]string {
	out := map[string]string{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["id"].(string); ok && strings.HasPrefix(id, "report--") {
				title, _ := v["title"].(string)
				out[id] = title
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

var demoUsers = []string{
	"iq-officer", "iq-analyst", "sy-officer", "sy-analyst",
	"ir-officer", "ir-analyst", "ru-officer", "ru-analyst",
}

// seedTitle is the title the demo center gives the seed article.
const seedTitle = "سعت الحكومة العراقية إلى النأي بنفسها عن أي تحالف عسكري جديد لمواجهة داعش"

func TestServeRunsTheDemoCenterAndStopsCleanly(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")

	// First start: an empty directory gets the demo center.
	s := startServer(t, data)
	for _, u := range demoUsers {
		if !strings.Contains(s.banner, u) {
			t.Errorf("first start did not print the credentials of %s:\n%s", u, s.banner)
		}
	}
	credentials, err := os.ReadFile(filepath.Join(data, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v; want mode 700", fi.Mode(), err)
	}

	if code, body := get(t, s.url+"/healthz", ""); code != http.StatusOK {
		t.Fatalf("GET /healthz = %d %v", code, body)
	}

	// A token made while the server runs on the same data works at once,
	// and token create prints it and nothing else.
	r := tabadul(t, "", "token", "create", "--data", data, "--user", "iq-analyst", "--label", "test")
	if r.code != 0 {
		t.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	token := strings.TrimSuffix(r.stdout, "\n")
	if !strings.HasPrefix(token, "tbd_") || strings.ContainsAny(token, " \n") || r.stderr != "" {
		t.Fatalf("token create printed %q on stdout and %q on stderr; want the token alone", r.stdout, r.stderr)
	}

	code, body := get(t, s.url+"/api/v1/reports", token)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/reports = %d %v", code, body)
	}
	reports := reportTitles(body)
	found := false
	for _, title := range reports {
		found = found || title == seedTitle
	}
	if !found {
		t.Fatalf("the seed article is not among the reports: %v", reports)
	}

	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM; stderr:\n%s", code, s.stderr)
	}

	// Second start: the same center, unchanged.
	s = startServer(t, data)
	for _, u := range demoUsers {
		if strings.Contains(s.banner, u) {
			t.Errorf("second start printed credentials:\n%s", s.banner)
			break
		}
	}
	if again, err := os.ReadFile(filepath.Join(data, "demo-credentials.txt")); err != nil || !bytes.Equal(again, credentials) {
		t.Errorf("second start rewrote the credentials file (%v)", err)
	}
	code, body = get(t, s.url+"/api/v1/reports", token)
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/reports after restart = %d %v", code, body)
	}
	if after := reportTitles(body); len(after) != len(reports) {
		t.Errorf("%d reports after restart, %d before", len(after), len(reports))
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("second serve exited %d after SIGTERM; stderr:\n%s", code, s.stderr)
	}
}

// A charter with all rules kept, for the bad ones to break one at a time.
const goodCharter = `
parties:
  - {code: IQ, kind: member, names: {en: Iraq, ar: العراق}}
  - {code: SY, kind: member, names: {en: Syria}}
  - {code: JO, kind: associate, names: {en: Jordan}}
committees:
  - {code: regional, names: {en: Regional states}, members: [IQ, SY, JO]}
rotation: {first_chair: IQ, start: 2026-12-01}
`

func TestInitRefusesBadCharters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc, charter, want string
	}{
		{"duplicate party codes", strings.Replace(goodCharter, "code: SY", "code: IQ", 1), `duplicate party code "IQ"`},
		{"unknown first chair", strings.Replace(goodCharter, "first_chair: IQ", "first_chair: XX", 1), `rotation.first_chair "XX" is not a party`},
		{"associate first chair", strings.Replace(goodCharter, "first_chair: IQ", "first_chair: JO", 1), `rotation.first_chair "JO" is an associate`},
		{"empty party list", "parties: []\nrotation: {first_chair: IQ, start: 2026-12-01}\n", "parties: at least one party is required"},
		{"term over the maximum", strings.Replace(goodCharter, "start: 2026-12-01", "start: 2026-12-01, term_months: 6", 1), "rotation.term_months is 6, over the maximum of 3 months"},
		{"maximum over three months", strings.Replace(goodCharter, "start: 2026-12-01", "start: 2026-12-01, max_term_months: 4", 1), "rotation.max_term_months is 4"},
		{"unknown key", goodCharter + "chair: IQ\n", `unknown field "chair"`},
		{"a witness key that is no cosignature key", goodCharter + "witnesses: [{party: IQ, vkey: \"witness/IQ+00000000+AAAA\", url: \"http://iq.example\"}]\n", "witnesses[0].vkey"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "charter.yaml")
			if err := os.WriteFile(path, []byte(tt.charter), 0o600); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(dir, "data")
			r := tabadul(t, "", "init", "--charter", path, "--data", data)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if lines := strings.Count(r.stderr, "\n"); lines != 1 || !strings.HasPrefix(r.stderr, "tabadul: charter: ") {
				t.Errorf("stderr %q: want one line starting \"tabadul: charter: \"", r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not name %q", r.stderr, tt.want)
			}
			if _, err := os.Stat(data); err == nil {
				t.Error("a refused charter left a data directory behind")
			}
		})
	}
}

func TestInitFoundsACenterToManage(t *testing.T) {
	t.Parallel()
	for _, example := range []string{"../../docs/charter.example.yaml", "../../docs/charter.example.toml"} {
		t.Run(filepath.Ext(example), func(t *testing.T) {
			t.Parallel()
			data := filepath.Join(t.TempDir(), "data")
			r := tabadul(t, "", "init", "--charter", example, "--data", data)
			if r.code != 0 || !strings.Contains(r.stdout, "tabadul user create") {
				t.Fatalf("init: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			r = tabadul(t, "", "init", "--charter", example, "--data", data)
			if r.code != 1 || !strings.Contains(r.stderr, "already holds a center") || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("second init: exit %d, stderr %q; want 1 and one line saying the center exists", r.code, r.stderr)
			}
		})
	}

	data := filepath.Join(t.TempDir(), "data")
	if r := tabadul(t, "", "init", "--charter", "../../docs/charter.example.yaml", "--data", data); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	steps := []struct {
		desc  string
		stdin string
		args  []string
		code  int
		want  string // in stdout when the exit code is 0, else in stderr
	}{
		{"user with a password from stdin", "s3cret pass\n", []string{"user", "create", "--username", "jo-analyst", "--party", "jo", "--role", "analyst", "--password-stdin"}, 0, "Created user jo-analyst, analyst of JO."},
		{"user with a made password", "", []string{"user", "create", "--username", "iq-officer", "--party", "IQ", "--role", "officer"}, 0, "Password (shown once): "},
		{"a taken username", "", []string{"user", "create", "--username", "iq-officer", "--party", "IQ", "--role", "officer"}, 1, `user "iq-officer" already exists`},
		{"an unknown party", "", []string{"user", "create", "--username", "xx-1", "--party", "XX", "--role", "analyst"}, 1, `unknown party "XX"`},
		{"an empty password", "\n", []string{"user", "create", "--username", "xx-1", "--party", "IQ", "--role", "analyst", "--password-stdin"}, 2, "no password"},
		{"a token for an unknown user", "", []string{"token", "create", "--user", "nobody"}, 1, "nobody"},
		{"user list", "", []string{"user", "list"}, 0, "jo-analyst"},
	}
	for _, st := range steps {
		r := tabadul(t, st.stdin, append(st.args, "--data", data)...)
		out := r.stdout
		if st.code != 0 {
			out = r.stderr
		}
		if r.code != st.code || !strings.Contains(out, st.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", st.desc, r.code, r.stdout, r.stderr, st.code, st.want)
		}
	}

	// Tokens: listed without their secret, revoked by id.
	r := tabadul(t, "", "token", "create", "--data", data, "--user", "jo-analyst", "--label", "feed", "--ttl", "1h")
	if r.code != 0 {
		t.Fatalf("token create: %+v", r)
	}
	secret := strings.TrimSpace(r.stdout)
	r = tabadul(t, "", "token", "list", "--data", data, "--user", "jo-analyst")
	if r.code != 0 || strings.Contains(r.stdout, secret) || !strings.Contains(r.stdout, "feed") || !strings.Contains(r.stdout, "active") {
		t.Fatalf("token list: %+v", r)
	}
	id := strings.Fields(strings.Split(r.stdout, "\n")[1])[0]
	if r := tabadul(t, "", "token", "revoke", "--data", data, "--id", id); r.code != 0 {
		t.Fatalf("token revoke: %+v", r)
	}
	if r := tabadul(t, "", "token", "list", "--data", data, "--user", "jo-analyst"); !strings.Contains(r.stdout, "revoked") {
		t.Errorf("after revoke, token list = %q", r.stdout)
	}
	if r := tabadul(t, "", "token", "revoke", "--data", data, "--id", "token--nope"); r.code != 1 {
		t.Errorf("revoke of an unknown token: %+v", r)
	}
}

func TestErrorsAreOneLineWithTheirExitCode(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	tests := []struct {
		desc string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"bogus"}, 2, `unknown command "bogus"`},
		{"unknown flag", []string{"serve", "--bogus"}, 2, "unknown flag: --bogus"},
		{"stray argument", []string{"serve", "now"}, 2, `unknown command "now"`},
		{"missing required flag", []string{"token", "create"}, 2, `required flag(s) "user" not set`},
		{"bad role", []string{"user", "create", "--username", "a1", "--party", "IQ", "--role", "boss"}, 2, `--role "boss"`},
		{"bad duration", []string{"token", "create", "--user", "a", "--ttl", "soon"}, 2, "--ttl"},
		{"no body allowed", []string{"serve", "--max-body", "0"}, 2, "--max-body"},
		{"a lease shorter than an attempt", []string{"serve", "--webhook-lease", "5s"}, 2, "--webhook-lease"},
		{"no center", []string{"token", "list", "--user", "a", "--data", empty}, 1, "no center in"},
		{"no charter file", []string{"init", "--charter", filepath.Join(empty, "none.yaml"), "--data", empty}, 1, "none.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			r := tabadul(t, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "tabadul: ") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q: want one line \"tabadul: …%s…\"", r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stdout, "Usage:") {
				t.Errorf("printed a trace or a usage dump: %q %q", r.stdout, r.stderr)
			}
		})
	}
}
