package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
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

func readDirectory(ctx context.Context, q querier) (center.Directory, error) {
	var dir center.Directory
	rows, err := q.QueryContext(ctx, `SELECT code, kind, names FROM parties WHERE removed IS NULL ORDER BY pos`)
	if err != nil {
		return dir, fmt.Errorf("sqlite: parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p center.Party
		var names string
		if err := rows.Scan(&p.Code, &p.Kind, &names); err != nil {
			return dir, fmt.Errorf("sqlite: parties: %w", err)
		}
		if err := json.Unmarshal([]byte(names), &p.Names); err != nil {
			return dir, fmt.Errorf("sqlite: party %s names: %w", p.Code, err)
		}
		dir.Parties = append(dir.Parties, p)
	}
	if err := rows.Err(); err != nil {
		return dir, fmt.Errorf("sqlite: parties: %w", err)
	}
	crows, err := q.QueryContext(ctx, `
		SELECT c.code, c.names, m.party FROM committees c
		LEFT JOIN committee_members m ON m.committee = c.code
		ORDER BY c.pos, m.pos`)
	if err != nil {
		return dir, fmt.Errorf("sqlite: committees: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var code, names string
		var member sql.NullString
		if err := crows.Scan(&code, &names, &member); err != nil {
			return dir, fmt.Errorf("sqlite: committees: %w", err)
		}
		if n := len(dir.Committees); n == 0 || dir.Committees[n-1].Code != code {
			c := center.Committee{Code: code}
			if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
				return dir, fmt.Errorf("sqlite: committee %s names: %w", code, err)
			}
			dir.Committees = append(dir.Committees, c)
		}
		if member.Valid {
			c := &dir.Committees[len(dir.Committees)-1]
			c.Members = append(c.Members, center.PartyCode(member.String))
		}
	}
	return dir, crows.Err()
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

// userQuery selects users; a user of a removed party reads as disabled.
const userQuery = `
	SELECT u.username, u.party, u.role, u.password_hash, u.disabled OR p.removed IS NOT NULL, u.created
	FROM users u JOIN parties p ON p.code = u.party`

func scanUser(sc interface{ Scan(...any) error }) (center.User, error) {
	var u center.User
	var created int64
	if err := sc.Scan(&u.Username, &u.Party, &u.Role, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return u, err
	}
	u.Created = fromMicros(created)
	return u, nil
}

func readUser(ctx context.Context, q querier, username string) (center.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, userQuery+` WHERE u.username = ?`, username))
	if err != nil {
		return u, notFound("user", username, err)
	}
	return u, nil
}

const tokenColumns = `id, username, label, hash, created, expires, revoked, last_used`

func scanToken(sc interface{ Scan(...any) error }) (center.Token, error) {
	var t center.Token
	var created int64
	var expires, revoked, lastUsed sql.NullInt64
	if err := sc.Scan(&t.ID, &t.Username, &t.Label, &t.Hash, &created, &expires, &revoked, &lastUsed); err != nil {
		return t, err
	}
	t.Created = fromMicros(created)
	t.Expires, t.Revoked, t.LastUsed = timePtr(expires), timePtr(revoked), timePtr(lastUsed)
	return t, nil
}

// versionColumns selects a full report version from versions v joined with
// reports r.
const versionColumns = `v.seq, r.id, v.version, r.created, r.source, v.author, v.title, v.body,
	v.language, v.tlp, v.distribution, v.reliability, v.credibility, v.tags, v.audience,
	v.observed_at, r.revoked, v.purged`

func scanVersion(sc interface{ Scan(...any) error }) (center.Report, error) {
	return scanVersionAnd(sc)
}

// scanVersionAnd scans versionColumns followed by the extra columns into
// extra.
func scanVersionAnd(sc interface{ Scan(...any) error }, extra ...any) (center.Report, error) {
	var rep center.Report
	var version, created int64
	var dist, tags, audience string
	var observed, revoked, purged sql.NullInt64
	dest := append([]any{&rep.Seq, &rep.ID, &version, &created, &rep.Source, &rep.Author, &rep.Title, &rep.Body,
		&rep.Language, &rep.TLP, &dist, &rep.Reliability, &rep.Credibility, &tags, &audience,
		&observed, &revoked, &purged}, extra...)
	err := sc.Scan(dest...)
	if err != nil {
		return rep, err
	}
	rep.Version, rep.Created = fromMicros(version), fromMicros(created)
	rep.ObservedAt, rep.Revoked, rep.Purged = timePtr(observed), timePtr(revoked), timePtr(purged)
	if err := json.Unmarshal([]byte(dist), &rep.Distribution); err != nil {
		return rep, fmt.Errorf("sqlite: version %d distribution: %w", rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(tags), &rep.Tags); err != nil {
		return rep, fmt.Errorf("sqlite: version %d tags: %w", rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(audience), &rep.Audience); err != nil {
		return rep, fmt.Errorf("sqlite: version %d audience: %w", rep.Seq, err)
	}
	return rep, nil
}

func scanVersions(rows *sql.Rows) ([]center.Report, error) {
	defer rows.Close()
	var out []center.Report
	for rows.Next() {
		rep, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: versions: %w", err)
		}
		out = append(out, rep)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: versions: %w", err)
	}
	return out, nil
}

func readRotationActs(ctx context.Context, q querier) ([]govern.Act, error) {
	rows, err := q.QueryContext(ctx, `SELECT act FROM rotation_acts ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: rotation acts: %w", err)
	}
	defer rows.Close()
	var out []govern.Act
	for rows.Next() {
		var b string
		var a govern.Act
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("sqlite: rotation acts: %w", err)
		}
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			return nil, fmt.Errorf("sqlite: rotation act: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func readAmendment(ctx context.Context, q querier, id string) (govern.Amendment, error) {
	var a govern.Amendment
	var b string
	if err := q.QueryRowContext(ctx, `SELECT body FROM amendments WHERE id = ?`, id).Scan(&b); err != nil {
		return a, notFound("amendment", id, err)
	}
	if err := json.Unmarshal([]byte(b), &a); err != nil {
		return a, fmt.Errorf("sqlite: amendment %s: %w", id, err)
	}
	return a, nil
}
