// Package testcenter founds the center that the tests of Tabadul's
// servers (API, web interface, TAXII) run against: testkit.Charter() on a
// real SQLite store in the test's temporary directory, a testkit clock, a
// recorder that indexes, and the standard test users.
//
// It is a package of its own, not part of testkit, because it imports
// internal/record, whose own tests import testkit.
//
// What each server adds (the API's tokens, the web's cookie jar, TAXII's
// configuration) stays in that server's tests.
package testcenter

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/secret"
	"github.com/tabadul/tabadul/internal/testkit"
)

// Start is when every test center's clock starts: 09:00 on the day the
// charter's first term, Iraq's, begins (it ends on 1 March 2027).
var Start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// CheapHashing makes password hashing cost nothing in tests. Never use it
// outside tests.
var CheapHashing = secret.Params{Time: 1, MemKiB: 64, Threads: 1}

// A User is one test user: a username, its party and its role.
type User struct {
	Name  string
	Party center.PartyCode
	Role  center.Role
}

// Users returns the users every test center has: an analyst of each party
// of testkit.Roster and an officer of IQ, the first chair. Each one's
// password is Password(name). The slice is new at each call, so a test
// may append its own users.
func Users() []User {
	return []User{
		{"iq-analyst", "IQ", center.Analyst},
		{"iq-officer", "IQ", center.Officer},
		{"sy-analyst", "SY", center.Analyst},
		{"ir-analyst", "IR", center.Analyst},
		{"ru-analyst", "RU", center.Analyst},
		{"jo-analyst", "JO", center.Analyst},
	}
}

// Password returns the password of the test user named user.
func Password(user string) string { return "password of " + user }

// Center is a founded test center, without servers: its store, its one
// write path, and the clock both run on.
type Center struct {
	Store    *sqlite.Store
	Recorder *record.Recorder
	Clock    *testkit.Clock
}

// Principal returns the principal of the test user named user, as the
// store holds it, for scenes set through the recorder without HTTP.
func (c *Center) Principal(t testing.TB, user string) center.Principal {
	t.Helper()
	u, err := c.Store.User(context.Background(), user)
	if err != nil {
		t.Fatalf("user %s: %v", user, err)
	}
	return center.Principal{User: u}
}

// Found founds testkit.Charter() in a fresh store (OpenStore), with a
// clock set to Start and a recorder that indexes reports for search, and
// creates users (CreateUsers).
func Found(t testing.TB, users []User) *Center {
	t.Helper()
	st := OpenStore(t)
	clock := testkit.NewClock(Start)
	rec := record.NewRecorder(st, clock, center.DefaultLimits).IndexWith(analyze.Indexer{})
	FoundCharter(t, rec)
	CreateUsers(t, rec, users)
	return &Center{Store: st, Recorder: rec, Clock: clock}
}

// OpenStore opens a fresh SQLite store under t.TempDir(), closed when the
// test ends, when what the test wrote must keep every rule the schema
// states (sqlite.CheckIntegrity). It does not sync to disk: the
// tests measure behaviour, not the disk.
func OpenStore(t testing.TB) *sqlite.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tabadul.db")
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
		if err := sqlite.CheckIntegrity(context.Background(), path); err != nil {
			t.Error(err)
		}
	})
	return st
}

// FoundCharter founds testkit.Charter() through rec, for a test that
// builds its recorder itself.
func FoundCharter(t testing.TB, rec *record.Recorder) {
	t.Helper()
	if err := rec.Found(context.Background(), testkit.Charter()); err != nil {
		t.Fatalf("found: %v", err)
	}
}

// CreateUsers creates users through rec, each with Password(name), hashed
// with CheapHashing.
func CreateUsers(t testing.TB, rec *record.Recorder, users []User) {
	t.Helper()
	for _, u := range users {
		if _, err := rec.CreateUser(context.Background(), center.User{Username: u.Name, Party: u.Party, Role: u.Role}, Password(u.Name), CheapHashing); err != nil {
			t.Fatalf("create user %s: %v", u.Name, err)
		}
	}
}

// IssueTokens issues one API token labelled label to each of users, which
// must exist, and returns them by username.
func IssueTokens(t testing.TB, rec *record.Recorder, label string, users []User) map[string]string {
	t.Helper()
	tokens := make(map[string]string, len(users))
	for _, u := range users {
		tok, _, err := rec.IssueToken(context.Background(), u.Name, label, 0)
		if err != nil {
			t.Fatalf("issue token for %s: %v", u.Name, err)
		}
		tokens[u.Name] = tok
	}
	return tokens
}

// Log holds what a test server logs. It is safe for the server's
// concurrent writes.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLog returns an empty log that t shows if it fails.
func NewLog(t testing.TB) *Log {
	l := &Log{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", l.String())
		}
	})
	return l
}

// Write appends p to the log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
