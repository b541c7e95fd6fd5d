package postgres_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/testkit"
)

// TestCopyCenterKeepsEveryFeature: a SQLite center with rows in the
// tables of every feature — entities and their links, distribution,
// STIX objects, feeds, TAXII — is copied into PostgreSQL with CopyCenter;
// every table holds as many rows on both sides, and the readers of both
// stores give the same answers.
func TestCopyCenterKeepsEveryFeature(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "tabadul.db")
	ls, err := sqlite.Open(ctx, path, sqlite.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	rec := record.NewRecorder(ls, clock, center.DefaultLimits)
	if err := rec.Found(ctx, testkit.Charter()); err != nil {
		t.Fatal(err)
	}
	rec.ExtractWith(analyze.NewRegistry(ls))
	if _, err := rec.SeedEntities(ctx, []store.Entity{{ID: "location--IQ", Type: store.Location, Name: "Iraq",
		Aliases: []store.Alias{{Lang: "en", Name: "Iraq"}, {Lang: "ar", Name: "العراق"}}}}); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("A convoy of trucks crossed from Iraq near the border post at dawn, seen from 10.9.8.7 by the patrol. ", 4)
	var reports []center.Report
	for _, who := range []center.PartyCode{"IQ", "SY", "IR"} {
		r, err := rec.SubmitReport(ctx, testkit.Analyst(who), center.Draft{Title: "convoy " + string(who), Body: body,
			Language: "en", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
		clock.Advance(time.Minute)
	}
	now := clock.Now()
	digest := sha256.Sum256([]byte("x"))
	err = ls.Update(ctx, func(tx store.Tx) error {
		for _, e := range []store.Endpoint{
			{ID: "ep-1", Party: "IQ", URL: "https://iq.example/hook", Ordered: true, Secret: []byte("sealed"), Created: now},
			{ID: "ep-2", Party: "SY", URL: "https://sy.example/hook", Secret: []byte("sealed2"), PrevSecret: []byte("old"), PrevUntil: &now, Created: now},
		} {
			if err := tx.InsertEndpoint(ctx, e); err != nil {
				return err
			}
		}
		if err := tx.InsertSubscription(ctx, store.Subscription{ID: "sub-1", Party: "IQ", Endpoint: "ep-1",
			Filter: store.Filter{Tags: []string{"convoy"}}, Created: now}); err != nil {
			return err
		}
		seq, err := tx.AppendInbox(ctx, store.InboxEntry{Party: "IQ", Type: store.InboxCreated, Report: reports[1].ID, VersionSeq: reports[1].Seq, At: now})
		if err != nil {
			return err
		}
		d, err := tx.InsertDelivery(ctx, store.Delivery{ID: "wh-1", Party: "IQ", Endpoint: "ep-1", Subscription: "sub-1", InboxSeq: seq, Created: now, NextAttempt: now})
		if err != nil {
			return err
		}
		if err := tx.FinishAttempt(ctx, store.FinishedAttempt{Seq: d, Attempt: store.Attempt{At: now, Status: 500, Latency: 3 * time.Millisecond, Error: "server error"}, State: store.Pending, Next: now.Add(time.Minute)}); err != nil {
			return err
		}
		if _, err := tx.InsertSTIX(ctx, now, []store.STIXObject{
			{ID: "indicator--1", Type: "indicator", SpecVersion: "2.1", Modified: now, Source: "IQ", TLP: center.TLPGreen,
				Distribution: center.Distribution{All: true}, Audience: []center.PartyCode{"IQ", "SY"}, Digest: digest[:], JSON: []byte(`{"id":"indicator--1"}`)},
			{ID: "ipv4-addr--2", Type: "ipv4-addr", SpecVersion: "2.1", Source: "IQ", TLP: center.TLPGreen,
				Distribution: center.Distribution{All: true}, Audience: []center.PartyCode{"IQ"}, Digest: digest[:], JSON: []byte(`{"id":"ipv4-addr--2"}`),
				Report: reports[0].ID, ReportSeq: reports[0].Seq},
		}); err != nil {
			return err
		}
		if err := tx.PutFeed(ctx, store.Feed{ID: "feed--1", URL: "https://news.example/rss", Interval: time.Hour, Language: "ar", Party: "IQ", Created: now}); err != nil {
			return err
		}
		if err := tx.PutFeedState(ctx, store.FeedState{ID: "feed--1", ETag: `"e"`, LastPoll: now, LastSuccess: now, ItemsTaken: 1, NextPoll: now.Add(time.Hour)}); err != nil {
			return err
		}
		if err := tx.PutFeedItem(ctx, store.FeedItem{Feed: "feed--1", Key: "k1", Report: reports[0].ID, Words: "convoy iraq", Taken: now}); err != nil {
			return err
		}
		if err := tx.PutTAXIIRemote(ctx, store.TAXIIRemote{ID: "taxii-remote--1", Party: "SY", Distribution: center.Distribution{All: true},
			DefaultTLP: center.TLPAmber, APIRoot: "https://taxii.example/api/", Collection: "c1", SealedSecret: []byte("s"), Created: now}); err != nil {
			return err
		}
		if err := tx.PutTAXIICursor(ctx, store.TAXIICursor{ID: "taxii-remote--1", AddedAfter: "2026-12-01T08:00:00.000Z", LastPoll: now, Objects: 7}); err != nil {
			return err
		}
		if err := tx.PutTAXIIStatus(ctx, store.TAXIIStatus{ID: "status-1", Party: "IR", Username: "ir-analyst", Requested: now, Updated: now,
			Total: 1, Successes: []store.TAXIIStatusDetail{{ID: "indicator--1", Version: "v"}}}); err != nil {
			return err
		}
		return tx.SetTAXIIDistribution(ctx, "IR", center.Distribution{Parties: []center.PartyCode{"IQ"}})
	})
	if err != nil {
		t.Fatal(err)
	}

	url := pgtest.NewDatabase(t)
	ps, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	counts, err := ps.CopyCenter(ctx, raw, func(title, body, language string) store.SearchDoc {
		doc, _ := analyze.Indexer{}.AnalyzeReport(title, body, language)
		return doc
	})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// The planner knows the copied tables' sizes at once: COPY leaves
	// pg_class.reltuples as the empty tables' indexes set it, ANALYZE
	// counts the rows.
	for _, table := range []string{"versions", "report_views", "search"} {
		var tuples float64
		if err := pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, table).Scan(&tuples); err != nil || tuples <= 0 {
			t.Errorf("%s not analyzed after the copy: reltuples %v, %v", table, tuples, err)
		}
	}
	for _, table := range postgres.CopiedTables {
		var lite, pg int64
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&lite); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&pg); err != nil {
			t.Fatal(err)
		}
		if lite != pg || counts[table] != lite {
			t.Errorf("%s: %d rows on SQLite, %d copied, %d on PostgreSQL", table, lite, counts[table], pg)
		}
	}

	// The same answers from both stores.
	same := func(what string, read func(store.Reader) (any, error)) {
		t.Helper()
		a, aerr := read(ls)
		b, berr := read(ps)
		if v := reflect.ValueOf(a); !v.IsValid() || v.IsZero() || v.Kind() == reflect.Slice && v.Len() == 0 {
			t.Errorf("%s: SQLite answers nothing (%v): the comparison would prove nothing", what, aerr)
		}
		if aerr != nil || berr != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\nSQLite     %+v, %v\nPostgreSQL %+v, %v", what, a, aerr, b, berr)
		}
	}
	for _, r := range reports {
		same("links of "+r.ID, func(s store.Reader) (any, error) {
			ms, os, err := s.ReportLinks(ctx, "IQ", r.ID)
			return fmt.Sprint(ms, os), err
		})
		same("near-duplicates of "+r.ID, func(s store.Reader) (any, error) { return s.NearDuplicates(ctx, "IQ", r.ID) })
		same("related to "+r.ID, func(s store.Reader) (any, error) { return s.RelatedPostings(ctx, "SY", r.ID, 5) })
	}
	same("entities", func(s store.Reader) (any, error) { return s.Entities(ctx, store.EntityQuery{}) })
	same("activity", func(s store.Reader) (any, error) { return s.EntityActivity(ctx, "IR", "location--IQ", 10, 10) })
	same("endpoints", func(s store.Reader) (any, error) { return s.Endpoints(ctx, "SY") })
	same("endpoint health", func(s store.Reader) (any, error) { return s.EndpointHealth(ctx, "IQ", "ep-1") })
	same("subscriptions", func(s store.Reader) (any, error) { return s.Subscriptions(ctx, "IQ") })
	same("inbox", func(s store.Reader) (any, error) { return s.Inbox(ctx, "IQ", 0, 10) })
	same("deliveries", func(s store.Reader) (any, error) {
		return s.Deliveries(ctx, "IQ", store.DeliveryQuery{Limit: 10})
	})
	same("due", func(s store.Reader) (any, error) {
		return s.DueDeliveries(ctx, store.DueQuery{Now: now.Add(time.Hour), Limit: 10})
	})
	same("stix", func(s store.Reader) (any, error) {
		return s.STIXObjects(ctx, "IQ", store.STIXQuery{Limit: 10, LatestOnly: true})
	})
	same("taxii", func(s store.Reader) (any, error) {
		return s.TAXIIObjects(ctx, "IQ", store.TAXIIQuery{Limit: 10, Types: []string{"ipv4-addr"}})
	})
	same("feeds", func(s store.Reader) (any, error) {
		fs, sts, err := s.Feeds(ctx)
		return fmt.Sprint(fs, sts), err
	})
	same("taxii remotes", func(s store.Reader) (any, error) {
		rs, cs, err := s.TAXIIRemotes(ctx)
		return fmt.Sprint(rs, cs), err
	})
	same("taxii status", func(s store.Reader) (any, error) { return s.TAXIIStatus(ctx, "IR", "status-1") })
	same("taxii distribution", func(s store.Reader) (any, error) {
		d, ok, err := s.TAXIIDistribution(ctx, "IR")
		return fmt.Sprint(d, ok), err
	})
}
