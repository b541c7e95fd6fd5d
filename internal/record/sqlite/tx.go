package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// tx implements store.Tx over one SAVEPOINT of the shared transaction.
type tx struct {
	tx     *sql.Tx
	stmts  *stmtCache
	roster *rosterCache
	// index collects the update's changes to the search index, which the
	// index's committer applies once the update's batch is committed.
	index []indexOp
	// filters holds the filter tokens of the versions InsertVersion wrote
	// in this update, by seq, for IndexVersion.
	filters map[int64]string
	// active is the store's cache of the active subscriptions, and
	// activeVersion their version as this update last read or set it (if
	// activeKnown).
	active        *sqlrow.Versioned[[]store.Subscription]
	activeVersion string
	activeKnown   bool
	// nums is the store's cache of committed party numbers; ownNums the
	// numbers as this update reads them, for a party the cache lacks.
	nums    *partyNums
	ownNums map[center.PartyCode]int64
	// admitted is set once the update admits a party.
	admitted bool
}

var _ store.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, what, query string, args ...any) error {
	if _, err := t.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("sqlite: %s: %w", what, mapError(err))
	}
	return nil
}

// Directory returns the roster; callers must not modify its slices, which
// may be shared with the cache.
func (t *tx) Directory(ctx context.Context) (center.Directory, error) {
	return t.roster.directory(ctx, t)
}

func (t *tx) Meta(ctx context.Context, key string) (string, error) { return readMeta(ctx, t, key) }

func (t *tx) SetMeta(ctx context.Context, key, value string) error {
	return t.exec(ctx, "set meta "+key,
		`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
}

func (t *tx) InsertParty(ctx context.Context, p center.Party) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	names, err := json.Marshal(p.Names)
	if err != nil {
		return fmt.Errorf("sqlite: party names: %w", err)
	}
	// A removed party may be admitted again; a present one may not.
	// It keeps its number (num), which keys its views (migration 00024).
	res, err := t.ExecContext(ctx, `
		INSERT INTO parties (code, kind, names, pos, num) VALUES (?, ?, ?,
			(SELECT coalesce(max(pos), 0) + 1 FROM parties), (SELECT coalesce(max(num), 0) + 1 FROM parties))
		ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, names = excluded.names, removed = NULL,
			pos = excluded.pos WHERE parties.removed IS NOT NULL`,
		p.Code, p.Kind, string(names))
	if err != nil {
		return fmt.Errorf("sqlite: insert party %s: %w", p.Code, mapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: party %s exists: %w", p.Code, center.ErrConflict)
	}
	t.ownNums, t.admitted = nil, true
	return nil
}

func (t *tx) RemoveParty(ctx context.Context, code center.PartyCode, at time.Time) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	res, err := t.ExecContext(ctx, `UPDATE parties SET removed = ? WHERE code = ? AND removed IS NULL`, micros(at), code)
	if err != nil {
		return fmt.Errorf("sqlite: remove party %s: %w", code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: party %s: %w", code, center.ErrNotFound)
	}
	return t.exec(ctx, "remove party from committees", `DELETE FROM committee_members WHERE party = ?`, code)
}

func (t *tx) SetCommittee(ctx context.Context, c center.Committee) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	if err := t.exec(ctx, "clear committee", `DELETE FROM committee_members WHERE committee = ?`, c.Code); err != nil {
		return err
	}
	if len(c.Members) == 0 {
		return t.exec(ctx, "delete committee", `DELETE FROM committees WHERE code = ?`, c.Code)
	}
	names, err := json.Marshal(c.Names)
	if err != nil {
		return fmt.Errorf("sqlite: committee names: %w", err)
	}
	if err := t.exec(ctx, "upsert committee "+c.Code, `
		INSERT INTO committees (code, names, pos) VALUES (?, ?, (SELECT coalesce(max(pos), 0) + 1 FROM committees))
		ON CONFLICT (code) DO UPDATE SET names = excluded.names`, c.Code, string(names)); err != nil {
		return err
	}
	for i, m := range c.Members {
		if err := t.exec(ctx, "insert committee member",
			`INSERT INTO committee_members (committee, party, pos) VALUES (?, ?, ?)`, c.Code, m, i); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) RotationActs(ctx context.Context) ([]govern.Act, error) {
	return readRotationActs(ctx, t)
}

func (t *tx) AppendRotationAct(ctx context.Context, a govern.Act) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("sqlite: rotation act: %w", err)
	}
	return t.exec(ctx, "append rotation act", `INSERT INTO rotation_acts (act) VALUES (?)`, string(b))
}

func (t *tx) Amendment(ctx context.Context, id string) (govern.Amendment, error) {
	return readAmendment(ctx, t, id)
}

func (t *tx) PutAmendment(ctx context.Context, a govern.Amendment) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("sqlite: amendment: %w", err)
	}
	return t.exec(ctx, "put amendment "+a.ID, `
		INSERT INTO amendments (id, proposed, body) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET body = excluded.body`, a.ID, micros(a.ProposedAt), string(b))
}

func (t *tx) InsertCommittee(ctx context.Context, c center.Committee) error {
	if err := t.rosterChanged(ctx); err != nil {
		return err
	}
	names, err := json.Marshal(c.Names)
	if err != nil {
		return fmt.Errorf("sqlite: committee names: %w", err)
	}
	if err := t.exec(ctx, "insert committee "+c.Code,
		`INSERT INTO committees (code, names, pos) VALUES (?, ?, (SELECT coalesce(max(pos), 0) + 1 FROM committees))`,
		c.Code, string(names)); err != nil {
		return err
	}
	for i, m := range c.Members {
		if err := t.exec(ctx, "insert committee member",
			`INSERT INTO committee_members (committee, party, pos) VALUES (?, ?, ?)`, c.Code, m, i); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) User(ctx context.Context, username string) (center.User, error) {
	return readUser(ctx, t, username)
}

func (t *tx) InsertUser(ctx context.Context, u center.User) error {
	return t.exec(ctx, "insert user "+u.Username,
		`INSERT INTO users (username, party, role, password_hash, disabled, created) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Username, u.Party, u.Role, u.PasswordHash, u.Disabled, micros(u.Created))
}

func (t *tx) InsertToken(ctx context.Context, tok center.Token) error {
	return t.exec(ctx, "insert token",
		`INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		tok.ID, tok.Username, tok.Label, tok.Hash, micros(tok.Created),
		nullMicros(tok.Expires), nullMicros(tok.Revoked), nullMicros(tok.LastUsed))
}

func (t *tx) UpdateToken(ctx context.Context, tok center.Token) error {
	res, err := t.ExecContext(ctx, `UPDATE tokens SET revoked = ?, last_used = ? WHERE id = ?`,
		nullMicros(tok.Revoked), nullMicros(tok.LastUsed), tok.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: token %q: %w", tok.ID, center.ErrNotFound)
	}
	return nil
}

func (t *tx) LatestVersion(ctx context.Context, id string) (center.Report, error) {
	rep, err := scanVersion(t.QueryRowContext(ctx, `
		SELECT `+versionColumns+` FROM reports r JOIN versions v ON v.rid = r.rid
		WHERE r.id = ? ORDER BY v.seq DESC LIMIT 1`, id))
	if err != nil {
		return rep, notFound("report", id, err)
	}
	return rep, nil
}

// deleteOlderViews deletes the views, by the parties whose keys' bases
// are a JSON array (viewKeys), of a report's (rid) versions older than
// seq: one key lookup per party and version (TestDeleteOlderViewsPlan).
const deleteOlderViews = `
	DELETE FROM report_views WHERE view IN (
		SELECT b.value | v.seq FROM json_each(?) b CROSS JOIN versions v WHERE v.rid = ? AND v.seq < ?)`

// insertViews inserts the views of one version by the parties whose keys'
// bases are a JSON array (viewKeys).
const insertViews = `
	INSERT OR FAIL INTO report_views (view, rid, source, tlp, language, version)
	SELECT value | ?, ?, ?, ?, ?, ? FROM json_each(?)`

// viewBases returns the bases of the keys of the parties' views, as a
// JSON array. A party's number comes from the store's cache of committed
// numbers, or else from the parties as this update reads them: a number
// read in an update that is then rolled back may yet go to another party,
// so it is never cached beyond the update.
func (t *tx) viewBases(ctx context.Context, parties []center.PartyCode) (string, error) {
	b := make([]byte, 0, 16*len(parties)+2)
	b = append(b, '[')
	for i, p := range parties {
		base, err := t.viewBase(ctx, p)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, base, 10)
	}
	return string(append(b, ']')), nil
}

// viewBase returns the base of the keys of a party's views (viewBases).
func (t *tx) viewBase(ctx context.Context, p center.PartyCode) (int64, error) {
	n, ok := t.nums.get(p)
	if !ok {
		if t.ownNums == nil {
			own := map[center.PartyCode]int64{}
			if err := readNums(ctx, t, func(code center.PartyCode, n int64) { own[code] = n }); err != nil {
				return 0, err
			}
			t.ownNums = own
		}
		if n, ok = t.ownNums[p]; !ok {
			return 0, fmt.Errorf("sqlite: views of party %s, which the roster lacks", p)
		}
	}
	return n << seqBits, nil
}

func (t *tx) InsertVersion(ctx context.Context, rep center.Report) (int64, error) {
	dist, tagsJSON, audience, err := backend.VersionJSON(rep)
	if err != nil {
		return 0, err
	}
	// The report's row: new for a first version; its rid either way. A
	// plain insert (not an upsert returning the rid) is the cheap path of
	// the common case, a new report.
	res, err := t.ExecContext(ctx, `INSERT INTO reports (id, source, created) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		rep.ID, rep.Source, micros(rep.Created))
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert report %s: %w", rep.ID, mapError(err))
	}
	var rid int64
	newReport := false
	if n, _ := res.RowsAffected(); n == 1 {
		newReport = true
		rid, err = res.LastInsertId()
	} else {
		err = t.QueryRowContext(ctx, `SELECT rid FROM reports WHERE id = ?`, rep.ID).Scan(&rid)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert report %s: %w", rep.ID, mapError(err))
	}
	res, err = t.ExecContext(ctx, `
		INSERT INTO versions (rid, version, author, title, body, language, tlp, distribution,
			reliability, credibility, tags, audience, observed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rid, micros(rep.Version), rep.Author, rep.Title, rep.Body, rep.Language, rep.TLP, dist,
		rep.Reliability, rep.Credibility, tagsJSON, audience, nullMicros(rep.ObservedAt))
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert version of %s: %w", rep.ID, mapError(err))
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert version: %w", err)
	}
	if t.filters == nil {
		t.filters = map[int64]string{}
	}
	t.filters[seq] = ftsFilters(rep.Source, rep.TLP, rep.Language, rep.Tags)
	// One statement per table, whatever the audience's size: the parties
	// and tags go in as JSON arrays. OR FAIL: see rowsOf. The audience
	// itself is the version's column; reads check a party against it
	// (audienceHas).
	bases, err := t.viewBases(ctx, rep.Audience)
	if err != nil {
		return 0, err
	}
	if !newReport {
		// Each party of the audience now views this version: its view of
		// an older one goes, found through the report's few versions
		// (report_views keeps one view per party and report; see
		// migration 00020).
		if err := t.exec(ctx, "update report views", deleteOlderViews, bases, rid, seq); err != nil {
			return 0, err
		}
	}
	if err := t.exec(ctx, "insert report views", insertViews,
		seq, rid, rep.Source, rep.TLP, rep.Language, micros(rep.Version), bases); err != nil {
		return 0, err
	}
	if len(rep.Tags) == 0 {
		return seq, nil
	}
	if err := t.exec(ctx, "insert tags",
		`INSERT OR FAIL INTO version_tags (tag, seq) SELECT value, ? FROM json_each(?)`, seq, tagsJSON); err != nil {
		return 0, err
	}
	return seq, nil
}

// InsertNewReports implements store.ReportBatchTx: the reports' rows,
// their first versions, their views and their tags, each table in
// statements of up to maxChunk rows. The rows of one statement take
// consecutive rowids, so the rids and seqs follow from the last.
func (t *tx) InsertNewReports(ctx context.Context, reps []center.Report) ([]int64, error) {
	rids := make([]int64, 0, len(reps))
	err := chunks(len(reps), func(i, j int) error {
		args := make([]any, 0, 3*(j-i))
		for _, rep := range reps[i:j] {
			args = append(args, rep.ID, rep.Source, micros(rep.Created))
		}
		last, err := t.insertRows(ctx, `INSERT OR FAIL INTO reports (id, source, created) VALUES `+rowsOf("(?, ?, ?)", j-i), args)
		for k := range int64(j - i) {
			rids = append(rids, last-int64(j-i)+1+k)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: insert reports: %w", mapError(err))
	}
	seqs := make([]int64, 0, len(reps))
	err = chunks(len(reps), func(i, j int) error {
		args := make([]any, 0, 13*(j-i))
		for k, rep := range reps[i:j] {
			dist, tagsJSON, audience, err := backend.VersionJSON(rep)
			if err != nil {
				return err
			}
			args = append(args, rids[i+k], micros(rep.Version), rep.Author, rep.Title, rep.Body, rep.Language, rep.TLP, dist,
				rep.Reliability, rep.Credibility, tagsJSON, audience, nullMicros(rep.ObservedAt))
		}
		last, err := t.insertRows(ctx, `INSERT OR FAIL INTO versions (rid, version, author, title, body, language, tlp, distribution,
			reliability, credibility, tags, audience, observed_at) VALUES `+rowsOf("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", j-i), args)
		for k := range int64(j - i) {
			seqs = append(seqs, last-int64(j-i)+1+k)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: insert versions: %w", mapError(err))
	}
	if t.filters == nil {
		t.filters = map[int64]string{}
	}
	var views, tagRows []any // six and two values a row
	for i, rep := range reps {
		t.filters[seqs[i]] = ftsFilters(rep.Source, rep.TLP, rep.Language, rep.Tags)
		for _, p := range rep.Audience {
			base, err := t.viewBase(ctx, p)
			if err != nil {
				return nil, err
			}
			views = append(views, base|seqs[i], rids[i], rep.Source, rep.TLP, rep.Language, micros(rep.Version))
		}
		for _, tag := range rep.Tags {
			tagRows = append(tagRows, tag, seqs[i])
		}
	}
	for _, tbl := range []struct {
		what, insert, row string
		args              []any
		width             int
	}{
		{"views", `INSERT OR FAIL INTO report_views (view, rid, source, tlp, language, version) VALUES `, "(?, ?, ?, ?, ?, ?)", views, 6},
		{"tags", `INSERT OR FAIL INTO version_tags (tag, seq) VALUES `, "(?, ?)", tagRows, 2},
	} {
		err := chunks(len(tbl.args)/tbl.width, func(i, j int) error {
			_, err := t.insertRows(ctx, tbl.insert+rowsOf(tbl.row, j-i), tbl.args[tbl.width*i:tbl.width*j])
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sqlite: insert %s: %w", tbl.what, mapError(err))
		}
	}
	return seqs, nil
}

// insertRows runs a multi-row insert and returns the last rowid it gave.
func (t *tx) insertRows(ctx context.Context, query string, args []any) (int64, error) {
	res, err := t.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (t *tx) MarkRevoked(ctx context.Context, id string, at time.Time) error {
	res, err := t.ExecContext(ctx, `UPDATE reports SET revoked = ? WHERE id = ? AND revoked IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: revoke %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: revoke %s: %w", id, center.ErrNotFound)
	}
	return nil
}

func (t *tx) AppendEvent(ctx context.Context, e center.Event) (int64, error) {
	res, err := t.ExecContext(ctx, `
		INSERT INTO events (id, type, party, user, at, subject, digest, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Type, e.Party, e.User, micros(e.At), e.Subject, e.Digest, e.Salt)
	if err != nil {
		return 0, fmt.Errorf("sqlite: append event: %w", mapError(err))
	}
	return res.LastInsertId()
}
