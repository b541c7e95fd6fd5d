package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
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

func readDirectory(ctx context.Context, q querier) (center.Directory, error) {
	var dir center.Directory
	rows, err := q.Query(ctx, `SELECT code, kind, names FROM parties WHERE removed IS NULL ORDER BY pos`)
	if err != nil {
		return dir, fmt.Errorf("postgres: parties: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p center.Party
		var code, kind, names string
		if err := rows.Scan(&code, &kind, &names); err != nil {
			return dir, fmt.Errorf("postgres: parties: %w", err)
		}
		p.Code, p.Kind = center.PartyCode(code), center.PartyKind(kind)
		if err := json.Unmarshal([]byte(names), &p.Names); err != nil {
			return dir, fmt.Errorf("postgres: party %s names: %w", p.Code, err)
		}
		dir.Parties = append(dir.Parties, p)
	}
	if err := rows.Err(); err != nil {
		return dir, fmt.Errorf("postgres: parties: %w", err)
	}
	crows, err := q.Query(ctx, `
		SELECT c.code, c.names, m.party FROM committees c
		LEFT JOIN committee_members m ON m.committee = c.code
		ORDER BY c.pos, m.pos`)
	if err != nil {
		return dir, fmt.Errorf("postgres: committees: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var code, names string
		var member *string
		if err := crows.Scan(&code, &names, &member); err != nil {
			return dir, fmt.Errorf("postgres: committees: %w", err)
		}
		if n := len(dir.Committees); n == 0 || dir.Committees[n-1].Code != code {
			c := center.Committee{Code: code}
			if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
				return dir, fmt.Errorf("postgres: committee %s names: %w", code, err)
			}
			dir.Committees = append(dir.Committees, c)
		}
		if member != nil {
			c := &dir.Committees[len(dir.Committees)-1]
			c.Members = append(c.Members, center.PartyCode(*member))
		}
	}
	return dir, crows.Err()
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

// userQuery selects users; a user of a removed party reads as disabled.
const userQuery = `
	SELECT u.username, u.party, u.role, u.password_hash, u.disabled OR p.removed IS NOT NULL, u.created
	FROM users u JOIN parties p ON p.code = u.party`

func scanUser(sc pgx.Row) (center.User, error) {
	var u center.User
	var party, role string
	var created int64
	if err := sc.Scan(&u.Username, &party, &role, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return u, err
	}
	u.Party, u.Role = center.PartyCode(party), center.Role(role)
	u.Created = fromMicros(created)
	return u, nil
}

func readUser(ctx context.Context, q querier, username string) (center.User, error) {
	u, err := scanUser(q.QueryRow(ctx, userQuery+` WHERE u.username = $1`, username))
	if err != nil {
		return u, notFound("user", username, err)
	}
	return u, nil
}

const tokenColumns = `id, username, label, hash, created, expires, revoked, last_used`

func scanToken(sc pgx.Row) (center.Token, error) {
	var t center.Token
	var created int64
	var expires, revoked, lastUsed *int64
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

func scanVersion(sc pgx.Row) (center.Report, error) {
	return scanVersionAfter(sc)
}

// scanVersionAfter scans the columns before into before, then
// versionColumns.
func scanVersionAfter(sc pgx.Row, before ...any) (center.Report, error) {
	var rep center.Report
	var version, created int64
	var source, tlp, reliability, credibility string
	var dist, tags, audience string
	var observed, revoked, purged *int64
	err := sc.Scan(append(before, &rep.Seq, &rep.ID, &version, &created, &source, &rep.Author, &rep.Title, &rep.Body,
		&rep.Language, &tlp, &dist, &reliability, &credibility, &tags, &audience,
		&observed, &revoked, &purged)...)
	if err != nil {
		return rep, err
	}
	rep.Source, rep.TLP = center.PartyCode(source), center.TLP(tlp)
	rep.Reliability, rep.Credibility = center.Reliability(reliability), center.Credibility(credibility)
	rep.Version, rep.Created = fromMicros(version), fromMicros(created)
	rep.ObservedAt, rep.Revoked, rep.Purged = timePtr(observed), timePtr(revoked), timePtr(purged)
	if err := json.Unmarshal([]byte(dist), &rep.Distribution); err != nil {
		return rep, fmt.Errorf("postgres: version %d distribution: %w", rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(tags), &rep.Tags); err != nil {
		return rep, fmt.Errorf("postgres: version %d tags: %w", rep.Seq, err)
	}
	if err := json.Unmarshal([]byte(audience), &rep.Audience); err != nil {
		return rep, fmt.Errorf("postgres: version %d audience: %w", rep.Seq, err)
	}
	return rep, nil
}

func scanVersions(rows pgx.Rows) ([]center.Report, error) {
	defer rows.Close()
	var out []center.Report
	for rows.Next() {
		rep, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: versions: %w", err)
		}
		out = append(out, rep)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: versions: %w", err)
	}
	return out, nil
}

func readRotationActs(ctx context.Context, q querier) ([]govern.Act, error) {
	rows, err := q.Query(ctx, `SELECT act FROM rotation_acts ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("postgres: rotation acts: %w", err)
	}
	defer rows.Close()
	var out []govern.Act
	for rows.Next() {
		var b string
		var a govern.Act
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("postgres: rotation acts: %w", err)
		}
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			return nil, fmt.Errorf("postgres: rotation act: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func readAmendment(ctx context.Context, q querier, id string) (govern.Amendment, error) {
	var a govern.Amendment
	var b string
	if err := q.QueryRow(ctx, `SELECT body FROM amendments WHERE id = $1`, id).Scan(&b); err != nil {
		return a, notFound("amendment", id, err)
	}
	if err := json.Unmarshal([]byte(b), &a); err != nil {
		return a, fmt.Errorf("postgres: amendment %s: %w", id, err)
	}
	return a, nil
}
