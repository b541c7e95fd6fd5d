package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Every query below that returns report content starts from report_views
// filtered by the viewing party, or checks the viewing party against the
// version's audience (audienceHas): the visibility rule's stored decision.
// None reads versions without that filter.

// audienceHas is the condition that the party the SQL expression party
// names is in the audience of the version v: the visibility rule's
// decision, as the version's own row keeps it (a JSON array).
func audienceHas(party string) string {
	return `v.audience::jsonb ? ` + party
}

func (s *Store) Report(ctx context.Context, viewer center.PartyCode, id string) (center.Report, error) {
	rep, err := scanVersion(s.pool.QueryRow(ctx, `
		SELECT `+versionColumns+`
		FROM reports r
		JOIN report_views rv ON rv.party = $1 AND rv.rid = r.rid
		JOIN versions v ON v.seq = rv.seq
		WHERE r.id = $2`, string(viewer), id))
	if err != nil {
		return rep, notFound("report", id, err)
	}
	return rep, nil
}

func (s *Store) Versions(ctx context.Context, viewer center.PartyCode, id string) ([]center.Report, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+versionColumns+`
		FROM reports r
		JOIN versions v ON v.rid = r.rid
		WHERE r.id = $2 AND `+audienceHas("$1")+`
		ORDER BY v.seq`, string(viewer), id)
	if err != nil {
		return nil, fmt.Errorf("postgres: versions of %s: %w", id, err)
	}
	out, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("postgres: report %q: %w", id, center.ErrNotFound)
	}
	return out, nil
}

// params numbers a statement's arguments as they are added.
type params struct{ args []any }

func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return fmt.Sprintf("$%d", len(p.args))
}

func (s *Store) Reports(ctx context.Context, viewer center.PartyCode, q store.ReportQuery) (store.ReportPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize {
		return store.ReportPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	var where strings.Builder
	var p params
	where.WriteString(`rv.party = ` + p.add(string(viewer)))
	add := func(cond string, arg any) {
		where.WriteString(" AND " + fmt.Sprintf(cond, p.add(arg)))
	}
	if q.After > 0 {
		add(`rv.seq < %s`, q.After)
	}
	if q.Source != "" {
		add(`r.source = %s`, string(q.Source))
	}
	if q.TLP != "" {
		add(`v.tlp = %s`, string(q.TLP))
	}
	if q.Tag != "" {
		add(`EXISTS (SELECT 1 FROM version_tags t WHERE t.tag = %s AND t.seq = rv.seq)`, q.Tag)
	}
	if !q.Since.IsZero() {
		add(`v.version >= %s`, micros(q.Since))
	}
	if !q.Until.IsZero() {
		add(`v.version < %s`, micros(q.Until))
	}
	if q.Revoked != nil {
		if *q.Revoked {
			where.WriteString(` AND r.revoked IS NOT NULL`)
		} else {
			where.WriteString(` AND r.revoked IS NULL`)
		}
	}
	limit := p.add(q.Limit + 1)
	rows, err := s.pool.Query(ctx, `
		SELECT `+versionColumns+`
		FROM report_views rv
		JOIN versions v ON v.seq = rv.seq
		JOIN reports r ON r.rid = rv.rid
		WHERE `+where.String()+`
		ORDER BY rv.seq DESC
		LIMIT `+limit, p.args...)
	if err != nil {
		return store.ReportPage{}, fmt.Errorf("postgres: list reports: %w", err)
	}
	items, err := scanVersions(rows)
	if err != nil {
		return store.ReportPage{}, err
	}
	return sqlrow.ReportPage(items, q.Limit), nil
}

func (s *Store) CountReports(ctx context.Context) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM reports`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count reports: %w", err)
	}
	return n, nil
}

func (s *Store) Directory(ctx context.Context) (center.Directory, error) {
	return s.roster.directory(ctx, s.pool)
}

func (s *Store) User(ctx context.Context, username string) (center.User, error) {
	return readUser(ctx, s.pool, username)
}

func (s *Store) Users(ctx context.Context) ([]center.User, error) {
	return sqlrow.All(backend, "users", sqlrow.Query(s.pool.Query(ctx, userQuery+` ORDER BY p.pos, u.username`)), sqlrow.User)
}

func (s *Store) Token(ctx context.Context, id string) (center.Token, error) {
	t, err := sqlrow.Token(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id))
	if err != nil {
		return t, notFound("token", id, err)
	}
	return t, nil
}

func (s *Store) TokenByHash(ctx context.Context, hash []byte) (center.Token, error) {
	t, err := sqlrow.Token(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return t, notFound("token", "(hash)", err)
	}
	return t, nil
}

func (s *Store) Tokens(ctx context.Context, username string) ([]center.Token, error) {
	return sqlrow.All(backend, "tokens", sqlrow.Query(s.pool.Query(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE username = $1 ORDER BY created DESC, id`, username)), sqlrow.Token)
}

func (s *Store) Events(ctx context.Context, after int64, limit int) ([]center.Event, error) {
	return sqlrow.AppendAll([]center.Event{}, backend, "events", sqlrow.Query(s.pool.Query(ctx,
		`SELECT `+eventFields+` FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit)), sqlrow.Event)
}

func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	return readMeta(ctx, s.pool, key)
}

func (s *Store) RotationActs(ctx context.Context) ([]govern.Act, error) {
	return readRotationActs(ctx, s.pool)
}

func (s *Store) Amendments(ctx context.Context) ([]govern.Amendment, error) {
	rows, err := s.pool.Query(ctx, `SELECT body FROM amendments ORDER BY proposed DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: amendments: %w", err)
	}
	defer rows.Close()
	return backend.Amendments(rows)
}

func (s *Store) Bulletins(ctx context.Context, limit int) ([]center.Bulletin, error) {
	return sqlrow.All(backend, "bulletins", sqlrow.Query(s.pool.Query(ctx, `
		SELECT id, party, author, title, body, language, published FROM bulletins
		ORDER BY seq DESC LIMIT $1`, limit)), sqlrow.Bulletin)
}
