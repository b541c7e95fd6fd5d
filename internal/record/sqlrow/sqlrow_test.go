package sqlrow_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The decoders are run on rows a real SQLite returns for literal queries;
// both backends' conformance suites run them on their own tables.

const backend = sqlrow.Backend("testdb")

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func query(t *testing.T, db *sql.DB, q string, args ...any) sqlrow.Cursor {
	t.Helper()
	return sqlrow.Query(db.QueryContext(context.Background(), q, args...))
}

// versionRow selects one version row: the columns of VersionColumns in
// order, from literals.
const versionRow = `SELECT 7, 'r1', 1700000000000000, 1600000000000000, 'AA', 'alice', 'T', 'B',
	'en', 'amber', ?, 'B', '2', ?, ?, ?, NULL, NULL`

func TestVersionDecodes(t *testing.T) {
	db := openDB(t)
	observed := int64(1650000000000000)
	for _, tc := range []struct {
		desc                 string
		dist, tags, audience string
		observed             any
		want                 center.Report
		wantErr              string
	}{{
		desc: "every column", dist: `{"parties":["BB"]}`, tags: `["x","y"]`, audience: `["AA","BB"]`, observed: observed,
		want: center.Report{Seq: 7, ID: "r1", Source: "AA", Author: "alice", Title: "T", Body: "B", Language: "en",
			TLP: "amber", Reliability: "B", Credibility: "2", Tags: []string{"x", "y"}, Audience: []center.PartyCode{"AA", "BB"},
			Distribution: center.Distribution{Parties: []center.PartyCode{"BB"}},
			Version:      time.UnixMicro(1700000000000000).UTC(), Created: time.UnixMicro(1600000000000000).UTC(),
			ObservedAt: ptr(time.UnixMicro(observed).UTC())},
	}, {
		desc: "no observation time", dist: `{}`, tags: `[]`, audience: `[]`, observed: nil,
		want: center.Report{Seq: 7, ID: "r1", Source: "AA", Author: "alice", Title: "T", Body: "B", Language: "en",
			TLP: "amber", Reliability: "B", Credibility: "2", Tags: []string{}, Audience: []center.PartyCode{},
			Version: time.UnixMicro(1700000000000000).UTC(), Created: time.UnixMicro(1600000000000000).UTC()},
	}, {
		desc: "tags that are not JSON", dist: `{}`, tags: `[`, audience: `[]`, observed: nil,
		wantErr: "testdb: version 7 tags: ",
	}} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := backend.Version(db.QueryRow(versionRow, tc.dist, tc.tags, tc.audience, tc.observed))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestVersionRowScansOtherColumns(t *testing.T) {
	db := openDB(t)
	var before, after string
	var v sqlrow.VersionRow
	q := strings.Replace(versionRow, "SELECT ", "SELECT 'b', ", 1) + `, 'a'`
	if err := db.QueryRow(q, `{}`, `[]`, `[]`, nil).Scan(append(append([]any{&before}, v.Dest()...), &after)...); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Report(backend)
	if err != nil {
		t.Fatal(err)
	}
	if before != "b" || after != "a" || rep.ID != "r1" || rep.Seq != 7 {
		t.Errorf("scanned %q, %q and report %q seq %d", before, after, rep.ID, rep.Seq)
	}
}

func TestDirectoryGroupsCommitteeMembers(t *testing.T) {
	db := openDB(t)
	dir, err := backend.Directory(
		func() sqlrow.Cursor {
			return query(t, db, `SELECT 'AA', 'member', '{"en":"A"}' UNION ALL SELECT 'BB', 'associate', '{"en":"B"}'`)
		},
		func() sqlrow.Cursor {
			return query(t, db, `SELECT 'c1', '{"en":"One"}', 'AA' UNION ALL SELECT 'c1', '{"en":"One"}', 'BB'
				UNION ALL SELECT 'c2', '{"en":"Two"}', NULL`)
		})
	if err != nil {
		t.Fatal(err)
	}
	want := center.Directory{
		Parties: []center.Party{
			{Code: "AA", Kind: "member", Names: map[string]string{"en": "A"}},
			{Code: "BB", Kind: "associate", Names: map[string]string{"en": "B"}},
		},
		Committees: []center.Committee{
			{Code: "c1", Names: map[string]string{"en": "One"}, Members: []center.PartyCode{"AA", "BB"}},
			{Code: "c2", Names: map[string]string{"en": "Two"}},
		},
	}
	if !reflect.DeepEqual(dir, want) {
		t.Errorf("got  %+v\nwant %+v", dir, want)
	}
}

func TestAllNamesItsErrors(t *testing.T) {
	db := openDB(t)
	for _, tc := range []struct {
		desc, query, want string
	}{
		{"a query that does not run", `SELECT nope FROM nowhere`, "testdb: tokens: "},
		{"a row that does not scan", `SELECT 'id', 'u', 'l', x'00', 'not a time', NULL, NULL, NULL`, "testdb: tokens: "},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			got, err := sqlrow.All(backend, "tokens", query(t, db, tc.query), sqlrow.Token)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || got != nil {
				t.Errorf("got %v, %v; want nil and an error starting %q", got, err, tc.want)
			}
		})
	}
	got, err := sqlrow.All(backend, "tokens", query(t, db, `SELECT 1 WHERE false`), sqlrow.Text)
	if err != nil || got != nil {
		t.Errorf("no rows: got %#v, %v; want nil", got, err)
	}
	empty, err := sqlrow.AppendAll([]string{}, backend, "ids", query(t, db, `SELECT 1 WHERE false`), sqlrow.Text)
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("no rows appended: got %#v, %v; want an empty slice", empty, err)
	}
}

func TestEntityActivityCapsTheTimeline(t *testing.T) {
	db := openDB(t)
	const days = `SELECT '2026-01-01', ? UNION ALL SELECT '2026-01-02', ?`
	for _, tc := range []struct {
		desc           string
		oldest, newest int // the reports counted on each day
		window         int
		want           []store.DayCount
		reports        int
		capped         bool
		wantWindow     int
	}{{
		desc: "under the cap", oldest: 2, newest: 3, window: 10,
		want: []store.DayCount{{Day: "2026-01-01", Count: 2}, {Day: "2026-01-02", Count: 3}}, reports: 5, wantWindow: 5,
	}, {
		desc: "one over the cap, alone on the oldest day", oldest: 1, newest: store.MaxTimeline, window: 3,
		want: []store.DayCount{{Day: "2026-01-02", Count: store.MaxTimeline}}, reports: store.MaxTimeline, capped: true, wantWindow: 3,
	}, {
		desc: "one over the cap on a shared day", oldest: 2, newest: store.MaxTimeline - 1, window: 3,
		want:    []store.DayCount{{Day: "2026-01-01", Count: 1}, {Day: "2026-01-02", Count: store.MaxTimeline - 1}},
		reports: store.MaxTimeline, capped: true, wantWindow: 3,
	}} {
		t.Run(tc.desc, func(t *testing.T) {
			act, err := sqlrow.EntityActivity(backend, tc.window,
				func() sqlrow.Cursor { return query(t, db, days, tc.oldest, tc.newest) },
				func() sqlrow.Cursor { return query(t, db, `SELECT 'entity:e2', 4`) },
				func() sqlrow.Cursor { return query(t, db, `SELECT 'r9' UNION ALL SELECT 'r8'`) })
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(act.Timeline, tc.want) || act.Reports != tc.reports || act.Capped != tc.capped || act.Window != tc.wantWindow {
				t.Errorf("got timeline %v, %d reports, capped %v, window %d", act.Timeline, act.Reports, act.Capped, act.Window)
			}
			wantCo := []store.ItemCount{{Item: store.Item{Key: "entity:e2", Kind: "entity", Value: "e2"}, Count: 4}}
			if !reflect.DeepEqual(act.CoOccurring, wantCo) || !reflect.DeepEqual(act.Recent, []string{"r9", "r8"}) {
				t.Errorf("got co-occurring %v and recent %v", act.CoOccurring, act.Recent)
			}
		})
	}
}

func TestInOrder(t *testing.T) {
	found := []center.Report{{ID: "b", Seq: 2}, {ID: "a", Seq: 1}}
	for _, tc := range []struct {
		desc string
		ids  []string
		want []string
	}{
		{"in the asked order", []string{"a", "b"}, []string{"a", "b"}},
		{"an id twice, once", []string{"b", "a", "b"}, []string{"b", "a"}},
		{"an id not found, left out", []string{"c", "a"}, []string{"a"}},
	} {
		var got []string
		for _, r := range sqlrow.InOrder(tc.ids, found) {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.desc, got, tc.want)
		}
	}
}

func TestPages(t *testing.T) {
	reps := []center.Report{{Seq: 9}, {Seq: 8}, {Seq: 7}}
	for _, tc := range []struct {
		limit int
		items int
		next  int64
	}{{3, 3, 0}, {2, 2, 8}} {
		p := sqlrow.ReportPage(reps, tc.limit)
		if len(p.Items) != tc.items || p.Next != tc.next {
			t.Errorf("limit %d: %d items, next %d; want %d, %d", tc.limit, len(p.Items), p.Next, tc.items, tc.next)
		}
		sp := sqlrow.STIXPage(make([]store.STIXObject, 3), tc.limit)
		if len(sp.Objects) != tc.items || sp.More != (tc.next != 0) {
			t.Errorf("limit %d: %d objects, more %v", tc.limit, len(sp.Objects), sp.More)
		}
	}
}

func TestSignatureRoundTrip(t *testing.T) {
	for _, sig := range [][]uint32{nil, {0}, {1, 0xffffffff, 42}} {
		b := sqlrow.EncodeSignature(sig)
		if len(b) != 4*len(sig) {
			t.Errorf("%v: %d bytes", sig, len(b))
		}
		if got := sqlrow.DecodeSignature(b); len(got) != len(sig) || len(sig) > 0 && !reflect.DeepEqual(got, sig) {
			t.Errorf("%v: decoded %v", sig, got)
		}
	}
}

func TestTAXIIStatusReturnsItsErrorsAsTheyAre(t *testing.T) {
	db := openDB(t)
	_, err := sqlrow.TAXIIStatus(db.QueryRow(`SELECT 1 WHERE false`), "AA", "s1")
	if !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no row: %v, want sql.ErrNoRows", err)
	}
	st, err := sqlrow.TAXIIStatus(db.QueryRow(`SELECT 'u', 1000000, 2000000, 3, '[{"id":"x","version":"v"}]', '[]', '[]'`), "AA", "s1")
	if err != nil {
		t.Fatal(err)
	}
	if st.ID != "s1" || st.Party != "AA" || st.Total != 3 || len(st.Successes) != 1 || st.Updated != time.Unix(2, 0).UTC() {
		t.Errorf("got %+v", st)
	}
}

func ptr[T any](v T) *T { return &v }

func TestSubscriptionsOf(t *testing.T) {
	subs := []store.Subscription{{ID: "a", Party: "IQ"}, {ID: "b", Party: "SY"}, {ID: "c", Party: "IQ"}}
	tests := []struct {
		parties []center.PartyCode
		want    string
		shared  bool // the result is subs itself
	}{
		{[]center.PartyCode{"IQ", "SY", "RU"}, "a b c", true},
		{[]center.PartyCode{"IQ"}, "a c", false},
		{[]center.PartyCode{"SY"}, "b", false},
		{[]center.PartyCode{"RU"}, "", false},
	}
	for _, tt := range tests {
		got := sqlrow.SubscriptionsOf(subs, tt.parties)
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if strings.Join(ids, " ") != tt.want || (len(got) > 0 && &got[0] == &subs[0]) != tt.shared {
			t.Errorf("SubscriptionsOf(%v) = %v (shared: %v), want %q (shared: %v)", tt.parties, ids, len(got) > 0 && &got[0] == &subs[0], tt.want, tt.shared)
		}
	}
}
