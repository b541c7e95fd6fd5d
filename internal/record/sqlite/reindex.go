package sqlite

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/record/store"
)

// ReplaceIndex implements store.Tx. Like IndexVersion, its changes are
// applied by the index's committer once the update's batch commits.
func (t *tx) ReplaceIndex(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("sqlite: reindex version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	filters, ok, err := t.versionFilters(ctx, seq)
	if err != nil {
		return err
	}
	t.index = append(t.index, indexOp{seq: seq, del: true})
	if ok { // a purged version stays out
		t.index = append(t.index, indexOp{seq: seq, doc: doc, filters: filters})
	}
	return nil
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
