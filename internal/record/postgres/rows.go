package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

// querier is what reads need from either the pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	us := t.UnixMicro()
	return &us
}

func timePtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

func notFound(what, id string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s %q: %w", what, id, center.ErrNotFound)
	}
	return fmt.Errorf("postgres: %s %q: %w", what, id, err)
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// backend names this backend in the errors of the rows sqlrow decodes.
const backend = sqlrow.Backend("postgres")

func readDirectory(ctx context.Context, q querier) (center.Directory, error) {
	return backend.Directory(
		func() sqlrow.Cursor {
			return sqlrow.Query(q.Query(ctx, `SELECT code, kind, names FROM parties WHERE removed IS NULL ORDER BY pos`))
		},
		func() sqlrow.Cursor {
			return sqlrow.Query(q.Query(ctx, `
				SELECT c.code, c.names, m.party FROM committees c
				LEFT JOIN committee_members m ON m.committee = c.code
				ORDER BY c.pos, m.pos`))
		})
}

func readMeta(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM meta WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("postgres: meta %s: %w", key, err)
	}
	return v, nil
}

const userQuery = sqlrow.UserQuery

func readUser(ctx context.Context, q querier, username string) (center.User, error) {
	u, err := sqlrow.User(q.QueryRow(ctx, userQuery+` WHERE u.username = $1`, username))
	if err != nil {
		return u, notFound("user", username, err)
	}
	return u, nil
}

const (
	tokenColumns   = sqlrow.TokenColumns
	versionColumns = sqlrow.VersionColumns
)

func scanVersion(sc pgx.Row) (center.Report, error) { return backend.Version(sc) }

// scanVersionAfter scans the columns before into before, then
// versionColumns.
func scanVersionAfter(sc pgx.Row, before ...any) (center.Report, error) {
	var v sqlrow.VersionRow
	if err := sc.Scan(append(before, v.Dest()...)...); err != nil {
		return center.Report{}, err
	}
	return v.Report(backend)
}

func scanVersions(rows pgx.Rows) ([]center.Report, error) {
	defer rows.Close()
	return backend.Versions(rows)
}

func readRotationActs(ctx context.Context, q querier) ([]govern.Act, error) {
	rows, err := q.Query(ctx, `SELECT act FROM rotation_acts ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: rotation acts: %w", err)
	}
	defer rows.Close()
	return backend.RotationActs(rows)
}

func readAmendment(ctx context.Context, q querier, id string) (govern.Amendment, error) {
	var b string
	if err := q.QueryRow(ctx, `SELECT body FROM amendments WHERE id = $1`, id).Scan(&b); err != nil {
		return govern.Amendment{}, notFound("amendment", id, err)
	}
	return backend.Amendment(id, b)
}
