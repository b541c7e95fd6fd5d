package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

// querier is what reads need from either the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

func notFound(what, id string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s %q: %w", what, id, center.ErrNotFound)
	}
	return fmt.Errorf("sqlite: %s %q: %w", what, id, err)
}

// backend decodes rows, naming this backend in its errors.
const backend = sqlrow.Backend("sqlite")

func readDirectory(ctx context.Context, q querier) (center.Directory, error) {
	return backend.Directory(
		func() sqlrow.Cursor {
			return sqlrow.Query(q.QueryContext(ctx, `SELECT code, kind, names FROM parties WHERE removed IS NULL ORDER BY pos`))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(q.QueryContext(ctx, `
				SELECT c.code, c.names, m.party FROM committees c
				LEFT JOIN committee_members m ON m.committee = c.code
				ORDER BY c.pos, m.pos`))
		})
}

func readMeta(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlite: meta %s: %w", key, err)
	}
	return v, nil
}

const userQuery = sqlrow.UserQuery

func readUser(ctx context.Context, q querier, username string) (center.User, error) {
	u, err := sqlrow.User(q.QueryRowContext(ctx, userQuery+` WHERE u.username = ?`, username))
	if err != nil {
		return u, notFound("user", username, err)
	}
	return u, nil
}

const (
	tokenColumns   = sqlrow.TokenColumns
	versionColumns = sqlrow.VersionColumns
)

func scanVersion(sc sqlrow.Scanner) (center.Report, error) { return backend.Version(sc) }

func scanVersions(rows *sql.Rows) ([]center.Report, error) {
	defer rows.Close()
	return backend.Versions(rows)
}

func readRotationActs(ctx context.Context, q querier) ([]govern.Act, error) {
	rows, err := q.QueryContext(ctx, `SELECT act FROM rotation_acts ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rotation acts: %w", err)
	}
	defer rows.Close()
	return backend.RotationActs(rows)
}

func readAmendment(ctx context.Context, q querier, id string) (govern.Amendment, error) {
	var b string
	if err := q.QueryRowContext(ctx, `SELECT body FROM amendments WHERE id = ?`, id).Scan(&b); err != nil {
		return govern.Amendment{}, notFound("amendment", id, err)
	}
	return backend.Amendment(id, b)
}
