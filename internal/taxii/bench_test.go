package taxii

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
	"github.com/tabadul/tabadul/internal/testkit/testcenter"
)

// benchObjects is how many objects BenchmarkTAXII stores:
// TABADUL_TAXII_BENCH_OBJECTS, else a million.
func benchObjects(b *testing.B) int {
	if s := os.Getenv("TABADUL_TAXII_BENCH_OBJECTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("TABADUL_TAXII_BENCH_OBJECTS=%q: want a number ≥ 1000", s)
		}
		return n
	}
	return 1_000_000
}

// benchStore opens the generated store: n indicators and observables
// recorded by IQ for all members, through the write path in batches of
// 10,000 with fsync off. With TABADUL_BENCH_DIR set, the database is kept
// there and reused by later runs; otherwise it is made afresh.
func benchStore(b *testing.B, n int) (*sqlite.Store, *record.Recorder, *testkit.Clock) {
	ctx := context.Background()
	dir := os.Getenv("TABADUL_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("taxii-bench-%d.db", n))
	clock := testkit.NewClock(testcenter.Start)
	// A kept database is reused only if its fill finished.
	const metaFilled = "taxii_bench_filled"
	if _, err := os.Stat(path); err == nil {
		st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		if v, err := st.Meta(ctx, metaFilled); err == nil && v == strconv.Itoa(n) {
			b.Cleanup(func() { st.Close() })
			return st, record.NewRecorder(st, clock, center.DefaultLimits), clock
		}
		st.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rec := record.NewRecorder(st, clock, center.DefaultLimits)
	testcenter.FoundCharter(b, rec)
	testcenter.CreateUsers(b, rec, testcenter.Users())
	start := time.Now()
	const batch = 10000
	who := testkit.Analyst("IQ")
	rnd := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < n; i += batch {
		in := make([]record.STIXInput, 0, batch)
		for k := i; k < min(i+batch, n); k++ {
			in = append(in, benchInput(rnd, k))
		}
		res, err := rec.ImportSTIX(ctx, who, record.STIXImport{Distribution: center.Distribution{All: true}, DefaultTLP: center.TLPGreen, Objects: in})
		if err != nil {
			b.Fatal(err)
		}
		for k, oc := range res.Outcomes {
			if oc != record.STIXImported {
				b.Fatalf("object %d: %v %s", i+k, oc, res.Reasons[k])
			}
		}
		clock.Advance(time.Second)
	}
	b.Logf("stored %d objects in %v", n, time.Since(start))
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.SetMeta(ctx, metaFilled, strconv.Itoa(n)) }); err != nil {
		b.Fatal(err)
	}
	return st, rec, clock
}

// benchInput is object k: mostly indicators, every fourth an IPv4
// observable, about 400 bytes each.
func benchInput(rnd *rand.Rand, k int) record.STIXInput {
	// The id grows with k, as ids made from the time do, so the store's
	// id index takes new objects at its end: a random id per object
	// would make the fill of a million read the index from disk.
	uuid := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", k, rnd.IntN(0xffff), rnd.IntN(0xfff), rnd.IntN(0xfff), rnd.Uint64()&0xffffffffffff)
	ip := fmt.Sprintf("%d.%d.%d.%d", 10+k%200, (k>>8)%256, (k>>16)%256, k%256)
	var typ, js string
	var version time.Time
	if k%4 == 3 {
		typ = "ipv4-addr"
		js = fmt.Sprintf(`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--%s","value":"%s"}`, uuid, ip)
	} else {
		typ = "indicator"
		version = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(k) * time.Second)
		ts := version.Format("2006-01-02T15:04:05.000Z")
		js = fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":"%s","modified":"%s",`+
			`"name":"Command and control server %d","description":"Beacons observed from member networks to %s over TLS.",`+
			`"indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":"%s",`+
			`"labels":["c2","tabadul-bench"]}`, uuid, ts, ts, k, ip, ip, ts)
	}
	sum := sha256.Sum256([]byte(js))
	return record.STIXInput{ID: typ + "--" + uuid, Type: typ, SpecVersion: "2.1", Version: version, JSON: []byte(js), Digest: sum[:]}
}

// BenchmarkTAXII measures the server over loopback HTTP with a million
// objects stored: a 100-object page at the start and deep in the
// collection (latency percentiles), a full sync by paging, and a bare
// JSON encode of the same objects.
//
//	TABADUL_BENCH_DIR=/tmp/taxii-bench go test ./internal/taxii -run '^$' -bench TAXII -benchtime 1x -timeout 60m
func BenchmarkTAXII(b *testing.B) {
	n := benchObjects(b)
	st, rec, clock := benchStore(b, n)
	ctx := context.Background()
	srv, err := New(ctx, Config{Store: st, Recorder: rec, Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	client := hs.Client()
	token, _, err := rec.IssueToken(ctx, "sy-analyst", "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	get := func(b *testing.B, path string) []byte {
		hr, _ := http.NewRequest(http.MethodGet, hs.URL+path, nil)
		hr.SetBasicAuth("sy-analyst", token)
		hr.Header.Set("Accept", taxiiMediaType)
		res, err := client.Do(hr)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d %s", path, res.StatusCode, body[:min(len(body), 300)])
		}
		return body
	}
	// The date_added of every 1,000th object: where deep pages start.
	var marks []time.Time
	for after := (time.Time{}); ; {
		p, err := st.TAXIIObjects(ctx, "SY", store.TAXIIQuery{AddedAfter: after, Limit: 1000, Versions: store.VersionMatch{All: true}})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Objects) == 0 {
			break
		}
		after = p.Objects[len(p.Objects)-1].Added
		marks = append(marks, after)
		if !p.More {
			break
		}
	}
	if len(marks) < n/1000 {
		b.Fatalf("%d marks for %d objects", len(marks), n)
	}
	latency := func(b *testing.B, path func(i int) string) {
		times := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			t0 := time.Now()
			get(b, path(i))
			times = append(times, time.Since(t0))
		}
		b.StopTimer()
		slices.Sort(times)
		ms := func(q float64) float64 {
			return float64(times[min(len(times)-1, int(q*float64(len(times))))].Microseconds()) / 1000
		}
		b.ReportMetric(ms(0.50), "p50-ms")
		b.ReportMetric(ms(0.99), "p99-ms")
		b.ReportMetric(ms(1), "max-ms")
	}
	objects := colPath("shared-with-me") + "objects/"
	b.Run("FirstPage", func(b *testing.B) {
		latency(b, func(int) string { return objects + "?limit=100" })
	})
	rnd := rand.New(rand.NewPCG(1, 1))
	deep := func(pos int) string {
		return url.QueryEscape(timestamp(marks[pos]))
	}
	b.Run("DeepPage", func(b *testing.B) {
		// Random starts in the second half of the collection.
		latency(b, func(int) string {
			return objects + "?limit=100&added_after=" + deep(len(marks)/2+rnd.IntN(len(marks)/2-1))
		})
	})
	b.Run("LastPage", func(b *testing.B) {
		latency(b, func(int) string { return objects + "?limit=100&added_after=" + deep(len(marks)-2) })
	})
	b.Run("DeepPageNext", func(b *testing.B) {
		// The same through next tokens, in a from-XX collection.
		party := center.PartyCode("SY")
		q := query{}
		bound := kindObjects + "\x00from-IQ\x00\x00" + q.binding()
		latency(b, func(int) string {
			tok := srv.pages.token(marks[len(marks)/2+rnd.IntN(len(marks)/2-1)], party, bound)
			return colPath("from-IQ") + "objects/?limit=100&next=" + tok
		})
	})
	b.Run("DeepPageType", func(b *testing.B) {
		// match[type] of the observables, a quarter of the objects.
		latency(b, func(int) string {
			return objects + "?limit=100&match[type]=ipv4-addr&added_after=" + deep(len(marks)/2+rnd.IntN(len(marks)/2-1))
		})
	})
	b.Run("DeepManifest", func(b *testing.B) {
		latency(b, func(int) string {
			return colPath("shared-with-me") + "manifest/?limit=100&added_after=" + deep(len(marks)/2+rnd.IntN(len(marks)/2-1))
		})
	})
	b.Run("FullSync", func(b *testing.B) {
		// A client's full sync: 1,000-object pages with next, each body
		// decoded as a client would.
		total := 0
		b.ResetTimer()
		for range b.N {
			next := ""
			for {
				p := objects + "?limit=1000"
				if next != "" {
					p += "&next=" + next
				}
				var env struct {
					More    bool              `json:"more"`
					Next    string            `json:"next"`
					Objects []json.RawMessage `json:"objects"`
				}
				if err := json.Unmarshal(get(b, p), &env); err != nil {
					b.Fatal(err)
				}
				total += len(env.Objects)
				if !env.More {
					break
				}
				next = env.Next
			}
		}
		b.StopTimer()
		if total != n*b.N {
			b.Fatalf("synced %d objects, want %d", total, n*b.N)
		}
		b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "objects/s")
	})
	b.Run("BareEncode", func(b *testing.B) {
		// The same objects, held in memory, encoded as 1,000-object
		// envelopes by encoding/json and decoded back: what any server
		// pays for the bytes alone.
		var all [][]json.RawMessage
		for after := (time.Time{}); ; {
			p, err := st.TAXIIObjects(ctx, "SY", store.TAXIIQuery{AddedAfter: after, Limit: 1000})
			if err != nil {
				b.Fatal(err)
			}
			page := make([]json.RawMessage, len(p.Objects))
			for i, o := range p.Objects {
				page[i] = o.JSON
			}
			all = append(all, page)
			if !p.More {
				break
			}
			after = p.Objects[len(p.Objects)-1].Added
		}
		total := 0
		b.ResetTimer()
		for range b.N {
			for _, page := range all {
				out, err := json.Marshal(struct {
					More    bool              `json:"more"`
					Objects []json.RawMessage `json:"objects"`
				}{true, page})
				if err != nil {
					b.Fatal(err)
				}
				var env struct {
					Objects []json.RawMessage `json:"objects"`
				}
				if err := json.Unmarshal(out, &env); err != nil {
					b.Fatal(err)
				}
				total += len(env.Objects)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "objects/s")
	})
}
