package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The registry's tables are read the same way by the write path and the
// readers; every read that says anything about reports starts from the
// viewer's report_views rows, as read.go's do.

const entityColumns = sqlrow.EntityColumns

func readEntity(ctx context.Context, q querier, id string) (store.Entity, error) {
	e, err := sqlrow.Entity(q.QueryRow(ctx, `SELECT `+entityColumns+` FROM entities WHERE id = $1`, id))
	if err != nil {
		return e, notFound("entity", id, err)
	}
	e.Aliases, err = sqlrow.AppendAll([]store.Alias{}, backend, "aliases of "+id, sqlrow.Query(q.Query(ctx,
		`SELECT `+sqlrow.AliasColumns+` FROM entity_aliases WHERE entity = $1 ORDER BY pos`, id)), sqlrow.Alias)
	return e, err
}

func (t *tx) Entity(ctx context.Context, id string) (store.Entity, error) {
	return readEntity(ctx, t, id)
}

func (s *Store) Entity(ctx context.Context, id string) (store.Entity, error) {
	return readEntity(ctx, s.pool, id)
}

func (t *tx) PutEntity(ctx context.Context, e store.Entity) error {
	if err := t.exec(ctx, "put entity "+e.ID, `
		INSERT INTO entities (id, type, name, status, merged_into, proposed_by, source, created, updated)
		VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, status = excluded.status,
			merged_into = excluded.merged_into, updated = excluded.updated`,
		e.ID, string(e.Type), e.Name, string(e.Status), e.MergedInto, string(e.ProposedBy), e.Source,
		micros(e.Created), micros(e.Updated)); err != nil {
		return err
	}
	if err := t.exec(ctx, "clear aliases", `DELETE FROM entity_aliases WHERE entity = $1`, e.ID); err != nil {
		return err
	}
	n := len(e.Aliases)
	langs, names, norms, keys := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	statuses, by := make([]string, n), make([]string, n)
	for i, a := range e.Aliases {
		langs[i], names[i], norms[i], keys[i] = a.Lang, a.Name, a.Norm, a.Key
		statuses[i], by[i] = string(a.Status), string(a.ProposedBy)
	}
	if e.Status == store.Accepted || e.Status == store.Proposed {
		// A name another entity has accepted is a conflict: one name, one
		// thing (a merge, not a second entity, joins two). Pending names
		// do not count: a party must not learn from a refusal what
		// another party proposed; the chair meets the clash on accepting.
		var other string
		err := t.QueryRow(ctx, `
			SELECT a.entity FROM entity_aliases a JOIN entities x ON x.id = a.entity
			JOIN unnest($1::text[], $2::text[]) AS j (lang, name) ON a.lang = j.lang AND a.name = j.name
			WHERE a.entity != $3 AND x.status = 'accepted' AND a.status = 'accepted' LIMIT 1`, langs, names, e.ID).Scan(&other)
		if err == nil {
			return center.Refuse(center.ErrConflict, "a name of %s is already a name of %s", e.ID, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: alias conflict: %w", err)
		}
	}
	if n == 0 {
		return nil
	}
	return t.exec(ctx, "put aliases", `
		INSERT INTO entity_aliases (entity, lang, name, norm, key, status, proposed_by, pos)
		SELECT $1, a.lang, a.name, a.norm, a.key, a.status, a.by, a.pos - 1
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
			WITH ORDINALITY AS a (lang, name, norm, key, status, by, pos)`,
		e.ID, langs, names, norms, keys, statuses, by)
}

func (t *tx) MoveLinks(ctx context.Context, from, into string, aliases []string) error {
	// A mention the target already has at the same place is dropped, as
	// SQLite's UPDATE OR IGNORE drops it.
	cond, args := "", []any{into, from}
	if aliases != nil {
		cond = ` AND alias = ANY($3)`
		args = append(args, aliases)
	}
	if err := t.exec(ctx, "move mentions", `
		UPDATE entity_mentions m SET entity = $1 WHERE m.entity = $2`+cond+`
		AND NOT EXISTS (SELECT 1 FROM entity_mentions o WHERE o.seq = m.seq AND o.start = m.start AND o.entity = $1)`,
		args...); err != nil {
		return err
	}
	dcond := ""
	if aliases != nil {
		dcond = ` AND alias = ANY($2)`
	}
	if err := t.exec(ctx, "move mentions", `DELETE FROM entity_mentions WHERE entity = $1`+dcond, args[1:]...); err != nil {
		return err
	}
	if err := t.exec(ctx, "move items", `
		DELETE FROM version_items WHERE item = 'entity:' || $1
		AND seq NOT IN (SELECT seq FROM entity_mentions WHERE entity = $1)`, from); err != nil {
		return err
	}
	return t.exec(ctx, "move items", `
		INSERT INTO version_items (item, seq)
		SELECT DISTINCT 'entity:' || $1, seq FROM entity_mentions WHERE entity = $1
		ON CONFLICT DO NOTHING`, into)
}

func (t *tx) DupCandidates(ctx context.Context, bands []int64, limit int) ([]store.DupCandidate, error) {
	if len(bands) == 0 {
		return nil, nil
	}
	return sqlrow.All(backend, "near-duplicate candidates", sqlrow.Query(t.Query(ctx, `
		SELECT s.seq, r.id, s.signature FROM dup_signatures s
		JOIN versions v ON v.seq = s.seq JOIN reports r ON r.rid = v.rid
		WHERE s.seq IN (SELECT seq FROM dup_bands WHERE band = ANY($1))
		ORDER BY s.seq DESC LIMIT $2`, bands, limitOf(limit))), sqlrow.DupCandidate)
}

// The signature is stored as SQLite stores it, so that a copied center's
// rows mean the same.

// PutExtraction writes every row in one statement of data-modifying CTEs,
// sent with the transaction's next statement (the event), as the search
// index's row is.
func (t *tx) PutExtraction(ctx context.Context, seq int64, x store.Extraction, dups []store.DupEdge) error {
	var mEnt, mAlias []string
	var mStart, mEnd []int64
	items := map[string]bool{}
	for _, m := range x.Mentions {
		mEnt, mAlias = append(mEnt, m.Entity), append(mAlias, m.Alias)
		mStart, mEnd = append(mStart, int64(m.Start)), append(mEnd, int64(m.End))
		items["entity:"+m.Entity] = true
	}
	var oKind, oValue []string
	var oStart, oEnd []int64
	for _, o := range x.Observables {
		oKind, oValue = append(oKind, o.Kind), append(oValue, o.Value)
		oStart, oEnd = append(oStart, int64(o.Start)), append(oEnd, int64(o.End))
		items[o.Kind+":"+o.Value] = true
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	// Without a signature, neither bands nor near-duplicates are kept.
	var sig []byte
	bands := x.Bands
	var dSeq []int64
	var dSim []float64
	if len(x.Signature) > 0 {
		sig = sqlrow.EncodeSignature(x.Signature)
		for _, d := range dups {
			dSeq, dSim = append(dSeq, d.Seq), append(dSim, d.Similarity)
		}
	} else {
		bands = nil
	}
	t.later("link version", `
		WITH m AS (
			INSERT INTO entity_mentions (seq, entity, alias, start, "end")
			SELECT $1, x.e, x.a, x.s, x.n FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS x (e, a, s, n)
			ON CONFLICT DO NOTHING
		), o AS (
			INSERT INTO version_observables (seq, kind, value, start, "end")
			SELECT $1, x.k, x.v, x.s, x.n FROM unnest($6::text[], $7::text[], $8::bigint[], $9::bigint[]) AS x (k, v, s, n)
			ON CONFLICT DO NOTHING
		), i AS (
			INSERT INTO version_items (item, seq) SELECT x, $1 FROM unnest($10::text[]) AS x
			ON CONFLICT DO NOTHING
		), s AS (
			INSERT INTO dup_signatures (seq, signature) SELECT $1, $11::bytea WHERE $11::bytea IS NOT NULL
		), b AS (
			INSERT INTO dup_bands (band, seq) SELECT x, $1 FROM unnest($12::bigint[]) AS x
			ON CONFLICT DO NOTHING
		), d AS (
			INSERT INTO dup_edges (a_seq, b_seq, similarity)
			SELECT $1, x.b, x.sim FROM unnest($13::bigint[], $14::float8[]) AS x (b, sim)
			ON CONFLICT DO NOTHING
		)
		SELECT`,
		seq, mEnt, mAlias, mStart, mEnd, oKind, oValue, oStart, oEnd, keys, sig, bands, dSeq, dSim)
	return nil
}

// Entities implements store.Reader.
func (s *Store) Entities(ctx context.Context, q store.EntityQuery) ([]store.Entity, error) {
	var p params
	var query string
	status := ""
	if q.Status != "" {
		status = ` AND e.status = ` + p.add(string(q.Status))
	}
	if len(q.Names) == 0 {
		query = `SELECT e.id FROM entities e WHERE true` + status + ` ORDER BY e.id`
	} else {
		// Exact matches of the normalized form or the key rank before
		// prefixes; the prefix test is a range on the indexes (the C
		// collation orders by code point, as SQLite does).
		var alts []string
		for _, n := range q.Names {
			x := p.add(n)
			alts = append(alts, `SELECT entity, 0 AS rank FROM entity_aliases WHERE norm = `+x+` OR key = `+x,
				`SELECT entity, 1 FROM entity_aliases WHERE norm > `+x+` AND norm < `+x+` || chr(1114111)`,
				`SELECT entity, 1 FROM entity_aliases WHERE key > `+x+` AND key < `+x+` || chr(1114111)`)
		}
		query = `SELECT e.id FROM (` + strings.Join(alts, " UNION ALL ") + `) m JOIN entities e ON e.id = m.entity
			WHERE true` + status + ` GROUP BY e.id ORDER BY min(m.rank), e.id`
	}
	if q.Limit > 0 {
		query += ` LIMIT ` + p.add(q.Limit)
	}
	ids, err := sqlrow.All(backend, "entities", sqlrow.Query(s.pool.Query(ctx, query, p.args...)), sqlrow.Text)
	if err != nil {
		return nil, err
	}
	if len(q.Names) == 0 && q.Limit == 0 {
		return s.allEntities(ctx, ids)
	}
	out := make([]store.Entity, 0, len(ids))
	for _, id := range ids {
		e, err := readEntity(ctx, s.pool, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// allEntities reads the listed entities' rows and aliases in two queries,
// for a registry of thousands.
func (s *Store) allEntities(ctx context.Context, ids []string) ([]store.Entity, error) {
	return sqlrow.EntitiesByID(backend, ids,
		func() sqlrow.Cursor {
			return sqlrow.Query(s.pool.Query(ctx, `SELECT `+entityColumns+` FROM entities WHERE id = ANY($1)`, ids))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.pool.Query(ctx, `SELECT entity, `+sqlrow.AliasColumns+` FROM entity_aliases
		WHERE entity = ANY($1) ORDER BY entity, pos`, ids))
		})
}

// viewSeq returns the version of a report viewer sees, or ErrNotFound.
func (s *Store) viewSeq(ctx context.Context, viewer center.PartyCode, id string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `
		SELECT rv.seq FROM reports r JOIN report_views rv ON rv.party = $1 AND rv.rid = r.rid WHERE r.id = $2`,
		string(viewer), id).Scan(&seq)
	if err != nil {
		return 0, notFound("report", id, err)
	}
	return seq, nil
}

func (s *Store) ReportLinks(ctx context.Context, viewer center.PartyCode, id string) ([]store.Mention, []store.Observable, error) {
	seq, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	ms, err := sqlrow.AppendAll([]store.Mention{}, backend, "mentions", sqlrow.Query(
		s.pool.Query(ctx, `SELECT entity, alias, start, "end" FROM entity_mentions WHERE seq = $1 ORDER BY start, entity`, seq)), sqlrow.Mention)
	if err != nil {
		return nil, nil, err
	}
	os, err := sqlrow.AppendAll([]store.Observable{}, backend, "observables", sqlrow.Query(
		s.pool.Query(ctx, `SELECT kind, value, start, "end" FROM version_observables WHERE seq = $1 ORDER BY start`, seq)), sqlrow.Observable)
	if err != nil {
		return nil, nil, err
	}
	return ms, os, nil
}

func (s *Store) RelatedPostings(ctx context.Context, viewer center.PartyCode, id string, perItem int) ([]store.ItemPostings, error) {
	seq, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	// One query for every item: each item's newest perItem+1 postings
	// viewer may see, through a lateral join per item.
	rows, err := s.pool.Query(ctx, `
		SELECT i.item, p.id FROM version_items i
		LEFT JOIN LATERAL (
			SELECT r.id, vi.seq FROM version_items vi
			JOIN report_views rv ON rv.party = $1 AND rv.seq = vi.seq
			JOIN reports r ON r.rid = rv.rid
			WHERE vi.item = i.item AND vi.seq != $2
			ORDER BY vi.seq DESC LIMIT $3) p ON true
		WHERE i.seq = $2
		ORDER BY i.item, p.seq DESC`, string(viewer), seq, limitOf(perItem+1))
	if err != nil {
		return nil, fmt.Errorf("postgres: postings: %w", err)
	}
	defer rows.Close()
	out := []store.ItemPostings{}
	for rows.Next() {
		var item string
		var rid *string
		if err := rows.Scan(&item, &rid); err != nil {
			return nil, fmt.Errorf("postgres: postings: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Item.Key != item {
			out = append(out, store.ItemPostings{Item: sqlrow.SplitItem(item)})
		}
		if rid == nil {
			continue
		}
		sqlrow.AddPosting(&out[len(out)-1], *rid, perItem)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: postings: %w", err)
	}
	return out, nil
}

func (s *Store) EntityActivity(ctx context.Context, viewer center.PartyCode, entityID string, window, recent int) (store.EntityActivity, error) {
	item := "entity:" + entityID
	return sqlrow.EntityActivity(backend, window,
		func() sqlrow.Cursor {
			return sqlrow.Query(s.pool.Query(ctx, `
			SELECT to_char(to_timestamp(t.version / 1000000) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) FROM (
				SELECT rv.version FROM version_items vi JOIN report_views rv ON rv.party = $1 AND rv.seq = vi.seq
				WHERE vi.item = $2 ORDER BY vi.seq DESC LIMIT $3) t
			GROUP BY day ORDER BY day`, string(viewer), item, store.MaxTimeline+1))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.pool.Query(ctx, `
			WITH w AS (
				SELECT vi.seq FROM version_items vi JOIN report_views rv ON rv.party = $1 AND rv.seq = vi.seq
				WHERE vi.item = $2 ORDER BY vi.seq DESC LIMIT $3)
			SELECT o.item, count(*) FROM w JOIN version_items o ON o.seq = w.seq
			WHERE o.item > 'entity:' AND o.item < 'entity;' AND o.item != $2
			GROUP BY o.item ORDER BY count(*) DESC, o.item LIMIT 20`, string(viewer), item, limitOf(window)))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.pool.Query(ctx, `
			SELECT r.id FROM version_items vi JOIN report_views rv ON rv.party = $1 AND rv.seq = vi.seq
			JOIN reports r ON r.rid = rv.rid
			WHERE vi.item = $2 ORDER BY vi.seq DESC LIMIT $3`, string(viewer), item, limitOf(recent)))
		})
}

// limitOf is a LIMIT's argument: SQLite reads a negative limit as none,
// PostgreSQL refuses it; NULL is none.
func limitOf(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

func (s *Store) NearDuplicates(ctx context.Context, viewer center.PartyCode, id string) ([]store.DupNeighbor, error) {
	seq, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	return sqlrow.AppendAll([]store.DupNeighbor{}, backend, "near-duplicates", sqlrow.Query(s.pool.Query(ctx, `
		SELECT r.id, r.source, e.similarity FROM (
			SELECT b_seq AS other, similarity FROM dup_edges WHERE a_seq = $1
			UNION ALL SELECT a_seq, similarity FROM dup_edges WHERE b_seq = $1) e
		JOIN report_views rv ON rv.party = $2 AND rv.seq = e.other
		JOIN reports r ON r.rid = rv.rid
		ORDER BY e.similarity DESC, r.id`, seq, string(viewer))), sqlrow.DupNeighbor)
}

// unlinkReport deletes what extraction linked a report's versions to:
// erased text leaves no mention, observable or near-duplicate behind.
func (t *tx) unlinkReport(ctx context.Context, id string) error {
	return t.exec(ctx, "unlink purged report", `
		WITH v AS (SELECT v.seq FROM versions v JOIN reports r ON r.rid = v.rid WHERE r.id = $1),
		m AS (DELETE FROM entity_mentions WHERE seq IN (SELECT seq FROM v)),
		o AS (DELETE FROM version_observables WHERE seq IN (SELECT seq FROM v)),
		i AS (DELETE FROM version_items WHERE seq IN (SELECT seq FROM v)),
		b AS (DELETE FROM dup_bands WHERE seq IN (SELECT seq FROM v)),
		s AS (DELETE FROM dup_signatures WHERE seq IN (SELECT seq FROM v)),
		e AS (DELETE FROM dup_edges WHERE a_seq IN (SELECT seq FROM v) OR b_seq IN (SELECT seq FROM v))
		SELECT`, id)
}

func (s *Store) ReportsByID(ctx context.Context, viewer center.PartyCode, ids []string) ([]center.Report, error) {
	if len(ids) == 0 {
		return []center.Report{}, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+versionColumns+` FROM reports r
		JOIN report_views rv ON rv.party = $1 AND rv.rid = r.rid
		JOIN versions v ON v.seq = rv.seq
		WHERE r.id = ANY($2)`, string(viewer), ids)
	if err != nil {
		return nil, fmt.Errorf("postgres: reports by id: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	return sqlrow.InOrder(ids, found), nil
}
