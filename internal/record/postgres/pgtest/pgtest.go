// Package pgtest runs a throwaway PostgreSQL server for tests: Debian's
// postgresql binaries, initdb into a temporary folder, a server listening
// only on a unix socket in that folder, one fresh database per test. One
// server serves a whole test binary; Main stops it and removes its folder.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//	func TestX(t *testing.T) { url := pgtest.NewDatabase(t); ... }
//
// Without PostgreSQL installed, NewDatabase skips the test, but under CI
// (CI=true) it fails it: scripts/test.sh installs the postgresql package.
//
// initdb refuses to run as root; as root, the server runs as the postgres
// user (the Debian package creates it) through runuser.
//
// A test binary killed before Main returns (a -timeout, a SIGKILL) leaves
// its server running: find it by its folder, /tmp/tabadul-pg-*, and stop
// it with pg_ctl -D FOLDER/data stop.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Options configure a server.
type Options struct {
	// Durable keeps fsync on, as in production: for benchmarks. Tests run
	// without it; a throwaway server need not survive a power cut.
	Durable bool
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir, data, bin string
	asPostgres     bool
	n              atomic.Int64
}

// BinDir returns the folder of the newest installed PostgreSQL's programs.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		return d, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(found, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return va - vb
	})
	if len(found) > 0 {
		return filepath.Dir(found[len(found)-1]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("pgtest: PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); install the Debian package postgresql")
}

// Start initializes and starts a server in a new temporary folder.
func Start(opts Options) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tabadul-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{dir: dir, data: filepath.Join(dir, "data"), bin: bin, asPostgres: os.Geteuid() == 0}
	if s.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	// The C locale sorts text by bytes, as SQLite does.
	if err := s.run("initdb", "-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	conf := []string{
		"listen_addresses = ''",
		"unix_socket_directories = '" + dir + "'",
		"max_connections = 200",
		"shared_buffers = 128MB",
	}
	if !opts.Durable {
		conf = append(conf, "fsync = off", "synchronous_commit = off", "full_page_writes = off")
	}
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(strings.Join(conf, "\n") + "\n")
		f.Close()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: configure: %w", err)
	}
	if err := s.run("pg_ctl", "-D", s.data, "-l", filepath.Join(dir, "server.log"), "-w", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return s, nil
}

func (s *Server) run(prog string, args ...string) error {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if s.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: %s: %w\n%s", prog, err, out)
	}
	return nil
}

// URL returns the URL of the named database on the server.
func (s *Server) URL(db string) string {
	return "postgres://postgres@/" + db + "?host=" + s.dir + "&sslmode=disable"
}

// CreateDatabase creates a new empty database and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return s.URL(name), nil
}

// Stop stops the server at once and removes its folder.
func (s *Server) Stop() error {
	err := s.run("pg_ctl", "-D", s.data, "-m", "immediate", "stop")
	return errors.Join(err, os.RemoveAll(s.dir))
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
	sharedMu   sync.Mutex
)

// NewDatabase returns the URL of a new empty database for the test, on the
// test binary's one server, which it starts on first use. Without
// PostgreSQL it skips the test, or under CI fails it.
func NewDatabase(t testing.TB) string {
	t.Helper()
	sharedMu.Lock()
	sharedOnce.Do(func() { shared, sharedErr = Start(Options{}) })
	s, err := shared, sharedErr
	sharedMu.Unlock()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is needed: %v", err)
		}
		t.Skipf("PostgreSQL is not available: %v", err)
	}
	url, err := s.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Main runs the tests and then stops the server if one was started.
func Main(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	return code
}
