package main

import (
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/analyze"
)

// TestAStaleIndexIsRebuilt: a center whose index another release's
// analysis built (here: emptied, and stamped with an old analysis) finds
// nothing until serve rebuilds it at start, or tabadul reindex does.
func TestAStaleIndexIsRebuilt(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	s := startServer(t, data)
	r := tabadul(t, "", "token", "create", "--data", data, "--user", "iq-analyst")
	if r.code != 0 {
		t.Fatalf("token create: exit %d: %s", r.code, r.stderr)
	}
	token := strings.TrimSpace(r.stdout)
	total := func(s *server) float64 {
		t.Helper()
		code, body := get(t, s.url+"/api/v1/search?q="+url.QueryEscape("داعش"), token)
		if code != http.StatusOK {
			t.Fatalf("search = %d %v", code, body)
		}
		return body.(map[string]any)["total"].(float64)
	}
	want := total(s)
	if want == 0 {
		t.Fatal("the demo center finds no report of داعش")
	}
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	age := func() {
		t.Helper()
		// The index's rows are in a database of their own beside the
		// center's.
		for file, q := range map[string]string{dbFile + "-search": `DELETE FROM search`, dbFile: `UPDATE meta SET value = 'r0-older' WHERE key = 'index_analysis'`} {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(data, file)+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if res, err := db.Exec(q); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n == 0 {
				t.Fatalf("%s changed nothing", q)
			}
		}
	}

	// serve rebuilds it before it listens.
	age()
	s = startServer(t, data)
	if got := total(s); got != want {
		t.Errorf("after serve's rebuild, %v reports found, want %v", got, want)
	}
	if !strings.Contains(s.stderr.String(), "rebuilding the search index") {
		t.Errorf("serve did not say it rebuilt the index; stderr:\n%s", s.stderr)
	}
	s.stop(t)

	// tabadul reindex rebuilds it by hand; serve then has nothing to do.
	age()
	r = tabadul(t, "", "reindex", "--data", data)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Reindexed ") || !strings.Contains(r.stdout, analyze.AnalysisID()) {
		t.Fatalf("reindex: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	s = startServer(t, data)
	if got := total(s); got != want {
		t.Errorf("after tabadul reindex, %v reports found, want %v", got, want)
	}
	if strings.Contains(s.stderr.String(), "rebuilding the search index") {
		t.Errorf("serve rebuilt an index reindex had just built; stderr:\n%s", s.stderr)
	}
	s.stop(t)

	// Without a center, reindex says so in one line.
	r = tabadul(t, "", "reindex", "--data", filepath.Join(t.TempDir(), "none"))
	if r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "no center") {
		t.Errorf("reindex without a center: exit %d, stderr %q", r.code, r.stderr)
	}
}
