package sqlite

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
// decision, as the version's own row keeps it. An audience names a few
// parties, so the check reads a short JSON array.
func audienceHas(party string) string {
	return `EXISTS (SELECT 1 FROM json_each(v.audience) WHERE value = ` + party + `)`
}

func (s *Store) Report(ctx context.Context, viewer center.PartyCode, id string) (center.Report, error) {
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return center.Report{}, err
	}
	rep, err := scanVersion(s.rd.QueryRowContext(ctx, `
		SELECT `+versionColumns+`
		FROM reports r
		JOIN versions v ON v.rid = r.rid
		JOIN report_views rv ON rv.view = ? | v.seq
		WHERE r.id = ?`, views.base, id))
	if err != nil {
		return rep, notFound("report", id, err)
	}
	return rep, nil
}

func (s *Store) Versions(ctx context.Context, viewer center.PartyCode, id string) ([]center.Report, error) {
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+versionColumns+`
		FROM reports r
		JOIN versions v ON v.rid = r.rid
		WHERE r.id = ? AND `+audienceHas("?")+`
		ORDER BY v.seq`, id, viewer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: versions of %s: %w", id, err)
	}
	out, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sqlite: report %q: %w", id, center.ErrNotFound)
	}
	return out, nil
}

func (s *Store) Reports(ctx context.Context, viewer center.PartyCode, q store.ReportQuery) (store.ReportPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize {
		return store.ReportPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return store.ReportPage{}, err
	}
	var where strings.Builder
	args := []any{views.base}
	where.WriteString(`rv.view > ? AND rv.view < ?`)
	if q.After > 0 {
		args = append(args, views.of(q.After))
	} else {
		args = append(args, views.end())
	}
	add := func(cond string, arg any) {
		where.WriteString(" AND " + cond)
		args = append(args, arg)
	}
	if q.Source != "" {
		add(`r.source = ?`, q.Source)
	}
	if q.TLP != "" {
		add(`v.tlp = ?`, q.TLP)
	}
	if q.Tag != "" {
		add(`EXISTS (SELECT 1 FROM version_tags t WHERE t.tag = ? AND t.seq = rv.seq)`, q.Tag)
	}
	if !q.Since.IsZero() {
		add(`v.version >= ?`, micros(q.Since))
	}
	if !q.Until.IsZero() {
		add(`v.version < ?`, micros(q.Until))
	}
	if q.Revoked != nil {
		if *q.Revoked {
			where.WriteString(` AND r.revoked IS NOT NULL`)
		} else {
			where.WriteString(` AND r.revoked IS NULL`)
		}
	}
	args = append(args, q.Limit+1)
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+versionColumns+`
		FROM report_views rv
		JOIN versions v ON v.seq = rv.seq
		JOIN reports r ON r.rid = rv.rid
		WHERE `+where.String()+`
		ORDER BY rv.view DESC
		LIMIT ?`, args...)
	if err != nil {
		return store.ReportPage{}, fmt.Errorf("sqlite: list reports: %w", err)
	}
	items, err := scanVersions(rows)
	if err != nil {
		return store.ReportPage{}, err
	}
	return sqlrow.ReportPage(items, q.Limit), nil
}

func (s *Store) CountReports(ctx context.Context) (int64, error) {
	var n int64
	if err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count reports: %w", err)
	}
	return n, nil
}

func (s *Store) Directory(ctx context.Context) (center.Directory, error) {
	return s.roster.directory(ctx, s.rd)
}

func (s *Store) User(ctx context.Context, username string) (center.User, error) {
	return readUser(ctx, s.rd, username)
}

func (s *Store) Users(ctx context.Context) ([]center.User, error) {
	return sqlrow.All(backend, "users", sqlrow.Query(s.rd.QueryContext(ctx, userQuery+` ORDER BY p.pos, u.username`)), sqlrow.User)
}

func (s *Store) Token(ctx context.Context, id string) (center.Token, error) {
	t, err := sqlrow.Token(s.rd.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE id = ?`, id))
	if err != nil {
		return t, notFound("token", id, err)
	}
	return t, nil
}

func (s *Store) TokenByHash(ctx context.Context, hash []byte) (center.Token, error) {
	t, err := sqlrow.Token(s.rd.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return t, notFound("token", "(hash)", err)
	}
	return t, nil
}

func (s *Store) Tokens(ctx context.Context, username string) ([]center.Token, error) {
	return sqlrow.All(backend, "tokens", sqlrow.Query(s.rd.QueryContext(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE username = ? ORDER BY created DESC, id`, username)), sqlrow.Token)
}

func (s *Store) Events(ctx context.Context, after int64, limit int) ([]center.Event, error) {
	return sqlrow.All(backend, "events", sqlrow.Query(s.rd.QueryContext(ctx,
		`SELECT `+eventFields+` FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)), sqlrow.Event)
}

func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	return readMeta(ctx, s.rd, key)
}

func (s *Store) RotationActs(ctx context.Context) ([]govern.Act, error) {
	return readRotationActs(ctx, s.rd)
}

func (s *Store) Amendments(ctx context.Context) ([]govern.Amendment, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT body FROM amendments ORDER BY proposed DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: amendments: %w", err)
	}
	defer rows.Close()
	return backend.Amendments(rows)
}
