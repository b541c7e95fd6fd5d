package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
	"github.com/tabadul/tabadul/internal/distribute/webhook"
)

// partyReceiver is a party's receiving system: it verifies every webhook
// with the project's receiver helper and keeps the reports it got.
type partyReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reports map[string]bool // report ids
	ids     map[string]bool // webhook-ids
	sends   int             // verified webhooks, duplicates included
	key     atomic.Pointer[[]byte]
	refused atomic.Int64
}

func newPartyReceiver(t *testing.T) *partyReceiver {
	r := &partyReceiver{reports: map[string]bool{}, ids: map[string]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		k := r.key.Load()
		if k == nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		rc := &webhook.Receiver{
			Verifier: &webhook.Verifier{Keys: [][]byte{*k}, Clock: center.SystemClock{}},
			Handle: func(id string, body []byte) error {
				var p distribute.Payload
				if err := json.Unmarshal(body, &p); err != nil {
					return err
				}
				r.mu.Lock()
				defer r.mu.Unlock()
				r.ids[id] = true
				r.reports[p.Data.ID] = true
				r.sends++
				return nil
			},
		}
		sw := &statusRecorder{ResponseWriter: w}
		rc.ServeHTTP(sw, req)
		if sw.status == http.StatusUnauthorized || sw.status == http.StatusBadRequest {
			r.refused.Add(1)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (r *partyReceiver) has(ids []string) (missing int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if !r.reports[id] {
			missing++
		}
	}
	return missing
}

func post(t *testing.T, url, token string, body any) (int, []byte, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), nil
}

// TestKillDuringBurstLosesNoDelivery kills the real server with SIGKILL in
// the middle of a burst of 5,000 reports; after a restart, every report it
// accepted (answered 201) reaches every endpoint that subscribed to it, and
// no endpoint gets a report its party may not see.
func TestKillDuringBurstLosesNoDelivery(t *testing.T) {
	data := t.TempDir()
	allow := "--webhook-allow=127.0.0.1"
	s := startServer(t, data, allow)
	parties := []string{"IQ", "SY", "IR", "RU"}
	tokens := map[string]string{}
	for _, p := range parties {
		for _, role := range []string{"analyst", "officer"} {
			user := strings.ToLower(p) + "-" + role
			r := tabadul(t, "", "token", "create", "--data", data, "--user", user)
			if r.code != 0 {
				t.Fatalf("token create %s: %+v", user, r)
			}
			tokens[user] = strings.TrimSpace(r.stdout)
		}
	}
	recv := map[string]*partyReceiver{}
	for _, p := range parties {
		recv[p] = newPartyReceiver(t)
		code, body, err := post(t, s.url+"/api/v1/endpoints", tokens[strings.ToLower(p)+"-officer"], map[string]any{"url": recv[p].srv.URL + "/hook"})
		if err != nil || code != http.StatusCreated {
			t.Fatalf("create endpoint: %d %s %v", code, body, err)
		}
		var ep struct{ ID, Secret string }
		json.Unmarshal(body, &ep)
		key, err := webhook.ParseSecret(ep.Secret)
		if err != nil {
			t.Fatal(err)
		}
		recv[p].key.Store(&key)
		code, body, err = post(t, s.url+"/api/v1/subscriptions", tokens[strings.ToLower(p)+"-officer"], map[string]any{"endpoint_id": ep.ID, "filter": map[string]any{}})
		if err != nil || code != http.StatusCreated {
			t.Fatalf("create subscription: %d %s %v", code, body, err)
		}
	}

	// The burst: each report goes either to all members or to one other
	// party; owed[p] collects what p's endpoint must get.
	const total = 5000
	var mu sync.Mutex
	owed := map[string][]string{}
	notOwed := map[string]map[string]bool{}
	for _, p := range parties {
		notOwed[p] = map[string]bool{}
	}
	var accepted, sent atomic.Int64
	var url atomic.Pointer[string]
	url.Store(&s.url)
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > total {
					return
				}
				src := parties[i%4]
				dist := map[string]any{"all": true}
				tlp := "GREEN"
				to := []string{"IQ", "SY", "IR", "RU"}
				if i%3 == 0 {
					other := parties[(i+1+g%3)%4]
					if other == src {
						other = parties[(i+2)%4]
					}
					dist = map[string]any{"parties": []string{other}}
					tlp = "AMBER"
					to = []string{src, other}
				}
				sent.Add(1)
				var code int
				var body []byte
				for try := 0; ; try++ {
					var err error
					code, body, err = post(t, *url.Load()+"/api/v1/reports", tokens[strings.ToLower(src)+"-analyst"],
						map[string]any{"title": fmt.Sprint("burst ", i), "body": "report of the burst", "tlp": tlp, "distribution": dist})
					if err == nil || try == 1000 {
						break
					}
					// The server is down: not accepted, so nothing is owed
					// for this try; send it again once the server is back.
					time.Sleep(20 * time.Millisecond)
				}
				if code != http.StatusCreated {
					t.Errorf("submit: %d %s", code, body)
					continue
				}
				var rep struct{ ID string }
				json.Unmarshal(body, &rep)
				accepted.Add(1)
				mu.Lock()
				for _, p := range parties {
					if contains(to, p) {
						owed[p] = append(owed[p], rep.ID)
					} else {
						notOwed[p][rep.ID] = true
					}
				}
				mu.Unlock()
			}
		}()
	}
	// Kill it mid-burst, without warning.
	for accepted.Load() < total/2 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
	killedAt := accepted.Load()
	// The rest of the burst goes to the restarted server.
	s2 := startServer(t, data, allow)
	url.Store(&s2.url)
	wg.Wait()
	t.Logf("accepted %d of %d reports; killed after %d", accepted.Load(), sent.Load(), killedAt)
	if accepted.Load() != total {
		t.Fatalf("only %d of %d reports accepted", accepted.Load(), total)
	}

	for tries := 0; ; tries++ {
		missing := 0
		for _, p := range parties {
			missing += recv[p].has(owed[p])
		}
		if missing == 0 {
			break
		}
		if tries == 1800 { // three minutes
			t.Fatalf("%d deliveries of accepted reports missing after the restart; server log:\n%s", missing, s2.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range parties {
		rc := recv[p]
		rc.mu.Lock()
		for id := range rc.reports {
			if notOwed[p][id] {
				t.Errorf("%s's endpoint got report %s, which was not shared with it", p, id)
			}
		}
		t.Logf("%s: %d reports owed, %d webhooks received, %d refused", p, len(owed[p]), len(rc.ids), rc.refused.Load())
		rc.mu.Unlock()
		if rc.refused.Load() != 0 {
			t.Errorf("%s's receiver refused %d webhooks", p, rc.refused.Load())
		}
	}
	if code := s2.stop(t); code != 0 {
		t.Errorf("serve exited %d after SIGTERM", code)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
