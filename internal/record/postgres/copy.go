package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/store"
)

// CopiedTables are the tables CopyCenter copies, in an order that keeps
// every reference to a row after the row. A feature that adds a table adds
// it here (after the tables it refers to), with the same name and columns
// on both backends, or with the statement that reads it from SQLite in
// PostgreSQL's columns in copiedFrom. The search index is not among them:
// it is rebuilt.
var CopiedTables = []string{
	"meta", "parties", "committees", "committee_members", "users", "tokens",
	"reports", "versions", "report_views", "version_tags",
	"events", "rotation_acts", "amendments",
	"log_hashes", "checkpoints", "witnesses", "bulletins", "witness_keys",
	"entities", "entity_aliases", "entity_mentions", "version_observables", "version_items",
	"dup_signatures", "dup_bands", "dup_edges",
	"endpoints", "subscriptions", "inbox", "deliveries", "delivery_attempts",
	"stix_objects", "stix_views", "feeds", "feed_states", "feed_items", "taxii_remotes", "taxii_cursors",
	"taxii_statuses", "taxii_parties",
}

// identities are the identity columns CopyCenter sets past the copied
// rows, so that the next insert continues the sequence.
var identities = [][2]string{
	{"reports", "rid"}, {"versions", "seq"}, {"events", "seq"},
	{"rotation_acts", "seq"}, {"bulletins", "seq"}, {"witness_keys", "id"},
	{"inbox", "seq"}, {"deliveries", "seq"},
}

// copiedFrom reads, in PostgreSQL's columns, the tables whose SQLite
// layout differs. SQLite keys a party's view of a version by one integer,
// the party's number shifted past the seq (its migration 00024), and so
// numbers its parties; PostgreSQL keys views by (party, seq).
var copiedFrom = map[string]string{
	"parties": `SELECT code, kind, names, pos, removed FROM parties`,
	"report_views": `SELECT p.code AS party, rv.seq, rv.rid, rv.source, rv.tlp, rv.language, rv.version
		FROM report_views rv JOIN parties p ON p.num = rv.view >> 40`,
}

// boolColumns are the columns SQLite keeps as 0/1 integers and PostgreSQL
// as booleans.
var boolColumns = map[string]bool{"users.disabled": true, "endpoints.ordered": true, "stix_objects.latest": true}

// An Indexer analyzes a version's text for the search index, as the write
// path did when it recorded the version.
type Indexer func(title, body, language string) store.SearchDoc

// CopyCenter copies a center from src, a SQLite database at the same
// schema version read through database/sql, into the store, which must
// hold no center: every row of CopiedTables with its keys, seqs and log
// indexes unchanged — the log's leaves, hashes, checkpoints and key move
// as they are, so its root does not change — and a search index rebuilt
// with index from the versions' text (SQLite's index keeps no tokens to
// copy). It runs in one write transaction: all or nothing. It returns the
// number of rows copied per table. It then has PostgreSQL gather the new
// tables' statistics.
func (s *Store) CopyCenter(ctx context.Context, src *sql.DB, index Indexer) (map[string]int64, error) {
	counts := map[string]int64{}
	err := s.Update(ctx, func(t store.Tx) error {
		own := t.(*tx)
		if err := own.start(ctx); err != nil {
			return err
		}
		ptx := own.q
		var n int64
		if err := ptx.QueryRow(ctx, `SELECT (SELECT count(*) FROM meta) + (SELECT count(*) FROM events)`).Scan(&n); err != nil {
			return fmt.Errorf("postgres: copy: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("postgres: copy: the target database is not empty: it holds a center")
		}
		for _, table := range CopiedTables {
			c, err := copyTable(ctx, src, ptx, table)
			if err != nil {
				return err
			}
			counts[table] = c
		}
		for _, id := range identities {
			if _, err := ptx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'),
				coalesce((SELECT max(%[2]s) FROM %[1]s), 0) + 1, false)`, id[0], id[1])); err != nil {
				return fmt.Errorf("postgres: copy: continue %s.%s: %w", id[0], id[1], err)
			}
		}
		c, err := reindex(ctx, src, ptx, index)
		counts["search"] = c
		return err
	})
	if err != nil {
		return nil, err
	}
	s.roster = rosterCache{}
	// The tables were filled in one go: until autovacuum gets to them
	// (a minute or more), the planner believes them nearly empty, and a
	// search then walks every view of the caller's party and reads each
	// one's tsvector instead of asking the GIN index (measured: 40 ms
	// against 3 ms at 5,000 reports). PostgreSQL's advice after a bulk
	// load is to analyze at once.
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		return counts, fmt.Errorf("postgres: copy: analyze the copied tables: %w", err)
	}
	return counts, nil
}

func copyTable(ctx context.Context, src *sql.DB, dst pgx.Tx, table string) (int64, error) {
	read, ok := copiedFrom[table]
	if !ok {
		read = `SELECT * FROM ` + table
	}
	rows, err := src.QueryContext(ctx, read)
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: read %s: %w", table, err)
	}
	// The SQLite driver reads an empty BLOB as nil; a NOT NULL bytea
	// column must get it back as empty.
	brows, err := dst.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'bytea' AND is_nullable = 'NO'`, table)
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: columns of %s: %w", table, err)
	}
	blobs, err := pgx.CollectRows(brows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: columns of %s: %w", table, err)
	}
	emptyBlob := map[string]bool{}
	for _, c := range blobs {
		emptyBlob[c] = true
	}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{table}, cols, &sqlRows{rows: rows, table: table, cols: cols, emptyBlob: emptyBlob})
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: write %s: %w", table, err)
	}
	return n, nil
}

// sqlRows feeds database/sql rows to CopyFrom.
type sqlRows struct {
	rows      *sql.Rows
	table     string
	cols      []string
	emptyBlob map[string]bool
	vals      []any
	err       error
}

func (r *sqlRows) Next() bool {
	if !r.rows.Next() {
		r.err = r.rows.Err()
		return false
	}
	vals := make([]any, len(r.cols))
	ptrs := make([]any, len(r.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if r.err = r.rows.Scan(ptrs...); r.err != nil {
		return false
	}
	for i, c := range r.cols {
		if v, ok := vals[i].(int64); ok && boolColumns[r.table+"."+c] {
			vals[i] = v != 0
		}
		if b, isBlob := vals[i].([]byte); (vals[i] == nil || isBlob && b == nil) && r.emptyBlob[c] {
			vals[i] = []byte{}
		}
	}
	r.vals = vals
	return true
}

func (r *sqlRows) Values() ([]any, error) { return r.vals, r.err }

func (r *sqlRows) Err() error { return r.err }

// reindex rebuilds the search index of every version not purged.
func reindex(ctx context.Context, src *sql.DB, dst pgx.Tx, index Indexer) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT seq, title, body, language FROM versions WHERE purged IS NULL ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("postgres: copy: read versions: %w", err)
	}
	defer rows.Close()
	var n int64
	b := &pgx.Batch{}
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := dst.SendBatch(ctx, b).Close()
		b = &pgx.Batch{}
		return err
	}
	for rows.Next() {
		var seq int64
		var title, body, language string
		if err := rows.Scan(&seq, &title, &body, &language); err != nil {
			return n, fmt.Errorf("postgres: copy: read versions: %w", err)
		}
		b.Queue(insertSearch, seq, tsvector(index(title, body, language)))
		n++
		if b.Len() == 256 {
			if err := flush(); err != nil {
				return n, fmt.Errorf("postgres: copy: index: %w", err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("postgres: copy: read versions: %w", err)
	}
	if err := flush(); err != nil {
		return n, fmt.Errorf("postgres: copy: index: %w", err)
	}
	return n, nil
}
