package taxiiclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/taxiiclient"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// server is a small TAXII 2.1 server: one API root, one collection, Basic
// auth, added_after and limit, next tokens bound to their query.
type server struct {
	mu      sync.Mutex
	objects []json.RawMessage
	added   []time.Time
	queries []string // added_after of each objects request
	user    string
	pass    string
}

func (s *server) add(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		i := len(s.objects)
		s.objects = append(s.objects, json.RawMessage(fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '10.0.%d.%d']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","x_n":%d}`, i, i/256, i%256, i)))
		s.added = append(s.added, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Millisecond))
	}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.pass {
		w.Header().Set("Content-Type", taxiiclient.MediaType)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"title":"unauthorized","http_status":"401"}`)
		return
	}
	w.Header().Set("Content-Type", taxiiclient.MediaType)
	switch r.URL.Path {
	case "/taxii2/":
		fmt.Fprint(w, `{"title":"test","api_roots":["/api1/"]}`)
	case "/api1/collections/":
		fmt.Fprint(w, `{"collections":[{"id":"c1","title":"One","can_read":true,"can_write":false}]}`)
	case "/api1/collections/c1/objects/":
		s.mu.Lock()
		defer s.mu.Unlock()
		q := r.URL.Query()
		after := q.Get("added_after")
		s.queries = append(s.queries, after)
		start := 0
		if n := q.Get("next"); n != "" {
			// next = "<added_after>|<index>": bound to its query.
			a, idx, _ := strings.Cut(n, "|")
			if a != after {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"title":"next does not match the query"}`)
				return
			}
			start, _ = strconv.Atoi(idx)
		} else if after != "" {
			t, err := time.Parse(time.RFC3339Nano, after)
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			for start < len(s.added) && !s.added[start].After(t) {
				start++
			}
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		end := min(len(s.objects), start+limit)
		page := map[string]any{"more": end < len(s.objects), "objects": s.objects[start:end]}
		if end < len(s.objects) {
			page["next"] = after + "|" + strconv.Itoa(end)
		}
		if end > start {
			w.Header().Set("X-TAXII-Date-Added-First", s.added[start].Format("2006-01-02T15:04:05.000Z"))
			w.Header().Set("X-TAXII-Date-Added-Last", s.added[end-1].Format("2006-01-02T15:04:05.000Z"))
		}
		json.NewEncoder(w).Encode(page)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestPullResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "tabadul.db"), sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	rec := record.NewRecorder(st, clock, center.DefaultLimits)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	srv := &server{user: "sy-peer", pass: "s3cret-token"}
	srv.add(1234)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	keyFile := filepath.Join(dir, "collect.key")
	sealer, err := taxiiclient.LoadSealer(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(keyFile); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode())
	}
	client := &taxiiclient.Client{HTTP: &fetch.Client{Timeout: 5 * time.Second}}
	cr := taxiiclient.Credentials{Username: "sy-peer", Secret: "s3cret-token"}
	disc, err := client.Discover(ctx, hs.URL+"/taxii2", cr)
	if err != nil || len(disc.APIRoots) != 1 {
		t.Fatalf("discovery %+v %v", disc, err)
	}
	cols, err := client.Collections(ctx, hs.URL+disc.APIRoots[0], cr)
	if err != nil || len(cols) != 1 || cols[0].ID != "c1" {
		t.Fatalf("collections %+v %v", cols, err)
	}
	if _, err := client.Collections(ctx, hs.URL+"/api1/", taxiiclient.Credentials{Username: "sy-peer", Secret: "wrong"}); err == nil {
		t.Fatal("wrong credentials accepted")
	}

	rem, err := rec.AddTAXIIRemote(ctx, testkit.Officer("IQ"), store.TAXIIRemote{APIRoot: hs.URL + "/api1/", Collection: "c1",
		Username: "sy-peer", SealedSecret: sealer.Seal("s3cret-token"), Distribution: center.Distribution{Parties: []center.PartyCode{"SY"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.AddTAXIIRemote(ctx, testkit.Analyst("IQ"), rem); err == nil {
		t.Error("an analyst subscribed the party")
	}
	// The secret is not in the database in the clear.
	db, _ := os.ReadFile(filepath.Join(dir, "tabadul.db"))
	wal, _ := os.ReadFile(filepath.Join(dir, "tabadul.db-wal"))
	if strings.Contains(string(db)+string(wal), "s3cret-token") {
		t.Error("the secret is stored in the clear")
	}

	puller := func() *taxiiclient.Puller {
		return &taxiiclient.Puller{Store: st, Recorder: rec, Client: client, Sealer: sealer, Clock: clock, PageSize: 100, MaxPages: 5}
	}
	// The first pull stops after 5 pages (MaxPages), as a restart would.
	sum, err := puller().PullAll(ctx)
	if err != nil || sum.Imported != 500 {
		t.Fatalf("first pull: %+v %v", sum.Imported, err)
	}
	// A new puller resumes from the stored cursor, not from the start.
	srv.mu.Lock()
	srv.queries = nil
	srv.mu.Unlock()
	p := puller()
	p.MaxPages = 0
	sum, err = p.PullAll(ctx)
	if err != nil || sum.Imported != 734 || sum.Unchanged != 0 {
		t.Fatalf("resumed pull: imported %d unchanged %d, %v", sum.Imported, sum.Unchanged, err)
	}
	if srv.queries[0] != "2026-11-01T00:00:00.499Z" {
		t.Errorf("resumed with added_after %q", srv.queries[0])
	}
	// Only what is new comes next time.
	srv.add(10)
	sum, err = p.PullAll(ctx)
	if err != nil || sum.Imported != 10 {
		t.Fatalf("third pull: %+v %v", sum, err)
	}
	remotes, cursors, _ := st.TAXIIRemotes(ctx)
	if len(remotes) != 1 || cursors[0].Objects != 1244 || cursors[0].LastError != "" || cursors[0].AddedAfter != "2026-11-01T00:00:01.243Z" {
		t.Errorf("cursor %+v", cursors[0])
	}
	// Pulled objects are shared as the subscription says.
	page, _ := st.STIXObjects(ctx, "SY", store.STIXQuery{Limit: 10})
	if len(page.Objects) != 10 || page.Objects[0].Source != "IQ" {
		t.Errorf("SY sees %d pulled objects", len(page.Objects))
	}
	if page, _ := st.STIXObjects(ctx, "RU", store.STIXQuery{Limit: 10}); len(page.Objects) != 0 {
		t.Errorf("RU sees pulled objects shared with SY only")
	}
	// A failing remote keeps its cursor and says why.
	srv.pass = "rotated"
	if _, err := p.PullAll(ctx); err == nil {
		t.Fatal("pull with stale credentials succeeded")
	}
	_, cursors, _ = st.TAXIIRemotes(ctx)
	if !strings.Contains(cursors[0].LastError, "401") || cursors[0].AddedAfter != "2026-11-01T00:00:01.243Z" {
		t.Errorf("cursor after failure %+v", cursors[0])
	}
	if slices.Contains(srv.queries, "") && len(srv.queries) > 1 && srv.queries[len(srv.queries)-1] == "" {
		t.Error("a resumed pull started over")
	}
}
