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
	"github.com/tabadul/tabadul/internal/record/store"
)

// tx implements store.Tx over one SAVEPOINT of the shared transaction.
type tx struct {
	q     pgx.Tx
	s     *Store
	batch *batchState
	// self is where the update's outcome goes; began is set once its
	// savepoint is its own.
	self  *error
	began bool
	// pending holds writes whose outcome nothing waits for (the search
	// index's row), sent with the next statement in one round trip.
	pending []queued
}

type queued struct {
	what, sql string
	args      []any
}

// batchState is what the updates of one batch share. The batch holds the
// write lock, so nothing but its own updates changes the database under
// it.
type batchState struct {
	// rosterVersion is the roster's version as of the batch's last read or
	// change, if rosterKnown.
	rosterVersion string
	rosterKnown   bool
	// activeVersion is the active subscriptions' version as of the batch's
	// last read or change, if activeKnown.
	activeVersion string
	activeKnown   bool
	// used is set while the open savepoint holds the changes of the update
	// whose outcome is owner; a fresh one holds none.
	used  bool
	owner *error
}

// start makes the open savepoint the update's, before its first
// statement: a savepoint holding the previous update's changes is
// released and a fresh one opened.
func (t *tx) start(ctx context.Context) error {
	if t.began {
		return nil
	}
	t.began = true
	if t.batch.used {
		if _, err := t.q.Exec(ctx, "RELEASE SAVEPOINT u; SAVEPOINT u"); err != nil {
			if err := t.recoverBoundary(ctx, err); err != nil {
				return err
			}
		}
	}
	t.batch.used, t.batch.owner = true, t.self
	return nil
}

// recoverBoundary handles the failure err of releasing the savepoint of
// the update that owns it. If that update returned no error but left its
// savepoint aborted (it went on after a failed statement), its changes are
// rolled back, leaving a fresh savepoint, and its outcome becomes the
// failure; any other failure is the transaction's.
func (t *tx) recoverBoundary(ctx context.Context, err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25P02" { // in_failed_sql_transaction
		return fmt.Errorf("postgres: savepoint: %w", err)
	}
	if _, err := t.q.Exec(ctx, "ROLLBACK TO SAVEPOINT u"); err != nil {
		return fmt.Errorf("postgres: rollback to savepoint: %w", err)
	}
	t.batch.rosterKnown, t.batch.activeKnown = false, false
	if o := t.batch.owner; o != nil && *o == nil {
		*o = fmt.Errorf("postgres: an update went on after a failed statement: %w", err)
	}
	t.batch.used, t.batch.owner = false, nil
	return nil
}

var _ store.Tx = (*tx)(nil)

// The transaction's statements run without the caller's cancellation: pgx
// answers a cancelled context by breaking the connection, which would roll
// back every Update of the batch, not just the caller's.

func (t *tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx = context.WithoutCancel(ctx)
	if err := t.start(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	if err := t.flush(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.q.Exec(ctx, sql, args...)
}

func (t *tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	if err := t.start(ctx); err != nil {
		return nil, err
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.q.Query(ctx, sql, args...)
}

// QueryRow sends an update's first statement together with the release of
// the savepoint before it and the opening of its own: one round trip.
func (t *tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx = context.WithoutCancel(ctx)
	if !t.began && t.batch.used {
		t.began = true
		b := &pgx.Batch{}
		b.Queue("RELEASE SAVEPOINT u")
		b.Queue("SAVEPOINT u")
		b.Queue(sql, args...)
		br := t.q.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			// The statements after the release were not run.
			br.Close()
			if err := t.recoverBoundary(ctx, err); err != nil {
				return errRow{err}
			}
			t.batch.used, t.batch.owner = true, t.self
			return t.q.QueryRow(ctx, sql, args...)
		}
		t.batch.used, t.batch.owner = true, t.self
		if _, err := br.Exec(); err != nil {
			br.Close()
			return errRow{fmt.Errorf("postgres: savepoint: %w", err)}
		}
		return batchRow{br.QueryRow(), br}
	}
	if err := t.start(ctx); err != nil {
		return errRow{err}
	}
	if err := t.flush(ctx); err != nil {
		return errRow{err}
	}
	return t.q.QueryRow(ctx, sql, args...)
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRow is the last row of a batch, which it closes once scanned.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// later queues a write to go with the next statement.
func (t *tx) later(what, sql string, args ...any) {
	t.pending = append(t.pending, queued{what, sql, args})
}

// flush sends the queued writes, if any, in one round trip.
func (t *tx) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	if err := t.start(ctx); err != nil {
		return err
	}
	pending := t.pending
	t.pending = nil
	b := &pgx.Batch{}
	for _, q := range pending {
		b.Queue(q.sql, q.args...)
	}
	br := t.q.SendBatch(context.WithoutCancel(ctx), b)
	for _, q := range pending {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("postgres: %s: %w", q.what, mapError(err))
		}
	}
	return br.Close()
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) error {
	if _, err := t.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("postgres: %s: %w", what, mapError(err))
	}
	return nil
}

// Directory returns the roster; callers must not modify its slices, which
// may be shared with the cache.
func (t *tx) Directory(ctx context.Context) (center.Directory, error) {
	if !t.batch.rosterKnown {
		v, err := readMeta(ctx, t, metaRoster)
		if err != nil {
			return center.Directory{}, err
		}
		t.batch.rosterVersion, t.batch.rosterKnown = v, true
	}
	return t.s.roster.directoryAt(ctx, t, t.batch.rosterVersion)
}

func (t *tx) Meta(ctx context.Context, key string) (string, error) { return readMeta(ctx, t, key) }

func (t *tx) SetMeta(ctx context.Context, key, value string) error {
	return t.exec(ctx, "set meta "+key,
		`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
}

func (t *tx) InsertParty(ctx context.Context, p center.Party) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	names, err := json.Marshal(p.Names)
	if err != nil {
		return fmt.Errorf("postgres: party names: %w", err)
	}
	// A removed party may be admitted again; a present one may not.
	tag, err := t.Exec(ctx, `
		INSERT INTO parties (code, kind, names, pos) VALUES ($1, $2, $3, (SELECT coalesce(max(pos), 0) + 1 FROM parties))
		ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, names = excluded.names, removed = NULL,
			pos = excluded.pos WHERE parties.removed IS NOT NULL`,
		string(p.Code), string(p.Kind), string(names))
	if err != nil {
		return fmt.Errorf("postgres: insert party %s: %w", p.Code, mapError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: party %s exists: %w", p.Code, center.ErrConflict)
	}
	return nil
}

func (t *tx) RemoveParty(ctx context.Context, code center.PartyCode, at time.Time) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	tag, err := t.Exec(ctx, `UPDATE parties SET removed = $1 WHERE code = $2 AND removed IS NULL`, micros(at), string(code))
	if err != nil {
		return fmt.Errorf("postgres: remove party %s: %w", code, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: party %s: %w", code, center.ErrNotFound)
	}
	return t.exec(ctx, "remove party from committees", `DELETE FROM committee_members WHERE party = $1`, string(code))
}

func (t *tx) SetCommittee(ctx context.Context, c center.Committee) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	if err := t.exec(ctx, "clear committee", `DELETE FROM committee_members WHERE committee = $1`, c.Code); err != nil {
		return err
	}
	if len(c.Members) == 0 {
		return t.exec(ctx, "delete committee", `DELETE FROM committees WHERE code = $1`, c.Code)
	}
	names, err := json.Marshal(c.Names)
	if err != nil {
		return fmt.Errorf("postgres: committee names: %w", err)
	}
	if err := t.exec(ctx, "upsert committee "+c.Code, `
		INSERT INTO committees (code, names, pos) VALUES ($1, $2, (SELECT coalesce(max(pos), 0) + 1 FROM committees))
		ON CONFLICT (code) DO UPDATE SET names = excluded.names`, c.Code, string(names)); err != nil {
		return err
	}
	return t.insertMembers(ctx, c)
}

func (t *tx) insertMembers(ctx context.Context, c center.Committee) error {
	return t.exec(ctx, "insert committee members",
		`INSERT INTO committee_members (committee, party, pos)
		 SELECT $1, m.party, m.pos - 1 FROM unnest($2::text[]) WITH ORDINALITY AS m (party, pos)`,
		c.Code, strs(c.Members))
}

func (t *tx) RotationActs(ctx context.Context) ([]govern.Act, error) {
	return readRotationActs(ctx, t)
}

func (t *tx) AppendRotationAct(ctx context.Context, a govern.Act) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("postgres: rotation act: %w", err)
	}
	return t.exec(ctx, "append rotation act", `INSERT INTO rotation_acts (act) VALUES ($1)`, string(b))
}

func (t *tx) Amendment(ctx context.Context, id string) (govern.Amendment, error) {
	return readAmendment(ctx, t, id)
}

func (t *tx) PutAmendment(ctx context.Context, a govern.Amendment) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("postgres: amendment: %w", err)
	}
	return t.exec(ctx, "put amendment "+a.ID, `
		INSERT INTO amendments (id, proposed, body) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body`, a.ID, micros(a.ProposedAt), string(b))
}

func (t *tx) InsertCommittee(ctx context.Context, c center.Committee) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	names, err := json.Marshal(c.Names)
	if err != nil {
		return fmt.Errorf("postgres: committee names: %w", err)
	}
	if err := t.exec(ctx, "insert committee "+c.Code,
		`INSERT INTO committees (code, names, pos) VALUES ($1, $2, (SELECT coalesce(max(pos), 0) + 1 FROM committees))`,
		c.Code, string(names)); err != nil {
		return err
	}
	return t.insertMembers(ctx, c)
}

func (t *tx) User(ctx context.Context, username string) (center.User, error) {
	return readUser(ctx, t, username)
}

func (t *tx) InsertUser(ctx context.Context, u center.User) error {
	return t.exec(ctx, "insert user "+u.Username,
		`INSERT INTO users (username, party, role, password_hash, disabled, created) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.Username, string(u.Party), string(u.Role), u.PasswordHash, u.Disabled, micros(u.Created))
}

func (t *tx) InsertToken(ctx context.Context, tok center.Token) error {
	return t.exec(ctx, "insert token",
		`INSERT INTO tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		tok.ID, tok.Username, tok.Label, tok.Hash, micros(tok.Created),
		nullMicros(tok.Expires), nullMicros(tok.Revoked), nullMicros(tok.LastUsed))
}

func (t *tx) UpdateToken(ctx context.Context, tok center.Token) error {
	tag, err := t.Exec(ctx, `UPDATE tokens SET revoked = $1, last_used = $2 WHERE id = $3`,
		nullMicros(tok.Revoked), nullMicros(tok.LastUsed), tok.ID)
	if err != nil {
		return fmt.Errorf("postgres: update token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: token %q: %w", tok.ID, center.ErrNotFound)
	}
	return nil
}

func (t *tx) LatestVersion(ctx context.Context, id string) (center.Report, error) {
	rep, err := scanVersion(t.QueryRow(ctx, `
		SELECT `+versionColumns+` FROM reports r JOIN versions v ON v.rid = r.rid
		WHERE r.id = $1 ORDER BY v.seq DESC LIMIT 1`, id))
	if err != nil {
		return rep, notFound("report", id, err)
	}
	return rep, nil
}

// InsertVersion writes the report's row, the version (with its audience),
// the audience's views and its tags in one round trip: a single statement
// of data-modifying CTEs.
func (t *tx) InsertVersion(ctx context.Context, rep center.Report) (int64, error) {
	args, err := insertVersionArgs(rep)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := t.QueryRow(ctx, insertVersionSQL, args...).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: insert version of %s: %w", rep.ID, mapError(err))
	}
	return seq, nil
}

// InsertNewReports implements store.ReportBatchTx: InsertVersion's
// statement for each report, sent with the queued writes in one round
// trip rather than one round trip a report.
func (t *tx) InsertNewReports(ctx context.Context, reps []center.Report) ([]int64, error) {
	args := make([][]any, len(reps))
	for i, rep := range reps {
		var err error
		if args[i], err = insertVersionArgs(rep); err != nil {
			return nil, err
		}
	}
	seqs := make([]int64, len(reps))
	err := t.withPending(ctx, func(b *pgx.Batch) {
		for i := range reps {
			b.Queue(insertVersionSQL, args[i]...)
		}
	}, func(br pgx.BatchResults) error {
		for i, rep := range reps {
			if err := br.QueryRow().Scan(&seqs[i]); err != nil {
				return fmt.Errorf("postgres: insert version of %s: %w", rep.ID, mapError(err))
			}
		}
		return nil
	})
	return seqs, err
}

// insertVersionSQL inserts a version (and its report's row, if new), its
// views and its tags, and returns its seq: the arguments are
// insertVersionArgs'.
const insertVersionSQL = `
		WITH r AS (
			INSERT INTO reports (id, source, created) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET id = excluded.id
			RETURNING rid
		), v AS (
			INSERT INTO versions (rid, version, author, title, body, language, tlp, distribution,
				reliability, credibility, tags, audience, observed_at)
			SELECT r.rid, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM r
			RETURNING seq, rid
		), rv AS (
			INSERT INTO report_views (party, seq, rid, source, tlp, language, version)
			SELECT p, v.seq, v.rid, $2, $9, $8, $4 FROM v, unnest($16::text[]) AS p
			ON CONFLICT (party, rid) DO UPDATE SET seq = excluded.seq, tlp = excluded.tlp,
				language = excluded.language, version = excluded.version
		), tg AS (
			INSERT INTO version_tags (tag, seq) SELECT tag, v.seq FROM v, unnest($17::text[]) AS tag
		)
		SELECT seq FROM v`

// insertVersionArgs are insertVersionSQL's arguments for rep.
func insertVersionArgs(rep center.Report) ([]any, error) {
	dist, tagsJSON, audience, err := backend.VersionJSON(rep)
	if err != nil {
		return nil, err
	}
	return []any{rep.ID, string(rep.Source), micros(rep.Created),
		micros(rep.Version), rep.Author, rep.Title, rep.Body, rep.Language, string(rep.TLP), dist,
		string(rep.Reliability), string(rep.Credibility), tagsJSON, audience, nullMicros(rep.ObservedAt),
		strs(rep.Audience), strs(rep.Tags)}, nil
}

func (t *tx) MarkRevoked(ctx context.Context, id string, at time.Time) error {
	tag, err := t.Exec(ctx, `UPDATE reports SET revoked = $1 WHERE id = $2 AND revoked IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("postgres: revoke %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: revoke %s: %w", id, center.ErrNotFound)
	}
	return nil
}

// AppendEvent sends the queued writes with the event, in one round trip.
func (t *tx) AppendEvent(ctx context.Context, e center.Event) (int64, error) {
	var seq int64
	err := t.withPending(ctx, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO events (id, type, party, "user", at, subject, digest, salt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING seq`, e.ID, string(e.Type), string(e.Party), e.User, micros(e.At), e.Subject, e.Digest, e.Salt)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(&seq); err != nil {
			return fmt.Errorf("postgres: append event: %w", mapError(err))
		}
		return nil
	})
	return seq, err
}

// withPending sends the queued writes and then the statements queue adds,
// in one round trip, and reads the latter's results with read.
func (t *tx) withPending(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	if err := t.start(ctx); err != nil {
		return err
	}
	pending := t.pending
	t.pending = nil
	b := &pgx.Batch{}
	for _, q := range pending {
		b.Queue(q.sql, q.args...)
	}
	queue(b)
	br := t.q.SendBatch(context.WithoutCancel(ctx), b)
	defer br.Close()
	for _, q := range pending {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("postgres: %s: %w", q.what, mapError(err))
		}
	}
	if err := read(br); err != nil {
		return err
	}
	return br.Close()
}

func (t *tx) InsertBulletin(ctx context.Context, b center.Bulletin) error {
	return t.exec(ctx, "insert bulletin",
		`INSERT INTO bulletins (id, party, author, title, body, language, published) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.ID, string(b.Party), b.Author, b.Title, b.Body, b.Language, micros(b.Published))
}

func (t *tx) ExpiredRevocations(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := t.Query(ctx, `
		SELECT r.id FROM reports r
		WHERE r.revoked IS NOT NULL AND r.revoked < $1
		  AND EXISTS (SELECT 1 FROM versions v WHERE v.rid = r.rid AND v.purged IS NULL)
		ORDER BY r.revoked LIMIT $2`, micros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: expired revocations: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: expired revocations: %w", err)
	}
	return ids, nil
}

func (t *tx) PurgeReport(ctx context.Context, id string, at time.Time) error {
	if err := t.exec(ctx, "unindex purged versions", `
		DELETE FROM search WHERE seq IN (
			SELECT v.seq FROM versions v JOIN reports r ON r.rid = v.rid WHERE r.id = $1 AND v.purged IS NULL)`, id); err != nil {
		return err
	}
	if err := t.unlinkReport(ctx, id); err != nil {
		return err
	}
	tag, err := t.Exec(ctx, `
		UPDATE versions SET title = '', body = '', purged = $1
		WHERE purged IS NULL AND rid = (SELECT rid FROM reports WHERE id = $2)`, micros(at), id)
	if err != nil {
		return fmt.Errorf("postgres: purge %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: purge %s: %w", id, center.ErrNotFound)
	}
	return nil
}
