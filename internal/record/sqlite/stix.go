package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

func (t *tx) LatestSTIXVersions(ctx context.Context, source center.PartyCode, ids []string) (map[string]store.STIXVersion, error) {
	out := make(map[string]store.STIXVersion, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stix ids: %w", err)
	}
	vs, err := sqlrow.All(backend, "latest stix versions", sqlrow.Query(t.QueryContext(ctx, `
		SELECT o.id, o.modified, o.source, o.digest, coalesce(o.report, '')
		FROM stix_objects o
		WHERE o.id IN (SELECT value FROM json_each(?)) AND o.source = ? AND o.latest = 1`, string(list), source)), sqlrow.STIXVersion)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, nil
}

func (t *tx) InsertSTIX(ctx context.Context, at time.Time, objs []store.STIXObject) ([]time.Time, error) {
	if len(objs) == 0 {
		return nil, nil
	}
	var last int64
	if err := t.QueryRowContext(ctx, `SELECT coalesce(max(added), 0) FROM stix_objects`).Scan(&last); err != nil {
		return nil, fmt.Errorf("sqlite: newest stix date_added: %w", err)
	}
	next := max(micros(at), last+1)
	// A newer version takes over "latest" from the one before it: one
	// statement for the batch. (An older version, which the write path
	// never sends, goes in below the newest, not latest.)
	type idMod struct {
		ID  string `json:"i"`
		Mod int64  `json:"m"`
	}
	pairs := make([]idMod, len(objs))
	for i, o := range objs {
		if i > 0 && o.Source != objs[0].Source {
			return nil, fmt.Errorf("sqlite: insert stix: one source per call")
		}
		pairs[i] = idMod{o.ID, sqlrow.ZeroMicros(o.Modified)}
	}
	list, _ := json.Marshal(pairs)
	// Statements here run OR FAIL: a failure aborts the whole update (its
	// savepoint is rolled back), so SQLite need not keep a statement
	// journal per statement — which, inside a savepoint of thousands of
	// rows, cost more than the inserts. CROSS JOIN keeps the batch's ids
	// the outer loop, each a lookup in the (id, source, modified) index:
	// left to itself, the planner may walk every object of the source (by
	// TAXII's index on source) for each id, quadratic in the collection.
	if err := t.exec(ctx, "retire stix versions", `
		UPDATE OR FAIL stix_objects SET latest = 0
		WHERE added IN (SELECT o.added FROM json_each(?) j
			CROSS JOIN stix_objects o ON o.id = j.value ->> 'i' AND o.source = ? AND o.latest = 1 AND o.modified < j.value ->> 'm')`,
		string(list), objs[0].Source); err != nil {
		return nil, err
	}
	var older []string
	if err := func() error {
		rows, err := t.QueryContext(ctx, `
			SELECT DISTINCT j.value ->> 'i' FROM json_each(?) j
			CROSS JOIN stix_objects o ON o.id = j.value ->> 'i' AND o.source = ? AND o.modified > j.value ->> 'm'`,
			string(list), objs[0].Source)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			older = append(older, id)
		}
		return rows.Err()
	}(); err != nil {
		return nil, fmt.Errorf("sqlite: stix versions: %w", err)
	}
	// Of several versions of one object in the batch, only the newest is
	// latest, and none is if a newer one is stored.
	newest := make(map[string]int64, len(objs))
	for _, o := range objs {
		if m, ok := newest[o.ID]; !ok || sqlrow.ZeroMicros(o.Modified) > m {
			newest[o.ID] = sqlrow.ZeroMicros(o.Modified)
		}
	}
	for _, id := range older {
		newest[id] = math.MaxInt64
	}
	added := make([]time.Time, len(objs))
	var lastDist, lastAudience []byte
	var lastDistV center.Distribution
	var lastAudienceV []center.PartyCode
	args := make([]any, 0, stixChunk*stixInsertColumns)
	// The objects' insert is the exception to OR FAIL sparing the
	// statement journal: it names each row's rowid (added), and SQLite
	// journals any multi-row insert that does (see migration 00024). That
	// was 3% of an import's CPU; a statement per object would cost more.
	flush := func(rows int) error {
		if rows == 0 {
			return nil
		}
		err := t.exec(ctx, "insert stix objects", stixInsert(rows), args...)
		args = args[:0]
		return err
	}
	// The views of a run of objects with one audience go in with one
	// statement, in party order: appends at the end of each party's range.
	runStart := next
	flushViews := func(end int64) error {
		if end <= runStart || lastAudience == nil {
			return nil
		}
		err := t.exec(ctx, "insert stix views", `
			INSERT OR FAIL INTO stix_views (party, added, type)
			SELECT a.value, o.added, o.type FROM json_each(?) a JOIN stix_objects o ON o.added >= ? AND o.added < ?
			ORDER BY a.value, o.added`, string(lastAudience), runStart, end)
		runStart = end
		return err
	}
	for i, o := range objs {
		// A batch shares one distribution and audience: encode them once.
		if lastDist == nil || !sameDistribution(o.Distribution, lastDistV) {
			b, err := json.Marshal(o.Distribution)
			if err != nil {
				return nil, fmt.Errorf("sqlite: distribution: %w", err)
			}
			lastDist, lastDistV = b, o.Distribution
		}
		if lastAudience == nil || !slices.Equal(o.Audience, lastAudienceV) {
			if err := flush(len(args) / stixInsertColumns); err != nil {
				return nil, err
			}
			if err := flushViews(next); err != nil {
				return nil, err
			}
			lastAudience, _ = json.Marshal(o.Audience)
			lastAudienceV = o.Audience
		}
		latest := 1
		if sqlrow.ZeroMicros(o.Modified) < newest[o.ID] {
			latest = 0
		}
		var report sql.NullString
		var reportSeq sql.NullInt64
		if o.Report != "" {
			report = sql.NullString{String: o.Report, Valid: true}
			reportSeq = sql.NullInt64{Int64: o.ReportSeq, Valid: true}
		}
		args = append(args, next, o.ID, o.Type, o.SpecVersion, sqlrow.ZeroMicros(o.Modified), latest, o.Source, o.TLP, string(lastDist),
			string(lastAudience), report, reportSeq, o.Digest, string(o.JSON))
		if len(args) == stixChunk*stixInsertColumns {
			if err := flush(stixChunk); err != nil {
				return nil, err
			}
		}
		added[i] = fromMicros(next)
		next++
	}
	if err := flush(len(args) / stixInsertColumns); err != nil {
		return nil, err
	}
	if err := flushViews(next); err != nil {
		return nil, err
	}
	return added, nil
}

// Objects go in stixChunk rows per statement: the statement's own cost
// was half an object's.
const (
	stixChunk         = 64
	stixInsertColumns = 14
)

var stixInserts sync.Map // rows -> statement text

func stixInsert(rows int) string {
	if q, ok := stixInserts.Load(rows); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT OR FAIL INTO stix_objects (added, id, type, spec_version, modified, latest, source, tlp, distribution,
		audience, report, report_seq, digest, object) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
	}
	q := b.String()
	stixInserts.Store(rows, q)
	return q
}

func sameDistribution(a, b center.Distribution) bool {
	return a.All == b.All && a.Committee == b.Committee && slices.Equal(a.Parties, b.Parties)
}

func (t *tx) RevokeSTIX(ctx context.Context, source center.PartyCode, id string, modified, at time.Time) error {
	res, err := t.ExecContext(ctx, `UPDATE stix_objects SET revoked = ? WHERE id = ? AND source = ? AND modified = ? AND revoked IS NULL`,
		micros(at), id, source, sqlrow.ZeroMicros(modified))
	if err != nil {
		return fmt.Errorf("sqlite: revoke stix %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: stix %s: %w", id, center.ErrNotFound)
	}
	return nil
}

const stixColumns = sqlrow.STIXColumns

func scanSTIX(rows *sql.Rows) ([]store.STIXObject, error) {
	defer rows.Close()
	return backend.STIXObjects(rows)
}

func (s *Store) STIXObjects(ctx context.Context, viewer center.PartyCode, q store.STIXQuery) (store.STIXPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxSTIXPageSize {
		return store.STIXPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxSTIXPageSize)
	}
	var where strings.Builder
	args := []any{viewer, micros(q.AddedAfter)}
	if q.AddedAfter.IsZero() {
		args[1] = int64(0)
	}
	where.WriteString(`v.party = ? AND v.added > ?`)
	if len(q.Types) > 0 {
		list, _ := json.Marshal(q.Types)
		where.WriteString(` AND v.type IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	}
	if len(q.IDs) > 0 {
		list, _ := json.Marshal(q.IDs)
		where.WriteString(` AND o.id IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	}
	if len(q.Versions) > 0 {
		ms := make([]int64, len(q.Versions))
		for i, v := range q.Versions {
			ms[i] = sqlrow.ZeroMicros(v)
		}
		list, _ := json.Marshal(ms)
		where.WriteString(` AND o.modified IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	}
	if q.Source != "" {
		where.WriteString(` AND o.source = ?`)
		args = append(args, q.Source)
	}
	if q.LatestOnly {
		where.WriteString(` AND o.latest = 1`)
	}
	if !q.WithRevoked {
		where.WriteString(` AND o.revoked IS NULL`)
	}
	args = append(args, q.Limit+1)
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+stixColumns+`
		FROM stix_views v JOIN stix_objects o ON o.added = v.added
		WHERE `+where.String()+`
		ORDER BY v.added
		LIMIT ?`, args...)
	if err != nil {
		return store.STIXPage{}, fmt.Errorf("sqlite: stix objects: %w", err)
	}
	objs, err := scanSTIX(rows)
	if err != nil {
		return store.STIXPage{}, err
	}
	return sqlrow.STIXPage(objs, q.Limit), nil
}

func (s *Store) STIXObjectVersions(ctx context.Context, viewer center.PartyCode, id string) ([]store.STIXObject, error) {
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+stixColumns+`
		FROM stix_objects o JOIN stix_views v ON v.party = ? AND v.added = o.added
		WHERE o.id = ?
		ORDER BY o.modified`, viewer, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stix versions of %s: %w", id, err)
	}
	out, err := scanSTIX(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sqlite: stix %q: %w", id, center.ErrNotFound)
	}
	return out, nil
}
