package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

func (t *tx) ExpiredRevocations(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := t.QueryContext(ctx, `
		SELECT r.id FROM reports r
		WHERE r.revoked IS NOT NULL AND r.revoked < ?
		  AND EXISTS (SELECT 1 FROM versions v WHERE v.rid = r.rid AND v.purged IS NULL)
		ORDER BY r.revoked LIMIT ?`, micros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: expired revocations: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: expired revocations: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (t *tx) PurgeReport(ctx context.Context, id string, at time.Time) error {
	// The versions' rows leave the search index once the purge commits.
	rows, err := t.QueryContext(ctx, `SELECT v.seq FROM versions v JOIN reports r ON r.rid = v.rid WHERE r.id = ? AND v.purged IS NULL`, id)
	if err != nil {
		return fmt.Errorf("sqlite: purge %s: %w", id, err)
	}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: purge %s: %w", id, err)
		}
		t.index = append(t.index, indexOp{seq: seq, del: true})
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("sqlite: purge %s: %w", id, err)
	}
	if err := t.unlinkReport(ctx, id); err != nil {
		return err
	}
	res, err := t.ExecContext(ctx, `
		UPDATE versions SET title = '', body = '', purged = ?
		WHERE purged IS NULL AND rid = (SELECT rid FROM reports WHERE id = ?)`, micros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: purge %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: purge %s: %w", id, center.ErrNotFound)
	}
	return nil
}
