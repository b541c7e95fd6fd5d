package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The STIX objects of migration 00010. Every read starts from stix_views,
// the visibility rule's stored decision per party.

func (t *tx) LatestSTIXVersions(ctx context.Context, source center.PartyCode, ids []string) (map[string]store.STIXVersion, error) {
	out := make(map[string]store.STIXVersion, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vs, err := sqlrow.All(backend, "latest stix versions", sqlrow.Query(t.Query(ctx, `
		SELECT o.id, o.modified, o.source, o.digest, coalesce(o.report, '')
		FROM stix_objects o
		WHERE o.id = ANY($1) AND o.source = $2 AND o.latest`, ids, string(source))), sqlrow.STIXVersion)
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
	// The batch holds the write lock: no other node assigns date_added
	// meanwhile.
	var last int64
	if err := t.QueryRow(ctx, `SELECT coalesce(max(added), 0) FROM stix_objects`).Scan(&last); err != nil {
		return nil, fmt.Errorf("postgres: newest stix date_added: %w", err)
	}
	next := max(micros(at), last+1)
	source := string(objs[0].Source)
	ids := make([]string, len(objs))
	mods := make([]int64, len(objs))
	for i, o := range objs {
		if i > 0 && o.Source != objs[0].Source {
			return nil, fmt.Errorf("postgres: insert stix: one source per call")
		}
		ids[i], mods[i] = o.ID, sqlrow.ZeroMicros(o.Modified)
	}
	// A newer version takes over "latest" from the one before it. (An
	// older version, which the write path never sends, goes in below the
	// newest, not latest.)
	if err := t.exec(ctx, "retire stix versions", `
		UPDATE stix_objects o SET latest = false
		FROM unnest($1::text[], $2::bigint[]) AS j (id, m)
		WHERE o.id = j.id AND o.source = $3 AND o.latest AND o.modified < j.m`, ids, mods, source); err != nil {
		return nil, err
	}
	rows, err := t.Query(ctx, `
		SELECT DISTINCT j.id FROM unnest($1::text[], $2::bigint[]) AS j (id, m)
		JOIN stix_objects o ON o.id = j.id AND o.source = $3 AND o.modified > j.m`, ids, mods, source)
	if err != nil {
		return nil, fmt.Errorf("postgres: stix versions: %w", err)
	}
	older, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: stix versions: %w", err)
	}
	// Of several versions of one object in the batch, only the newest is
	// latest, and none is if a newer one is stored.
	newest := make(map[string]int64, len(objs))
	for i, o := range objs {
		if m, ok := newest[o.ID]; !ok || mods[i] > m {
			newest[o.ID] = mods[i]
		}
	}
	for _, id := range older {
		newest[id] = math.MaxInt64
	}
	n := len(objs)
	var (
		addeds                  = make([]int64, n)
		types, specs, tlps      = make([]string, n), make([]string, n), make([]string, n)
		dists, audiences, jsons = make([]string, n), make([]string, n), make([]string, n)
		latest                  = make([]bool, n)
		reports                 = make([]*string, n)
		reportSeqs              = make([]*int64, n)
		digests                 = make([][]byte, n)
		vParty, vType           []string
		vAdded                  []int64
		lastDist, lastAudience  string
		lastDistV               center.Distribution
		lastAudienceV           []center.PartyCode
		haveDist, haveAudience  bool
		added                   = make([]time.Time, n)
	)
	for i, o := range objs {
		// A batch shares one distribution and audience: encode them once.
		if !haveDist || !sameDistribution(o.Distribution, lastDistV) {
			b, err := json.Marshal(o.Distribution)
			if err != nil {
				return nil, fmt.Errorf("postgres: distribution: %w", err)
			}
			lastDist, lastDistV, haveDist = string(b), o.Distribution, true
		}
		if !haveAudience || !slices.Equal(o.Audience, lastAudienceV) {
			b, _ := json.Marshal(o.Audience)
			lastAudience, lastAudienceV, haveAudience = string(b), o.Audience, true
		}
		addeds[i] = next
		types[i], specs[i], tlps[i] = o.Type, o.SpecVersion, string(o.TLP)
		dists[i], audiences[i], jsons[i] = lastDist, lastAudience, string(o.JSON)
		latest[i] = mods[i] >= newest[o.ID]
		if o.Report != "" {
			r, s := o.Report, o.ReportSeq
			reports[i], reportSeqs[i] = &r, &s
		}
		digests[i] = nonNil(o.Digest)
		for _, p := range o.Audience {
			vParty, vAdded, vType = append(vParty, string(p)), append(vAdded, next), append(vType, o.Type)
		}
		added[i] = fromMicros(next)
		next++
	}
	if err := t.exec(ctx, "insert stix objects", `
		INSERT INTO stix_objects (added, id, type, spec_version, modified, latest, source, tlp, distribution,
			audience, report, report_seq, digest, object)
		SELECT x.added, x.id, x.type, x.spec, x.modified, x.latest, $1, x.tlp, x.dist, x.aud, x.report, x.report_seq, x.digest, x.object
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::boolean[], $8::text[],
			$9::text[], $10::text[], $11::text[], $12::bigint[], $13::bytea[], $14::text[])
			AS x (added, id, type, spec, modified, latest, tlp, dist, aud, report, report_seq, digest, object)`,
		source, addeds, ids, types, specs, mods, latest, tlps, dists, audiences, reports, reportSeqs, digests, jsons); err != nil {
		return nil, err
	}
	if len(vParty) > 0 {
		if err := t.exec(ctx, "insert stix views", `
			INSERT INTO stix_views (party, added, type)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])`, vParty, vAdded, vType); err != nil {
			return nil, err
		}
	}
	return added, nil
}

func sameDistribution(a, b center.Distribution) bool {
	return a.All == b.All && a.Committee == b.Committee && slices.Equal(a.Parties, b.Parties)
}

func (t *tx) RevokeSTIX(ctx context.Context, source center.PartyCode, id string, modified, at time.Time) error {
	tag, err := t.Exec(ctx, `UPDATE stix_objects SET revoked = $1 WHERE id = $2 AND source = $3 AND modified = $4 AND revoked IS NULL`,
		micros(at), id, string(source), sqlrow.ZeroMicros(modified))
	if err != nil {
		return fmt.Errorf("postgres: revoke stix %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: stix %s: %w", id, center.ErrNotFound)
	}
	return nil
}

const stixColumns = sqlrow.STIXColumns

func scanSTIX(rows pgx.Rows) ([]store.STIXObject, error) {
	defer rows.Close()
	return backend.STIXObjects(rows)
}

func (s *Store) STIXObjects(ctx context.Context, viewer center.PartyCode, q store.STIXQuery) (store.STIXPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxSTIXPageSize {
		return store.STIXPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxSTIXPageSize)
	}
	var p params
	after := int64(0)
	if !q.AddedAfter.IsZero() {
		after = micros(q.AddedAfter)
	}
	var where strings.Builder
	where.WriteString(`v.party = ` + p.add(string(viewer)) + ` AND v.added > ` + p.add(after))
	if len(q.Types) > 0 {
		where.WriteString(` AND v.type = ANY(` + p.add(q.Types) + `)`)
	}
	if len(q.IDs) > 0 {
		where.WriteString(` AND o.id = ANY(` + p.add(q.IDs) + `)`)
	}
	if len(q.Versions) > 0 {
		ms := make([]int64, len(q.Versions))
		for i, v := range q.Versions {
			ms[i] = sqlrow.ZeroMicros(v)
		}
		where.WriteString(` AND o.modified = ANY(` + p.add(ms) + `)`)
	}
	if q.Source != "" {
		where.WriteString(` AND o.source = ` + p.add(string(q.Source)))
	}
	if q.LatestOnly {
		where.WriteString(` AND o.latest`)
	}
	if !q.WithRevoked {
		where.WriteString(` AND o.revoked IS NULL`)
	}
	limit := p.add(q.Limit + 1)
	rows, err := s.pool.Query(ctx, `
		SELECT `+stixColumns+`
		FROM stix_views v JOIN stix_objects o ON o.added = v.added
		WHERE `+where.String()+`
		ORDER BY v.added
		LIMIT `+limit, p.args...)
	if err != nil {
		return store.STIXPage{}, fmt.Errorf("postgres: stix objects: %w", err)
	}
	objs, err := scanSTIX(rows)
	if err != nil {
		return store.STIXPage{}, err
	}
	return sqlrow.STIXPage(objs, q.Limit), nil
}

func (s *Store) STIXObjectVersions(ctx context.Context, viewer center.PartyCode, id string) ([]store.STIXObject, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+stixColumns+`
		FROM stix_objects o JOIN stix_views v ON v.party = $1 AND v.added = o.added
		WHERE o.id = $2
		ORDER BY o.modified, o.added`, string(viewer), id)
	if err != nil {
		return nil, fmt.Errorf("postgres: stix versions of %s: %w", id, err)
	}
	out, err := scanSTIX(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("postgres: stix %q: %w", id, center.ErrNotFound)
	}
	return out, nil
}
