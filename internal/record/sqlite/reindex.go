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

// StartIndexRebuild implements store.IndexRebuilder. Replacing an entry
// of a contentless FTS5 table leaves a tombstone of the old one, and each
// merge of segments looks every entry it copies up among the tombstones:
// with FTS5 merging a little at every commit, that was three quarters of a
// rebuild (100,000 versions: 43 s). The commits of a rebuild leave the
// merging to the crisis merges, which bound a query's segments, and
// FinishIndexRebuild merges once, at the end. Open turns automerge back
// on if a rebuild never finished.
func (s *Store) StartIndexRebuild(ctx context.Context) error { return s.search.setAutomerge(ctx, 0) }

// FinishIndexRebuild implements store.IndexRebuilder: automerge back on,
// then merge steps (as the committer takes when the index is quiet) until
// no level has segments left to merge, which also drops the tombstones.
// Until then a query looks its terms up in more segments and past the
// replaced entries: at 100,000 versions the median query of the search
// benchmark took 3.7 ms instead of 2.3.
func (s *Store) FinishIndexRebuild(ctx context.Context) error {
	if err := s.search.setAutomerge(ctx, automergeSegments); err != nil {
		return err
	}
	for s.search.mergeStep() {
		if err := ctx.Err(); err != nil {
			return err
		}
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
