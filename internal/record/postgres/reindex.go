package postgres

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/record/store"
)

// ReplaceIndex implements store.Tx.
func (t *tx) ReplaceIndex(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("postgres: reindex version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	return t.exec(ctx, "reindex version", insertSearch+` AND v.purged IS NULL
		ON CONFLICT (seq) DO UPDATE SET tsv = excluded.tsv`, seq, tsvector(doc))
}

// IndexableVersions implements store.Reader.
func (s *Store) IndexableVersions(ctx context.Context, after int64, limit int) ([]store.IndexableVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, title, body, language FROM versions
		WHERE seq > $1 AND purged IS NULL ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: indexable versions: %w", err)
	}
	defer rows.Close()
	var out []store.IndexableVersion
	for rows.Next() {
		var v store.IndexableVersion
		if err := rows.Scan(&v.Seq, &v.Title, &v.Body, &v.Language); err != nil {
			return nil, fmt.Errorf("postgres: indexable versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: indexable versions: %w", err)
	}
	return out, nil
}
