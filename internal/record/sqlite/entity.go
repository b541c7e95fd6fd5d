package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The registry's tables are read the same way by the write path and the
// readers; every read that says anything about reports starts from the
// viewer's report_views rows, as read.go's do.

const entityColumns = sqlrow.EntityColumns

func readEntity(ctx context.Context, q querier, id string) (store.Entity, error) {
	e, err := sqlrow.Entity(q.QueryRowContext(ctx, `SELECT `+entityColumns+` FROM entities WHERE id = ?`, id))
	if err != nil {
		return e, notFound("entity", id, err)
	}
	e.Aliases, err = sqlrow.AppendAll([]store.Alias{}, backend, "aliases of "+id, sqlrow.Query(q.QueryContext(ctx,
		`SELECT `+sqlrow.AliasColumns+` FROM entity_aliases WHERE entity = ? ORDER BY pos`, id)), sqlrow.Alias)
	return e, err
}

func (t *tx) Entity(ctx context.Context, id string) (store.Entity, error) {
	return readEntity(ctx, t, id)
}

func (s *Store) Entity(ctx context.Context, id string) (store.Entity, error) {
	return readEntity(ctx, s.rd, id)
}

func (t *tx) PutEntity(ctx context.Context, e store.Entity) error {
	if err := t.exec(ctx, "put entity "+e.ID, `
		INSERT INTO entities (id, type, name, status, merged_into, proposed_by, source, created, updated)
		VALUES (?, ?, ?, ?, nullif(?, ''), ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, status = excluded.status,
			merged_into = excluded.merged_into, updated = excluded.updated`,
		e.ID, e.Type, e.Name, e.Status, e.MergedInto, e.ProposedBy, e.Source, micros(e.Created), micros(e.Updated)); err != nil {
		return err
	}
	if err := t.exec(ctx, "clear aliases", `DELETE FROM entity_aliases WHERE entity = ?`, e.ID); err != nil {
		return err
	}
	type row struct {
		Lang, Name, Norm, Key string
		Status                store.EntityStatus
		By                    center.PartyCode
	}
	rows := make([]row, len(e.Aliases))
	for i, a := range e.Aliases {
		rows[i] = row{a.Lang, a.Name, a.Norm, a.Key, a.Status, a.ProposedBy}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("sqlite: aliases: %w", err)
	}
	if e.Status == store.Accepted || e.Status == store.Proposed {
		// A name another entity has accepted is a conflict: one name, one
		// thing (a merge, not a second entity, joins two). Pending names
		// do not count: a party must not learn from a refusal what
		// another party proposed; the chair meets the clash on accepting.
		var other string
		err := t.QueryRowContext(ctx, `
			SELECT a.entity FROM json_each(?) j
			CROSS JOIN entity_aliases a ON a.name = j.value ->> '$.Name' AND a.lang = j.value ->> '$.Lang'
			JOIN entities x ON x.id = a.entity
			WHERE a.entity != ? AND x.status = 'accepted' AND a.status = 'accepted' LIMIT 1`, string(b), e.ID).Scan(&other)
		if err == nil {
			return center.Refuse(center.ErrConflict, "a name of %s is already a name of %s", e.ID, other)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: alias conflict: %w", err)
		}
	}
	return t.exec(ctx, "put aliases", `
		INSERT INTO entity_aliases (entity, lang, name, norm, key, status, proposed_by, pos)
		SELECT ?, value ->> '$.Lang', value ->> '$.Name', value ->> '$.Norm', value ->> '$.Key',
			value ->> '$.Status', value ->> '$.By', key FROM json_each(?)`, e.ID, string(b))
}

func (t *tx) MoveLinks(ctx context.Context, from, into string, aliases []string) error {
	cond, args := "", []any{into, from}
	if aliases != nil {
		b, _ := json.Marshal(aliases)
		cond = ` AND alias IN (SELECT value FROM json_each(?))`
		args = append(args, string(b))
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE OR IGNORE entity_mentions SET entity = ? WHERE entity = ?`+cond, args...); err != nil {
		return fmt.Errorf("sqlite: move mentions: %w", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM entity_mentions WHERE entity = ?`+cond, args[1:]...); err != nil {
		return fmt.Errorf("sqlite: move mentions: %w", err)
	}
	if err := t.exec(ctx, "move items", `
		DELETE FROM version_items WHERE item = 'entity:' || ?1
		AND seq NOT IN (SELECT seq FROM entity_mentions WHERE entity = ?1)`, from); err != nil {
		return err
	}
	return t.exec(ctx, "move items", `
		INSERT OR IGNORE INTO version_items (item, seq)
		SELECT DISTINCT 'entity:' || ?1, seq FROM entity_mentions WHERE entity = ?1`, into)
}

func (t *tx) DupCandidates(ctx context.Context, bands []int64, limit int) ([]store.DupCandidate, error) {
	if len(bands) == 0 {
		return nil, nil
	}
	b, _ := json.Marshal(bands)
	return sqlrow.All(backend, "near-duplicate candidates", sqlrow.Query(t.QueryContext(ctx, `
		SELECT s.seq, r.id, s.signature FROM dup_signatures s
		JOIN versions v ON v.seq = s.seq JOIN reports r ON r.rid = v.rid
		WHERE s.seq IN (SELECT seq FROM dup_bands WHERE band IN (SELECT value FROM json_each(?)))
		ORDER BY s.seq DESC LIMIT ?`, string(b), limit)), sqlrow.DupCandidate)
}

func (t *tx) PutExtraction(ctx context.Context, seq int64, x store.Extraction, dups []store.DupEdge) error {
	// One statement per table, whatever the counts: rows go in as JSON.
	type mention struct {
		E, A       string
		Start, End int
	}
	type observable struct {
		K, V       string
		Start, End int
	}
	items := map[string]bool{}
	var ms []mention
	for _, m := range x.Mentions {
		ms = append(ms, mention{m.Entity, m.Alias, m.Start, m.End})
		items["entity:"+m.Entity] = true
	}
	var os []observable
	for _, o := range x.Observables {
		os = append(os, observable{o.Kind, o.Value, o.Start, o.End})
		items[o.Kind+":"+o.Value] = true
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if len(ms) > 0 {
		if err := t.exec(ctx, "insert mentions", `
			INSERT OR IGNORE INTO entity_mentions (seq, entity, alias, start, "end")
			SELECT ?, value ->> '$.E', value ->> '$.A', value ->> '$.Start', value ->> '$.End' FROM json_each(?)`,
			seq, js(ms)); err != nil {
			return err
		}
	}
	if len(os) > 0 {
		if err := t.exec(ctx, "insert observables", `
			INSERT OR IGNORE INTO version_observables (seq, kind, value, start, "end")
			SELECT ?, value ->> '$.K', value ->> '$.V', value ->> '$.Start', value ->> '$.End' FROM json_each(?)`,
			seq, js(os)); err != nil {
			return err
		}
	}
	if len(keys) > 0 {
		if err := t.exec(ctx, "insert items",
			`INSERT OR IGNORE INTO version_items (item, seq) SELECT value, ? FROM json_each(?)`, seq, js(keys)); err != nil {
			return err
		}
	}
	if len(x.Signature) == 0 {
		return nil
	}
	if err := t.exec(ctx, "insert signature", `INSERT INTO dup_signatures (seq, signature) VALUES (?, ?)`,
		seq, sqlrow.EncodeSignature(x.Signature)); err != nil {
		return err
	}
	if err := t.exec(ctx, "insert bands",
		`INSERT OR IGNORE INTO dup_bands (band, seq) SELECT value, ? FROM json_each(?)`, seq, js(x.Bands)); err != nil {
		return err
	}
	if len(dups) > 0 {
		if err := t.exec(ctx, "insert near-duplicates", `
			INSERT OR IGNORE INTO dup_edges (a_seq, b_seq, similarity)
			SELECT ?, value ->> '$.Seq', value ->> '$.Similarity' FROM json_each(?)`, seq, js(dups)); err != nil {
			return err
		}
	}
	return nil
}

// Entities implements store.Reader.
func (s *Store) Entities(ctx context.Context, q store.EntityQuery) ([]store.Entity, error) {
	var where strings.Builder
	var args []any
	where.WriteString(`true`)
	if q.Status != "" {
		where.WriteString(` AND e.status = ?`)
		args = append(args, q.Status)
	}
	var query string
	if len(q.Names) == 0 {
		query = `SELECT e.id FROM entities e WHERE ` + where.String() + ` ORDER BY e.id`
	} else {
		// Exact matches of the normalized form or the key rank before
		// prefixes; the prefix test is a range on the indexes.
		var alts []string
		var nargs []any
		for _, n := range q.Names {
			alts = append(alts, `SELECT entity, 0 AS rank FROM entity_aliases WHERE norm = ? OR key = ?`,
				`SELECT entity, 1 FROM entity_aliases WHERE norm > ? AND norm < ? || char(1114111)`,
				`SELECT entity, 1 FROM entity_aliases WHERE key > ? AND key < ? || char(1114111)`)
			nargs = append(nargs, n, n, n, n, n, n)
		}
		query = `SELECT e.id FROM (` + strings.Join(alts, " UNION ALL ") + `) m JOIN entities e ON e.id = m.entity
			WHERE ` + where.String() + ` GROUP BY e.id ORDER BY min(m.rank), e.id`
		args = append(nargs, args...)
	}
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	ids, err := sqlrow.All(backend, "entities", sqlrow.Query(s.r.QueryContext(ctx, query, args...)), sqlrow.Text)
	if err != nil {
		return nil, err
	}
	if len(q.Names) == 0 && q.Limit == 0 {
		return s.allEntities(ctx, ids)
	}
	out := make([]store.Entity, 0, len(ids))
	for _, id := range ids {
		e, err := readEntity(ctx, s.rd, id)
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
			return sqlrow.Query(s.rd.QueryContext(ctx, `SELECT `+entityColumns+` FROM entities`))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.rd.QueryContext(ctx, `SELECT entity, `+sqlrow.AliasColumns+` FROM entity_aliases ORDER BY entity, pos`))
		})
}

// viewSeq returns the version of a report viewer sees, or ErrNotFound,
// and the keys of the viewer's views.
func (s *Store) viewSeq(ctx context.Context, viewer center.PartyCode, id string) (int64, viewKeys, error) {
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return 0, views, err
	}
	var seq int64
	err = s.rd.QueryRowContext(ctx, `
		SELECT rv.seq FROM reports r JOIN versions v ON v.rid = r.rid
		JOIN report_views rv ON rv.view = ? | v.seq WHERE r.id = ?`,
		views.base, id).Scan(&seq)
	if err != nil {
		return 0, views, notFound("report", id, err)
	}
	return seq, views, nil
}

func (s *Store) ReportLinks(ctx context.Context, viewer center.PartyCode, id string) ([]store.Mention, []store.Observable, error) {
	seq, _, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	ms, err := sqlrow.AppendAll([]store.Mention{}, backend, "mentions", sqlrow.Query(
		s.rd.QueryContext(ctx, `SELECT entity, alias, start, "end" FROM entity_mentions WHERE seq = ? ORDER BY start, entity`, seq)), sqlrow.Mention)
	if err != nil {
		return nil, nil, err
	}
	os, err := sqlrow.AppendAll([]store.Observable{}, backend, "observables", sqlrow.Query(
		s.rd.QueryContext(ctx, `SELECT kind, value, start, "end" FROM version_observables WHERE seq = ? ORDER BY start`, seq)), sqlrow.Observable)
	if err != nil {
		return nil, nil, err
	}
	return ms, os, nil
}

func (s *Store) RelatedPostings(ctx context.Context, viewer center.PartyCode, id string, perItem int) ([]store.ItemPostings, error) {
	seq, views, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	items, err := sqlrow.All(backend, "items", sqlrow.Query(s.rd.QueryContext(ctx,
		`SELECT item FROM version_items WHERE seq = ? ORDER BY item`, seq)), sqlrow.Text)
	if err != nil {
		return nil, err
	}
	out := make([]store.ItemPostings, 0, len(items))
	for _, it := range items {
		p := store.ItemPostings{Item: sqlrow.SplitItem(it)}
		err := sqlrow.Query(s.rd.QueryContext(ctx, `
			SELECT r.id FROM version_items vi
			JOIN report_views rv ON rv.view = ? | vi.seq
			JOIN reports r ON r.rid = rv.rid
			WHERE vi.item = ? AND vi.seq != ?
			ORDER BY vi.seq DESC LIMIT ?`, views.base, it, seq, perItem+1)).Each(backend, "postings", func(sc sqlrow.Scanner) error {
			rid, err := sqlrow.Text(sc)
			if err != nil {
				return err
			}
			sqlrow.AddPosting(&p, rid, perItem)
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Store) EntityActivity(ctx context.Context, viewer center.PartyCode, entityID string, window, recent int) (store.EntityActivity, error) {
	item := "entity:" + entityID
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return store.EntityActivity{}, err
	}
	return sqlrow.EntityActivity(backend, window,
		func() sqlrow.Cursor {
			return sqlrow.Query(s.rd.QueryContext(ctx, `
			SELECT strftime('%Y-%m-%d', version / 1000000, 'unixepoch') AS day, count(*) FROM (
				SELECT rv.version FROM version_items vi JOIN report_views rv ON rv.view = ? | vi.seq
				WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?)
			GROUP BY day ORDER BY day`, views.base, item, store.MaxTimeline+1))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.rd.QueryContext(ctx, `
			WITH w AS (
				SELECT vi.seq FROM version_items vi JOIN report_views rv ON rv.view = ? | vi.seq
				WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?)
			SELECT o.item, count(*) FROM w JOIN version_items o ON o.seq = w.seq
			WHERE o.item > 'entity:' AND o.item < 'entity;' AND o.item != ?
			GROUP BY o.item ORDER BY count(*) DESC, o.item LIMIT 20`, views.base, item, window, item))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(s.rd.QueryContext(ctx, `
			SELECT r.id FROM version_items vi JOIN report_views rv ON rv.view = ? | vi.seq
			JOIN reports r ON r.rid = rv.rid
			WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?`, views.base, item, recent))
		})
}

func (s *Store) NearDuplicates(ctx context.Context, viewer center.PartyCode, id string) ([]store.DupNeighbor, error) {
	seq, views, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	// CROSS JOIN keeps the edges the outer loop: left to itself, the
	// planner scanned the viewer's whole report_views for one side.
	return sqlrow.AppendAll([]store.DupNeighbor{}, backend, "near-duplicates", sqlrow.Query(s.rd.QueryContext(ctx, `
		SELECT r.id, r.source, d.similarity FROM dup_edges d
		CROSS JOIN report_views rv ON rv.view = ?2 | d.b_seq
		CROSS JOIN reports r ON r.rid = rv.rid WHERE d.a_seq = ?1
		UNION ALL
		SELECT r.id, r.source, d.similarity FROM dup_edges d
		CROSS JOIN report_views rv ON rv.view = ?2 | d.a_seq
		CROSS JOIN reports r ON r.rid = rv.rid WHERE d.b_seq = ?1
		ORDER BY 3 DESC, 1`, seq, views.base)), sqlrow.DupNeighbor)
}

// unlinkReport deletes what extraction linked a report's versions to:
// erased text leaves no mention, observable or near-duplicate behind.
func (t *tx) unlinkReport(ctx context.Context, id string) error {
	const seqs = `(SELECT v.seq FROM versions v JOIN reports r ON r.rid = v.rid WHERE r.id = ?)`
	for _, q := range []string{
		`DELETE FROM entity_mentions WHERE seq IN ` + seqs,
		`DELETE FROM version_observables WHERE seq IN ` + seqs,
		`DELETE FROM version_items WHERE seq IN ` + seqs,
		`DELETE FROM dup_bands WHERE seq IN ` + seqs,
		`DELETE FROM dup_signatures WHERE seq IN ` + seqs,
		`DELETE FROM dup_edges WHERE a_seq IN ` + seqs,
		`DELETE FROM dup_edges WHERE b_seq IN ` + seqs,
	} {
		if err := t.exec(ctx, "unlink purged report", q, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) ReportsByID(ctx context.Context, viewer center.PartyCode, ids []string) ([]center.Report, error) {
	if len(ids) == 0 {
		return []center.Report{}, nil
	}
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(ids)
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+versionColumns+` FROM json_each(?) j
		CROSS JOIN reports r ON r.id = j.value
		CROSS JOIN versions v ON v.rid = r.rid
		CROSS JOIN report_views rv ON rv.view = ? | v.seq`, string(b), views.base)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reports by id: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	return sqlrow.InOrder(ids, found), nil
}
