package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The registry's tables are read the same way by the write path and the
// readers; every read that says anything about reports starts from the
// viewer's report_views rows, as read.go's do.

const entityColumns = `id, type, name, status, coalesce(merged_into, ''), proposed_by, source, created, updated`

func readEntity(ctx context.Context, q querier, id string) (store.Entity, error) {
	var e store.Entity
	var created, updated int64
	err := q.QueryRowContext(ctx, `SELECT `+entityColumns+` FROM entities WHERE id = ?`, id).Scan(
		&e.ID, &e.Type, &e.Name, &e.Status, &e.MergedInto, &e.ProposedBy, &e.Source, &created, &updated)
	if err != nil {
		return e, notFound("entity", id, err)
	}
	e.Created, e.Updated = fromMicros(created), fromMicros(updated)
	rows, err := q.QueryContext(ctx, `SELECT lang, name, norm, key, status, proposed_by FROM entity_aliases WHERE entity = ? ORDER BY pos`, id)
	if err != nil {
		return e, fmt.Errorf("sqlite: aliases of %s: %w", id, err)
	}
	defer rows.Close()
	e.Aliases = []store.Alias{}
	for rows.Next() {
		var a store.Alias
		if err := rows.Scan(&a.Lang, &a.Name, &a.Norm, &a.Key, &a.Status, &a.ProposedBy); err != nil {
			return e, fmt.Errorf("sqlite: aliases of %s: %w", id, err)
		}
		e.Aliases = append(e.Aliases, a)
	}
	return e, rows.Err()
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
	rows, err := t.QueryContext(ctx, `
		SELECT s.seq, r.id, s.signature FROM dup_signatures s
		JOIN versions v ON v.seq = s.seq JOIN reports r ON r.rid = v.rid
		WHERE s.seq IN (SELECT seq FROM dup_bands WHERE band IN (SELECT value FROM json_each(?)))
		ORDER BY s.seq DESC LIMIT ?`, string(b), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: near-duplicate candidates: %w", err)
	}
	defer rows.Close()
	var out []store.DupCandidate
	for rows.Next() {
		var c store.DupCandidate
		var sig []byte
		if err := rows.Scan(&c.Seq, &c.ReportID, &sig); err != nil {
			return nil, fmt.Errorf("sqlite: near-duplicate candidates: %w", err)
		}
		c.Signature = decodeSignature(sig)
		out = append(out, c)
	}
	return out, rows.Err()
}

func encodeSignature(sig []uint32) []byte {
	b := make([]byte, 4*len(sig))
	for i, v := range sig {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

func decodeSignature(b []byte) []uint32 {
	sig := make([]uint32, len(b)/4)
	for i := range sig {
		sig[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return sig
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
		seq, encodeSignature(x.Signature)); err != nil {
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
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: entities: %w", err)
	}
	var ids []string
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("sqlite: entities: %w", err)
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
	want := make(map[string]int, len(ids))
	for i, id := range ids {
		want[id] = i
	}
	out := make([]store.Entity, len(ids))
	rows, err := s.rd.QueryContext(ctx, `SELECT `+entityColumns+` FROM entities`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: entities: %w", err)
	}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var e store.Entity
			var created, updated int64
			if err := rows.Scan(&e.ID, &e.Type, &e.Name, &e.Status, &e.MergedInto, &e.ProposedBy, &e.Source, &created, &updated); err != nil {
				return err
			}
			e.Created, e.Updated = fromMicros(created), fromMicros(updated)
			e.Aliases = []store.Alias{}
			if i, ok := want[e.ID]; ok {
				out[i] = e
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("sqlite: entities: %w", err)
	}
	arows, err := s.rd.QueryContext(ctx, `SELECT entity, lang, name, norm, key, status, proposed_by FROM entity_aliases ORDER BY entity, pos`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: aliases: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id string
		var a store.Alias
		if err := arows.Scan(&id, &a.Lang, &a.Name, &a.Norm, &a.Key, &a.Status, &a.ProposedBy); err != nil {
			return nil, fmt.Errorf("sqlite: aliases: %w", err)
		}
		if i, ok := want[id]; ok {
			out[i].Aliases = append(out[i].Aliases, a)
		}
	}
	return out, arows.Err()
}

// viewSeq returns the version of a report viewer sees, or ErrNotFound.
func (s *Store) viewSeq(ctx context.Context, viewer center.PartyCode, id string) (int64, error) {
	var seq int64
	err := s.rd.QueryRowContext(ctx, `
		SELECT rv.seq FROM reports r JOIN report_views rv ON rv.party = ? AND rv.rid = r.rid WHERE r.id = ?`,
		viewer, id).Scan(&seq)
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
	rows, err := s.rd.QueryContext(ctx, `SELECT entity, alias, start, "end" FROM entity_mentions WHERE seq = ? ORDER BY start, entity`, seq)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: mentions: %w", err)
	}
	ms := []store.Mention{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var m store.Mention
			if err := rows.Scan(&m.Entity, &m.Alias, &m.Start, &m.End); err != nil {
				return err
			}
			ms = append(ms, m)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: mentions: %w", err)
	}
	orows, err := s.rd.QueryContext(ctx, `SELECT kind, value, start, "end" FROM version_observables WHERE seq = ? ORDER BY start`, seq)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: observables: %w", err)
	}
	defer orows.Close()
	os := []store.Observable{}
	for orows.Next() {
		var o store.Observable
		if err := orows.Scan(&o.Kind, &o.Value, &o.Start, &o.End); err != nil {
			return nil, nil, fmt.Errorf("sqlite: observables: %w", err)
		}
		os = append(os, o)
	}
	return ms, os, orows.Err()
}

// splitItem splits an item key into its kind and value.
func splitItem(key string) store.Item {
	k, v, _ := strings.Cut(key, ":")
	return store.Item{Key: key, Kind: k, Value: v}
}

func (s *Store) RelatedPostings(ctx context.Context, viewer center.PartyCode, id string, perItem int) ([]store.ItemPostings, error) {
	seq, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.rd.QueryContext(ctx, `SELECT item FROM version_items WHERE seq = ? ORDER BY item`, seq)
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
	}
	var items []string
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var it string
			if err := rows.Scan(&it); err != nil {
				return err
			}
			items = append(items, it)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, fmt.Errorf("sqlite: items: %w", err)
	}
	out := make([]store.ItemPostings, 0, len(items))
	for _, it := range items {
		p := store.ItemPostings{Item: splitItem(it)}
		prows, err := s.rd.QueryContext(ctx, `
			SELECT r.id FROM version_items vi
			JOIN report_views rv ON rv.party = ? AND rv.seq = vi.seq
			JOIN reports r ON r.rid = rv.rid
			WHERE vi.item = ? AND vi.seq != ?
			ORDER BY vi.seq DESC LIMIT ?`, viewer, it, seq, perItem+1)
		if err != nil {
			return nil, fmt.Errorf("sqlite: postings: %w", err)
		}
		err = func() error {
			defer prows.Close()
			for prows.Next() {
				var rid string
				if err := prows.Scan(&rid); err != nil {
					return err
				}
				p.Count++
				if len(p.Reports) < perItem {
					p.Reports = append(p.Reports, rid)
				}
			}
			return prows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("sqlite: postings: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Store) EntityActivity(ctx context.Context, viewer center.PartyCode, entityID string, window, recent int) (store.EntityActivity, error) {
	item := "entity:" + entityID
	act := store.EntityActivity{Timeline: []store.DayCount{}, CoOccurring: []store.ItemCount{}, Recent: []string{}}
	rows, err := s.rd.QueryContext(ctx, `
		SELECT strftime('%Y-%m-%d', version / 1000000, 'unixepoch') AS day, count(*) FROM (
			SELECT rv.version FROM version_items vi JOIN report_views rv ON rv.party = ? AND rv.seq = vi.seq
			WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?)
		GROUP BY day ORDER BY day`, viewer, item, store.MaxTimeline+1)
	if err != nil {
		return act, fmt.Errorf("sqlite: timeline: %w", err)
	}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var d store.DayCount
			if err := rows.Scan(&d.Day, &d.Count); err != nil {
				return err
			}
			act.Reports += d.Count
			act.Timeline = append(act.Timeline, d)
		}
		return rows.Err()
	}()
	if err != nil {
		return act, fmt.Errorf("sqlite: timeline: %w", err)
	}
	if act.Reports > store.MaxTimeline {
		// One report too many was read to know there are more; it is the
		// oldest, so it comes off the first day.
		act.Reports, act.Capped = store.MaxTimeline, true
		act.Timeline[0].Count--
		if act.Timeline[0].Count == 0 {
			act.Timeline = act.Timeline[1:]
		}
	}
	act.Window = min(window, act.Reports)
	crows, err := s.rd.QueryContext(ctx, `
		WITH w AS (
			SELECT vi.seq FROM version_items vi JOIN report_views rv ON rv.party = ? AND rv.seq = vi.seq
			WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?)
		SELECT o.item, count(*) FROM w JOIN version_items o ON o.seq = w.seq
		WHERE o.item > 'entity:' AND o.item < 'entity;' AND o.item != ?
		GROUP BY o.item ORDER BY count(*) DESC, o.item LIMIT 20`, viewer, item, window, item)
	if err != nil {
		return act, fmt.Errorf("sqlite: co-occurrences: %w", err)
	}
	err = func() error {
		defer crows.Close()
		for crows.Next() {
			var key string
			var n int
			if err := crows.Scan(&key, &n); err != nil {
				return err
			}
			act.CoOccurring = append(act.CoOccurring, store.ItemCount{Item: splitItem(key), Count: n})
		}
		return crows.Err()
	}()
	if err != nil {
		return act, fmt.Errorf("sqlite: co-occurrences: %w", err)
	}
	rrows, err := s.rd.QueryContext(ctx, `
		SELECT r.id FROM version_items vi JOIN report_views rv ON rv.party = ? AND rv.seq = vi.seq
		JOIN reports r ON r.rid = rv.rid
		WHERE vi.item = ? ORDER BY vi.seq DESC LIMIT ?`, viewer, item, recent)
	if err != nil {
		return act, fmt.Errorf("sqlite: recent: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var id string
		if err := rrows.Scan(&id); err != nil {
			return act, fmt.Errorf("sqlite: recent: %w", err)
		}
		act.Recent = append(act.Recent, id)
	}
	return act, rrows.Err()
}

func (s *Store) NearDuplicates(ctx context.Context, viewer center.PartyCode, id string) ([]store.DupNeighbor, error) {
	seq, err := s.viewSeq(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	// CROSS JOIN keeps the edges the outer loop: left to itself, the
	// planner scanned the viewer's whole report_views for one side.
	rows, err := s.rd.QueryContext(ctx, `
		SELECT r.id, r.source, d.similarity FROM dup_edges d
		CROSS JOIN report_views rv ON rv.party = ?2 AND rv.seq = d.b_seq
		CROSS JOIN reports r ON r.rid = rv.rid WHERE d.a_seq = ?1
		UNION ALL
		SELECT r.id, r.source, d.similarity FROM dup_edges d
		CROSS JOIN report_views rv ON rv.party = ?2 AND rv.seq = d.a_seq
		CROSS JOIN reports r ON r.rid = rv.rid WHERE d.b_seq = ?1
		ORDER BY 3 DESC, 1`, seq, viewer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: near-duplicates: %w", err)
	}
	defer rows.Close()
	out := []store.DupNeighbor{}
	for rows.Next() {
		var n store.DupNeighbor
		if err := rows.Scan(&n.ReportID, &n.Source, &n.Similarity); err != nil {
			return nil, fmt.Errorf("sqlite: near-duplicates: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
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
	b, _ := json.Marshal(ids)
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+versionColumns+` FROM json_each(?) j
		CROSS JOIN reports r ON r.id = j.value
		CROSS JOIN report_views rv ON rv.party = ? AND rv.rid = r.rid
		JOIN versions v ON v.seq = rv.seq`, string(b), viewer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reports by id: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]center.Report, len(found))
	for _, r := range found {
		byID[r.ID] = r
	}
	out := make([]center.Report, 0, len(found))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
			delete(byID, id)
		}
	}
	return out, nil
}
