package sqlite

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/record/store"
)

// ReplaceIndex implements store.Tx. Unlike IndexVersion it writes at once:
// a reindexing update replaces many rows in one savepoint, so FTS5 does
// not flush a segment per row.
func (t *tx) ReplaceIndex(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("sqlite: reindex version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	if err := t.exec(ctx, "reindex version", `DELETE FROM search WHERE rowid = ?`, seq); err != nil {
		return err
	}
	filters, ok, err := t.versionFilters(ctx, seq)
	if err != nil || !ok { // a purged version stays out
		return err
	}
	return t.exec(ctx, "reindex version", `INSERT INTO search (rowid, surface, stems, filters) VALUES (?, ?, ?, ?)`,
		seq, ftsText(doc.Surface), ftsText(doc.Stems), filters)
}

// IndexableVersions implements store.Reader.
func (s *Store) IndexableVersions(ctx context.Context, after int64, limit int) ([]store.IndexableVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, title, body, language FROM versions
		WHERE seq > ? AND purged IS NULL ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: indexable versions: %w", err)
	}
	defer rows.Close()
	var out []store.IndexableVersion
	for rows.Next() {
		var v store.IndexableVersion
		if err := rows.Scan(&v.Seq, &v.Title, &v.Body, &v.Language); err != nil {
			return nil, fmt.Errorf("sqlite: indexable versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: indexable versions: %w", err)
	}
	return out, nil
}
