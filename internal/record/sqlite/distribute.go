package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The distribution tables (migration 00009). Every read that returns a
// report checks the reading party against the version's audience
// (audienceHas): the visibility rule's stored decision.

const endpointColumns = `id, party, url, description, ordered, secret, prev_secret, prev_until, created, deleted, failures, open_until`

func scanEndpoint(sc interface{ Scan(...any) error }) (store.Endpoint, error) {
	var e store.Endpoint
	var created int64
	var prevUntil, deleted, openUntil sql.NullInt64
	if err := sc.Scan(&e.ID, &e.Party, &e.URL, &e.Description, &e.Ordered, &e.Secret, &e.PrevSecret,
		&prevUntil, &created, &deleted, &e.Failures, &openUntil); err != nil {
		return e, err
	}
	e.Created = fromMicros(created)
	e.PrevUntil, e.Deleted, e.OpenUntil = timePtr(prevUntil), timePtr(deleted), timePtr(openUntil)
	return e, nil
}

func (t *tx) InsertEndpoint(ctx context.Context, e store.Endpoint) error {
	return t.exec(ctx, "insert endpoint", `
		INSERT INTO endpoints (id, party, url, description, ordered, secret, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Party, e.URL, e.Description, e.Ordered, e.Secret, micros(e.Created))
}

func (t *tx) UpdateEndpoint(ctx context.Context, e store.Endpoint) error {
	if e.Deleted != nil {
		// Its subscriptions are no longer active.
		if err := t.subscriptionsChanged(ctx); err != nil {
			return err
		}
	}
	res, err := t.ExecContext(ctx, `
		UPDATE endpoints SET description = ?, secret = ?, prev_secret = ?, prev_until = ?, deleted = ?,
			failures = ?, open_until = ? WHERE id = ?`,
		e.Description, e.Secret, e.PrevSecret, nullMicros(e.PrevUntil), nullMicros(e.Deleted),
		e.Failures, nullMicros(e.OpenUntil), e.ID)
	if err != nil {
		return fmt.Errorf("sqlite: update endpoint %s: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: endpoint %q: %w", e.ID, center.ErrNotFound)
	}
	return nil
}

func (t *tx) EndpointByID(ctx context.Context, id string) (store.Endpoint, error) {
	e, err := scanEndpoint(t.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE id = ?`, id))
	if err != nil {
		return e, notFound("endpoint", id, err)
	}
	return e, nil
}

func (t *tx) InsertSubscription(ctx context.Context, s store.Subscription) error {
	if err := t.subscriptionsChanged(ctx); err != nil {
		return err
	}
	f, err := encodeFilter(s.Filter)
	if err != nil {
		return err
	}
	return t.exec(ctx, "insert subscription", `
		INSERT INTO subscriptions (id, party, endpoint, filter, created) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.Party, s.Endpoint, f, micros(s.Created))
}

// storedFilter is a filter as stored: what the party gave, and its query
// compiled.
type storedFilter struct {
	store.Filter
	Text  store.TextQuery    `json:"text"`
	Where store.SearchFilter `json:"where"`
}

func encodeFilter(f store.Filter) (string, error) {
	b, err := json.Marshal(storedFilter{Filter: f, Text: f.Text, Where: f.Where})
	if err != nil {
		return "", fmt.Errorf("sqlite: subscription filter: %w", err)
	}
	return string(b), nil
}

func decodeFilter(s string) (store.Filter, error) {
	var sf storedFilter
	if err := json.Unmarshal([]byte(s), &sf); err != nil {
		return store.Filter{}, fmt.Errorf("sqlite: subscription filter: %w", err)
	}
	f := sf.Filter
	f.Text, f.Where = sf.Text, sf.Where
	return f, nil
}

const subscriptionColumns = `id, party, endpoint, filter, created`

func scanSubscription(sc interface{ Scan(...any) error }) (store.Subscription, error) {
	var s store.Subscription
	var f string
	var created int64
	if err := sc.Scan(&s.ID, &s.Party, &s.Endpoint, &f, &created); err != nil {
		return s, err
	}
	s.Created = fromMicros(created)
	var err error
	s.Filter, err = decodeFilter(f)
	return s, err
}

func scanSubscriptions(rows *sql.Rows, err error) ([]store.Subscription, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []store.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: subscriptions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) SubscriptionByID(ctx context.Context, id string) (store.Subscription, error) {
	s, err := scanSubscription(t.QueryRowContext(ctx,
		`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = ? AND deleted IS NULL`, id))
	if err != nil {
		return s, notFound("subscription", id, err)
	}
	return s, nil
}

func (t *tx) DeleteSubscription(ctx context.Context, id string, at time.Time) error {
	if err := t.subscriptionsChanged(ctx); err != nil {
		return err
	}
	res, err := t.ExecContext(ctx, `UPDATE subscriptions SET deleted = ? WHERE id = ? AND deleted IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("sqlite: delete subscription %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: subscription %q: %w", id, center.ErrNotFound)
	}
	return nil
}

// metaSubscriptions names the active subscriptions' version (see
// sqlrow.MetaSubscriptions).
const metaSubscriptions = sqlrow.MetaSubscriptions

// subscriptionsChanged gives the active subscriptions a new version.
func (t *tx) subscriptionsChanged(ctx context.Context) error {
	v := rand.Text()
	if err := t.SetMeta(ctx, metaSubscriptions, v); err != nil {
		return err
	}
	t.activeVersion, t.activeKnown = v, true
	return nil
}

// ActiveSubscriptions implements store.Tx. The write path asks for every
// report it records; the subscriptions, with their filters decoded, are
// kept by the store for as long as their version (one indexed lookup per
// update) does not change.
func (t *tx) ActiveSubscriptions(ctx context.Context, parties []center.PartyCode) ([]store.Subscription, error) {
	if len(parties) == 0 {
		return nil, nil
	}
	if !t.activeKnown {
		v, err := readMeta(ctx, t, metaSubscriptions)
		if err != nil {
			return nil, err
		}
		t.activeVersion, t.activeKnown = v, true
	}
	all, err := t.active.Get(ctx, t.activeVersion, func(ctx context.Context) ([]store.Subscription, error) {
		return scanSubscriptions(t.QueryContext(ctx, sqlrow.ActiveSubscriptionsQuery))
	})
	if err != nil {
		return nil, err
	}
	return sqlrow.SubscriptionsOf(all, parties), nil
}

func (t *tx) AppendInbox(ctx context.Context, f store.InboxEntry) (int64, error) {
	res, err := t.ExecContext(ctx, `INSERT INTO inbox (party, type, report, version_seq, at) VALUES (?, ?, ?, ?, ?)`,
		f.Party, f.Type, f.Report, f.VersionSeq, micros(f.At))
	if err != nil {
		return 0, fmt.Errorf("sqlite: append inbox: %w", err)
	}
	return res.LastInsertId()
}

var _ store.OutboxBatchTx = (*tx)(nil)

// AppendInboxes inserts the entries with multi-row statements. A
// statement's rows take consecutive Seqs, the last of which it reports:
// each new row's rowid is one more than the largest in the table.
func (t *tx) AppendInboxes(ctx context.Context, fs []store.InboxEntry) ([]int64, error) {
	seqs := make([]int64, 0, len(fs))
	err := chunks(len(fs), func(i, j int) error {
		args := make([]any, 0, 5*(j-i))
		for _, f := range fs[i:j] {
			args = append(args, f.Party, f.Type, f.Report, f.VersionSeq, micros(f.At))
		}
		res, err := t.ExecContext(ctx, `INSERT OR FAIL INTO inbox (party, type, report, version_seq, at) VALUES `+
			rowsOf("(?, ?, ?, ?, ?)", j-i), args...)
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for k := range int64(j - i) {
			seqs = append(seqs, last-int64(j-i)+1+k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: append inbox: %w", err)
	}
	return seqs, nil
}

// InsertDeliveries inserts the deliveries with multi-row statements.
func (t *tx) InsertDeliveries(ctx context.Context, ds []store.Delivery) error {
	err := chunks(len(ds), func(i, j int) error {
		args := make([]any, 0, 7*(j-i))
		for _, d := range ds[i:j] {
			args = append(args, d.ID, d.Party, d.Endpoint, d.Subscription, d.InboxSeq, micros(d.Created), micros(d.NextAttempt))
		}
		_, err := t.ExecContext(ctx, `
			INSERT OR FAIL INTO deliveries (id, party, endpoint, subscription, inbox_seq, created, state, next_attempt)
			VALUES `+rowsOf("(?, ?, ?, ?, ?, ?, 'pending', ?)", j-i), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: insert deliveries: %w", mapError(err))
	}
	return nil
}

func (t *tx) InsertDelivery(ctx context.Context, d store.Delivery) (int64, error) {
	res, err := t.ExecContext(ctx, `
		INSERT INTO deliveries (id, party, endpoint, subscription, inbox_seq, created, state, next_attempt)
		VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
		d.ID, d.Party, d.Endpoint, d.Subscription, d.InboxSeq, micros(d.Created), micros(d.NextAttempt))
	if err != nil {
		return 0, fmt.Errorf("sqlite: insert delivery: %w", mapError(err))
	}
	return res.LastInsertId()
}

func (t *tx) FinishAttempt(ctx context.Context, f store.FinishedAttempt) error {
	a := f.Attempt
	var done sql.NullInt64
	if f.State != store.Pending {
		done = sql.NullInt64{Int64: micros(a.At), Valid: true}
	}
	res, err := t.ExecContext(ctx, `
		UPDATE deliveries SET state = ?, attempts = attempts + 1, next_attempt = ?, last_status = ?,
			last_error = ?, last_latency = ?, done = ?, receipt_event = ?
		WHERE seq = ? AND state = 'pending'`,
		f.State, micros(f.Next), a.Status, a.Error, a.Latency.Microseconds(), done, receiptEvent(f), f.Seq)
	if err != nil {
		return fmt.Errorf("sqlite: finish attempt of delivery %d: %w", f.Seq, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: pending delivery %d: %w", f.Seq, center.ErrNotFound)
	}
	if f.State == store.Delivered {
		return nil // its row holds it: sqlrow.EndpointAttemptsQuery
	}
	return t.exec(ctx, "record attempt", `
		INSERT INTO delivery_attempts (delivery, n, at, status, latency, error)
		VALUES (?, (SELECT attempts FROM deliveries WHERE seq = ?), ?, ?, ?, ?)`,
		f.Seq, f.Seq, micros(a.At), a.Status, a.Latency.Microseconds(), a.Error)
}

// receiptEvent is the receipt_event a finished attempt leaves: its
// receipt's event if it delivered, else none.
func receiptEvent(f store.FinishedAttempt) sql.NullString {
	return sql.NullString{String: f.Receipt, Valid: f.State == store.Delivered && f.Receipt != ""}
}

func (t *tx) KillPending(ctx context.Context, endpoint string, at time.Time) error {
	return t.exec(ctx, "dead-letter pending deliveries", `
		UPDATE deliveries SET state = 'dead', done = ?, last_error = 'endpoint deleted'
		WHERE endpoint = ? AND state = 'pending'`, micros(at), endpoint)
}

func (t *tx) Redrive(ctx context.Context, seq int64, at time.Time) error {
	var state string
	if err := t.QueryRowContext(ctx, `SELECT state FROM deliveries WHERE seq = ?`, seq).Scan(&state); err != nil {
		return notFound("delivery", fmt.Sprint(seq), err)
	}
	if state == string(store.Delivered) {
		return center.Refuse(center.ErrConflict, "the delivery was delivered; there is nothing to redrive")
	}
	return t.exec(ctx, "redrive delivery", `
		UPDATE deliveries SET state = 'pending', next_attempt = ?, done = NULL WHERE seq = ?`, micros(at), seq)
}

const deliveryColumns = `d.seq, d.id, d.party, d.endpoint, d.subscription, d.inbox_seq, f.type, f.report, d.created,
	d.state, d.attempts, d.next_attempt, d.last_status, d.last_error, d.last_latency, d.done, d.receipt_event`

func scanDelivery(sc interface{ Scan(...any) error }, extra ...any) (store.Delivery, error) {
	var d store.Delivery
	var created, next, latency int64
	var done sql.NullInt64
	var receipt sql.NullString
	dest := append([]any{&d.Seq, &d.ID, &d.Party, &d.Endpoint, &d.Subscription, &d.InboxSeq, &d.Type, &d.Report, &created,
		&d.State, &d.Attempts, &next, &d.LastStatus, &d.LastError, &latency, &done, &receipt}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return d, err
	}
	d.ReceiptEvent = receipt.String
	d.Created, d.NextAttempt, d.Done = fromMicros(created), fromMicros(next), timePtr(done)
	d.LastLatency = time.Duration(latency) * time.Microsecond
	return d, nil
}

func scanDeliveries(rows *sql.Rows, err error) ([]store.Delivery, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlite: deliveries: %w", err)
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tx) DeliveryByID(ctx context.Context, id string) (store.Delivery, error) {
	d, err := scanDelivery(t.QueryRowContext(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries d JOIN inbox f ON f.seq = d.inbox_seq WHERE d.id = ?`, id))
	if err != nil {
		return d, notFound("delivery", id, err)
	}
	return d, nil
}

func (s *Store) Endpoints(ctx context.Context, party center.PartyCode) ([]store.Endpoint, error) {
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+endpointColumns+` FROM endpoints WHERE party = ? AND deleted IS NULL ORDER BY created, id`, party)
	if err != nil {
		return nil, fmt.Errorf("sqlite: endpoints: %w", err)
	}
	defer rows.Close()
	var out []store.Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) Endpoint(ctx context.Context, party center.PartyCode, id string) (store.Endpoint, error) {
	e, err := scanEndpoint(s.rd.QueryRowContext(ctx, `
		SELECT `+endpointColumns+` FROM endpoints WHERE id = ? AND party = ? AND deleted IS NULL`, id, party))
	if err != nil {
		return e, notFound("endpoint", id, err)
	}
	return e, nil
}

func (s *Store) Subscriptions(ctx context.Context, party center.PartyCode) ([]store.Subscription, error) {
	return scanSubscriptions(s.rd.QueryContext(ctx, `
		SELECT `+subscriptionColumns+` FROM subscriptions WHERE party = ? AND deleted IS NULL ORDER BY created, id`, party))
}

func (s *Store) Deliveries(ctx context.Context, party center.PartyCode, q store.DeliveryQuery) ([]store.Delivery, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize {
		return nil, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	where := []string{"d.party = ?"}
	args := []any{party}
	if q.Endpoint != "" {
		where, args = append(where, "d.endpoint = ?"), append(args, q.Endpoint)
	}
	if q.State != "" {
		where, args = append(where, "d.state = ?"), append(args, q.State)
	}
	if q.Report != "" {
		where, args = append(where, "f.report = ?"), append(args, q.Report)
	}
	if q.Before > 0 {
		where, args = append(where, "d.seq < ?"), append(args, q.Before)
	}
	args = append(args, q.Limit)
	return scanDeliveries(s.rd.QueryContext(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries d JOIN inbox f ON f.seq = d.inbox_seq
		WHERE `+strings.Join(where, " AND ")+` ORDER BY d.seq DESC LIMIT ?`, args...))
}

func (s *Store) EndpointHealth(ctx context.Context, party center.PartyCode, id string) (store.EndpointHealth, error) {
	var h store.EndpointHealth
	e, err := s.Endpoint(ctx, party, id)
	if err != nil {
		return h, err
	}
	h.Endpoint = e
	rows, err := s.rd.QueryContext(ctx, `SELECT state, count(*), min(created) FROM deliveries WHERE endpoint = ? GROUP BY state`, id)
	if err != nil {
		return h, fmt.Errorf("sqlite: endpoint health: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n, oldest int64
		if err := rows.Scan(&state, &n, &oldest); err != nil {
			return h, fmt.Errorf("sqlite: endpoint health: %w", err)
		}
		switch store.DeliveryState(state) {
		case store.Pending:
			h.Pending = n
			t := fromMicros(oldest)
			h.OldestPending = &t
		case store.Delivered:
			h.Delivered = n
		case store.Dead:
			h.Dead = n
		}
	}
	if err := rows.Err(); err != nil {
		return h, fmt.Errorf("sqlite: endpoint health: %w", err)
	}
	arows, err := s.rd.QueryContext(ctx, sqlrow.EndpointAttemptsQuery, id)
	if err != nil {
		return h, fmt.Errorf("sqlite: endpoint attempts: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a store.Attempt
		var at, latency int64
		if err := arows.Scan(&a.Delivery, &a.N, &at, &a.Status, &latency, &a.Error); err != nil {
			return h, fmt.Errorf("sqlite: endpoint attempts: %w", err)
		}
		a.At, a.Latency = fromMicros(at), time.Duration(latency)*time.Microsecond
		h.LastAttempts = append(h.LastAttempts, a)
	}
	return h, arows.Err()
}

func (s *Store) Inbox(ctx context.Context, party center.PartyCode, after int64, limit int) ([]store.InboxItem, error) {
	rows, err := s.rd.QueryContext(ctx, `
		SELECT f.seq, f.party, f.type, f.report, f.version_seq, f.at, `+versionColumns+`
		FROM inbox f
		JOIN versions v ON v.seq = f.version_seq
		JOIN reports r ON r.rid = v.rid
		WHERE f.party = ? AND f.seq > ? AND `+audienceHas("f.party")+`
		ORDER BY f.seq LIMIT ?`, party, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inbox: %w", err)
	}
	defer rows.Close()
	var out []store.InboxItem
	for rows.Next() {
		var it store.InboxItem
		var at int64
		rep, err := scanInboxRow(rows, &it, &at)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox: %w", err)
		}
		it.At, it.Version = fromMicros(at), rep
		out = append(out, it)
	}
	return out, rows.Err()
}

// scanInboxRow scans inbox columns followed by versionColumns.
func scanInboxRow(sc interface{ Scan(...any) error }, it *store.InboxItem, at *int64) (center.Report, error) {
	var rep center.Report
	var version, created int64
	var dist, tags, audience string
	var observed, revoked, purged sql.NullInt64
	err := sc.Scan(&it.Seq, &it.Party, &it.Type, &it.Report, &it.VersionSeq, at,
		&rep.Seq, &rep.ID, &version, &created, &rep.Source, &rep.Author, &rep.Title, &rep.Body,
		&rep.Language, &rep.TLP, &dist, &rep.Reliability, &rep.Credibility, &tags, &audience,
		&observed, &revoked, &purged)
	if err != nil {
		return rep, err
	}
	rep.Version, rep.Created = fromMicros(version), fromMicros(created)
	rep.ObservedAt, rep.Revoked, rep.Purged = timePtr(observed), timePtr(revoked), timePtr(purged)
	for _, x := range []struct {
		s string
		v any
	}{{dist, &rep.Distribution}, {tags, &rep.Tags}, {audience, &rep.Audience}} {
		if err := json.Unmarshal([]byte(x.s), x.v); err != nil {
			return rep, fmt.Errorf("version %d: %w", rep.Seq, err)
		}
	}
	return rep, nil
}

func (s *Store) LastInboxSeq(ctx context.Context, party center.PartyCode) (int64, error) {
	var seq sql.NullInt64
	if err := s.rd.QueryRowContext(ctx, `SELECT max(seq) FROM inbox WHERE party = ?`, party).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: last inbox seq: %w", err)
	}
	return seq.Int64, nil
}

// skipLists returns the endpoints and deliveries a due read skips as JSON
// arrays, so that the statement's text, and its prepared form, stays the
// same whatever their lengths; an empty list is [] (NOT IN a null would
// filter out every row).
func skipLists(q store.DueQuery) (endpoints, deliveries []byte, err error) {
	skipE, skipD := q.SkipEndpoints, q.SkipDeliveries
	if skipE == nil {
		skipE = []string{}
	}
	if skipD == nil {
		skipD = []int64{}
	}
	if endpoints, err = json.Marshal(skipE); err != nil {
		return nil, nil, err
	}
	if deliveries, err = json.Marshal(skipD); err != nil {
		return nil, nil, err
	}
	return endpoints, deliveries, nil
}

// continuation is the range of a read, due by q.Now and continuing after
// q.After (and, for all endpoints, q.AfterDue), with its arguments. With
// AfterDue it names a position in the read's order, which the index of
// pending rows follows, so the read starts there instead of walking past
// what the reader holds. (SQLite seeks to the due time and checks the Seq
// of the rows due at that same microsecond: it does not seek by a vector
// that ends in the rowid.) A read for one endpoint goes by Seq alone.
func continuation(q store.DueQuery) (string, []any) {
	now := micros(q.Now)
	if q.AfterDue.IsZero() || q.Endpoint != "" {
		return `d.next_attempt <= ? AND d.seq > ?`, []any{now, q.After}
	}
	return `(d.next_attempt, d.seq) > (?, ?) AND d.next_attempt <= ?`, []any{micros(q.AfterDue), q.After, now}
}

// dueQuery returns the statement that selects the deliveries q asks for,
// with columns after the FROM clause's d (deliveries), f (inbox) and e
// (endpoints), and its arguments; joins go between FROM and WHERE.
func dueQuery(q store.DueQuery, columns, joins string) (string, []any, error) {
	ej, dj, err := skipLists(q)
	if err != nil {
		return "", nil, err
	}
	// LIMIT ? + 0, not LIMIT ?: SQLite's planner reads a bare bound LIMIT
	// and then prepares the statement again whenever its value changes,
	// which the worker's reads do nearly every time (a third of a
	// millisecond each time, more than the read itself).
	now := micros(q.Now)
	after, afterArgs := continuation(q)
	if q.Endpoint != "" {
		// One endpoint's pending rows, in Seq order, by their own index.
		return `
			SELECT ` + columns + ` FROM deliveries d
			JOIN inbox f ON f.seq = d.inbox_seq
			JOIN endpoints e ON e.id = d.endpoint` + joins + `
			WHERE d.endpoint = ? AND d.state = 'pending' AND ` + after + `
				AND d.seq NOT IN (SELECT value FROM json_each(?))
				AND (e.open_until IS NULL OR e.open_until <= ?)
				AND (e.ordered = 0 OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
					WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
			ORDER BY d.seq LIMIT ? + 0`, slices.Concat([]any{q.Endpoint}, afterArgs, []any{string(dj), now, q.Limit}), nil
	}
	return `
		SELECT ` + columns + ` FROM deliveries d
		JOIN inbox f ON f.seq = d.inbox_seq
		JOIN endpoints e ON e.id = d.endpoint` + joins + `
		WHERE d.state = 'pending' AND ` + after + `
			AND d.seq NOT IN (SELECT value FROM json_each(?))
			AND d.endpoint NOT IN (SELECT value FROM json_each(?))
			AND (e.open_until IS NULL OR e.open_until <= ?)
			AND (e.ordered = 0 OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
				WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
		ORDER BY d.next_attempt, d.seq LIMIT ? + 0`, append(afterArgs, string(dj), string(ej), now, q.Limit), nil
}

func (s *Store) DueDeliveries(ctx context.Context, q store.DueQuery) ([]store.Delivery, error) {
	query, args, err := dueQuery(q, deliveryColumns, "")
	if err != nil {
		return nil, fmt.Errorf("sqlite: due deliveries: %w", err)
	}
	return scanDeliveries(s.rd.QueryContext(ctx, query, args...))
}

var _ store.DueOutboundReader = (*Store)(nil)

// DueOutbound is DueDeliveries and Outbound in one statement: the due
// rows joined with what they send, each checked against its version's
// audience, so that a delivery its party may not see comes back marked,
// not left out.
func (s *Store) DueOutbound(ctx context.Context, q store.DueQuery) ([]store.DueOutbound, error) {
	columns := dueOutboundColumns
	if q.WithoutContent {
		columns = dueOutboundHeadColumns
	}
	query, args, err := dueQuery(q, columns, dueOutboundJoins)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	return s.readDueOutbound(ctx, q.WithoutContent, query, args)
}

// readDueOutbound runs a DueOutbound statement, with or without content.
// Without content, its rows name their endpoints, whose rows are read
// once each in the same read transaction: every row of an endpoint's read
// would carry the same dozen columns.
func (s *Store) readDueOutbound(ctx context.Context, withoutContent bool, query string, args []any) ([]store.DueOutbound, error) {
	if !withoutContent {
		rows, err := s.rd.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: due outbound: %w", err)
		}
		return scanDueOutbound(rows, false)
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	defer tx.Rollback()
	st, err := s.rd.get(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	outs, err := scanDueOutbound(rows, true)
	if err != nil || len(outs) == 0 {
		return outs, err
	}
	endpoints := map[string]store.Endpoint{}
	var ids []string
	for _, o := range outs {
		if _, seen := endpoints[o.Delivery.Endpoint]; o.Sendable && !seen {
			endpoints[o.Delivery.Endpoint] = store.Endpoint{}
			ids = append(ids, o.Delivery.Endpoint)
		}
	}
	if len(ids) == 0 {
		return outs, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	est, err := s.rd.get(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE id IN (SELECT value FROM json_each(?))`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: %w", err)
	}
	erows, err := tx.StmtContext(ctx, est).QueryContext(ctx, string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: endpoints: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		e, err := scanEndpoint(erows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: due outbound: endpoints: %w", err)
		}
		endpoints[e.ID] = e
	}
	if err := erows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: due outbound: endpoints: %w", err)
	}
	for i := range outs {
		if outs[i].Sendable {
			// The statement joined each row to its endpoint in the same
			// snapshot: it is there.
			outs[i].Endpoint = endpoints[outs[i].Delivery.Endpoint]
		}
	}
	return outs, nil
}

// dueScratch holds the rows of a due read while they are scanned. A row is
// most of a kilobyte and a read's limit often several times what it
// returns, so allocating for the limit made most reads allocate several
// times what they returned, and growing a slice row by row copies it as
// often. The read returns a copy of exactly its rows.
var dueScratch = sync.Pool{New: func() any { return new([]store.DueOutbound) }}

// scanDueOutbound reads the rows of DueOutbound's statement, with or
// without content, and closes them.
func scanDueOutbound(rows *sql.Rows, withoutContent bool) ([]store.DueOutbound, error) {
	defer rows.Close()
	scratch := dueScratch.Get().(*[]store.DueOutbound)
	outs := (*scratch)[:0]
	defer func() {
		clear(outs) // the pool must not keep what the rows point to
		*scratch = outs[:0]
		dueScratch.Put(scratch)
	}()
	var head *headScan
	if withoutContent {
		head = newHeadScan()
	}
	var err error
	for rows.Next() {
		// Scanned in place: a row's own variable would escape, through
		// Scan's destinations, and cost an allocation of its size.
		outs = append(outs, store.DueOutbound{})
		o := &outs[len(outs)-1]
		if head != nil {
			err = head.scan(rows, o)
		} else {
			o.Outbound, err = scanOutbound(rows, &o.Sendable)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: due outbound: %w", err)
		}
		if !o.Sendable {
			// Not the party's to see: nothing of it leaves the store.
			o.Item, o.Endpoint = store.InboxItem{}, store.Endpoint{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(outs), nil
}

var _ store.DueOutboundEachReader = (*Store)(nil)

// maxEach bounds how many queries DueOutboundEach puts in one statement;
// more go in several.
const maxEach = 16

// DueOutboundEach implements store.DueOutboundEachReader with a UNION ALL
// of DueOutbound's statements, each arm in its own subquery, so that its
// ORDER BY and LIMIT stay its own.
func (s *Store) DueOutboundEach(ctx context.Context, qs []store.DueQuery) ([]store.DueOutbound, error) {
	if len(qs) <= maxEach {
		return s.dueOutboundEach(ctx, qs)
	}
	var outs []store.DueOutbound
	for len(qs) > 0 {
		n := min(len(qs), maxEach)
		got, err := s.dueOutboundEach(ctx, qs[:n])
		if err != nil {
			return nil, err
		}
		outs = append(outs, got...)
		qs = qs[n:]
	}
	return outs, nil
}

func (s *Store) dueOutboundEach(ctx context.Context, qs []store.DueQuery) ([]store.DueOutbound, error) {
	switch len(qs) {
	case 0:
		return nil, nil
	case 1:
		return s.DueOutbound(ctx, qs[0])
	}
	columns := dueOutboundColumns
	if qs[0].WithoutContent {
		columns = dueOutboundHeadColumns
	}
	arms := make([]string, len(qs))
	var args []any
	for i, q := range qs {
		if q.Endpoint == "" || q.WithoutContent != qs[0].WithoutContent {
			return nil, fmt.Errorf("sqlite: due outbound: each query must name its endpoint, and all ask for the same columns")
		}
		query, a, err := dueQuery(q, columns, dueOutboundJoins)
		if err != nil {
			return nil, fmt.Errorf("sqlite: due outbound: %w", err)
		}
		arms[i] = "SELECT * FROM (" + query + ")"
		args = append(args, a...)
	}
	return s.readDueOutbound(ctx, qs[0].WithoutContent, strings.Join(arms, "\nUNION ALL\n"), args)
}

// The parts of DueOutbound's statement, put together once.
var (
	dueOutboundColumns = deliveryColumns + `, ` + prefixed("e.", endpointColumns) + `,
			f.seq, f.party, f.type, f.report, f.version_seq, f.at, ` + versionColumns + `, ` + audienceHas("d.party")
	// Without content, a row holds what sending its delivery needs: not
	// what only a listing of deliveries shows, nor its endpoint's row.
	dueOutboundHeadColumns = `d.seq, d.id, d.party, d.endpoint, d.inbox_seq, f.type, f.report, d.created, d.attempts,
			d.next_attempt, f.version_seq, f.at, ` + versionHeadColumns + `, ` + audienceHas("d.party")
	dueOutboundJoins = `
			JOIN versions v ON v.seq = f.version_seq
			JOIN reports r ON r.rid = v.rid`
)

func (s *Store) Outbound(ctx context.Context, seqs []int64) ([]store.Outbound, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	sj, err := json.Marshal(seqs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbound: %w", err)
	}
	rows, err := s.rd.QueryContext(ctx, `
		SELECT `+deliveryColumns+`, `+prefixed("e.", endpointColumns)+`,
			f.seq, f.party, f.type, f.report, f.version_seq, f.at, `+versionColumns+`
		FROM deliveries d
		JOIN inbox f ON f.seq = d.inbox_seq
		JOIN endpoints e ON e.id = d.endpoint
		JOIN versions v ON v.seq = f.version_seq
		JOIN reports r ON r.rid = v.rid
		WHERE d.seq IN (SELECT value FROM json_each(?)) AND d.state = 'pending' AND `+audienceHas("d.party")+`
		ORDER BY d.seq`, string(sj))
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbound: %w", err)
	}
	defer rows.Close()
	outs := make([]store.Outbound, 0, len(seqs))
	for rows.Next() {
		out, err := scanOutbound(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: outbound: %w", err)
		}
		outs = append(outs, out)
	}
	return outs, rows.Err()
}

func scanOutbound(row interface{ Scan(...any) error }, extra ...any) (store.Outbound, error) {
	var out store.Outbound
	var (
		e                            = &out.Endpoint
		eCreated                     int64
		prevUntil, deleted, openUntl sql.NullInt64
		it                           = &out.Item
		at, version, created         int64
		dist, tags, audience         string
		observed, revoked, purged    sql.NullInt64
		rep                          = &out.Item.Version
	)
	dest := []any{&e.ID, &e.Party, &e.URL, &e.Description, &e.Ordered, &e.Secret, &e.PrevSecret, &prevUntil, &eCreated, &deleted, &e.Failures, &openUntl,
		&it.Seq, &it.Party, &it.Type, &it.Report, &it.VersionSeq, &at,
		&rep.Seq, &rep.ID, &version, &created, &rep.Source, &rep.Author, &rep.Title, &rep.Body,
		&rep.Language, &rep.TLP, &dist, &rep.Reliability, &rep.Credibility, &tags, &audience,
		&observed, &revoked, &purged}
	d, err := scanDelivery(row, append(dest, extra...)...)
	if err != nil {
		return out, err
	}
	out.Delivery = d
	e.Created = fromMicros(eCreated)
	e.PrevUntil, e.Deleted, e.OpenUntil = timePtr(prevUntil), timePtr(deleted), timePtr(openUntl)
	it.At = fromMicros(at)
	rep.Version, rep.Created = fromMicros(version), fromMicros(created)
	rep.ObservedAt, rep.Revoked, rep.Purged = timePtr(observed), timePtr(revoked), timePtr(purged)
	for _, x := range []struct {
		s string
		v any
	}{{dist, &rep.Distribution}, {tags, &rep.Tags}, {audience, &rep.Audience}} {
		if err := json.Unmarshal([]byte(x.s), x.v); err != nil {
			return out, fmt.Errorf("version %d: %w", rep.Seq, err)
		}
	}
	return out, nil
}

// versionHeadColumns are what DueOutbound reads of a version without its
// content: what says whether content read before still holds.
const versionHeadColumns = `r.id, r.revoked, v.purged`

// headScan scans the rows of DueOutbound without content into one set of
// destinations, reused from row to row: the worker reads every delivery
// this way, and a fresh set per row was most of what the read allocated.
type headScan struct {
	o                 store.DueOutbound
	created, next, at int64
	revoked, purged   sql.NullInt64
	dest              []any
}

func newHeadScan() *headScan {
	h := &headScan{}
	d, it, rep := &h.o.Delivery, &h.o.Item, &h.o.Item.Version
	h.dest = []any{&d.Seq, &d.ID, &d.Party, &d.Endpoint, &d.InboxSeq, &d.Type, &d.Report, &h.created, &d.Attempts,
		&h.next, &it.VersionSeq, &h.at, &rep.ID, &h.revoked, &h.purged, &h.o.Sendable}
	return h
}

// scan reads the current row into o. The row's delivery is pending (its
// statement asks for no other) and goes to the party whose inbox entry it
// sends.
func (h *headScan) scan(rows *sql.Rows, o *store.DueOutbound) error {
	if err := rows.Scan(h.dest...); err != nil {
		return err
	}
	*o = h.o
	d, it := &o.Delivery, &o.Item
	d.State = store.Pending
	d.Created, d.NextAttempt = fromMicros(h.created), fromMicros(h.next)
	it.Seq, it.Party, it.Type, it.Report, it.At = d.InboxSeq, d.Party, d.Type, d.Report, fromMicros(h.at)
	it.Version.Seq = it.VersionSeq
	it.Version.Revoked, it.Version.Purged = timePtr(h.revoked), timePtr(h.purged)
	return nil
}

// prefixed qualifies each of a comma-separated column list.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

var _ store.AttemptBatchTx = (*tx)(nil)

// maxChunk is how many rows one multi-row statement takes. A batch goes
// in chunks of maxChunk rows and of powers of two below it, so that a
// handful of statement texts, each prepared once, serve every batch size.
// A batch of 256 receipts takes two statements (at 32 rows a statement,
// recording them cost 8% more).
const maxChunk = 128

// chunks calls fn with each successive chunk [i, j) of n rows.
func chunks(n int, fn func(i, j int) error) error {
	for i := 0; i < n; {
		k := maxChunk
		for k > n-i {
			k /= 2
		}
		if err := fn(i, i+k); err != nil {
			return err
		}
		i += k
	}
	return nil
}

// rowsOf returns n copies of a row of placeholders, comma-separated.
//
// The write path's multi-row inserts (these, and those from json_each)
// say OR FAIL. Under the default, ABORT, a statement that may write
// several rows keeps a journal of every page it touches, to undo its own
// rows alone if one of them fails; ours are undone with their whole
// Update (its savepoint, or the transaction), so the journal was work
// for nothing. OR FAIL needs none.
func rowsOf(row string, n int) string {
	return row + strings.Repeat(", "+row, n-1)
}

// FinishAttempts records a batch of attempts with multi-row statements:
// an UPDATE ... FROM (VALUES ...) moves the pending deliveries on and
// returns their new attempt counts, and an INSERT writes their attempt
// rows, numbered as FinishAttempt numbers them.
func (t *tx) FinishAttempts(ctx context.Context, fs []store.FinishedAttempt) ([]bool, error) {
	attempts := make(map[int64]int64, len(fs))
	err := chunks(len(fs), func(i, j int) error {
		args := make([]any, 0, 8*(j-i))
		for _, f := range fs[i:j] {
			var done sql.NullInt64
			if f.State != store.Pending {
				done = sql.NullInt64{Int64: micros(f.Attempt.At), Valid: true}
			}
			args = append(args, f.Seq, string(f.State), micros(f.Next), f.Attempt.Status, f.Attempt.Error,
				f.Attempt.Latency.Microseconds(), done, receiptEvent(f))
		}
		rows, err := t.QueryContext(ctx, `
			UPDATE deliveries SET state = j.column2, attempts = attempts + 1, next_attempt = j.column3,
				last_status = j.column4, last_error = j.column5, last_latency = j.column6, done = j.column7,
				receipt_event = j.column8
			FROM (VALUES `+rowsOf("(?, ?, ?, ?, ?, ?, ?, ?)", j-i)+`) AS j
			WHERE deliveries.seq = j.column1 AND deliveries.state = 'pending'
			RETURNING deliveries.seq, deliveries.attempts`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq, n int64
			if err := rows.Scan(&seq, &n); err != nil {
				return err
			}
			attempts[seq] = n
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: finish attempts: %w", err)
	}
	// An attempt that delivered is kept in its delivery's row alone
	// (sqlrow.EndpointAttemptsQuery): a row for it would repeat the row.
	pending := make([]bool, len(fs))
	recorded := make([]int, 0, len(attempts))
	for i, f := range fs {
		if _, ok := attempts[f.Seq]; ok {
			pending[i] = true
			if f.State != store.Delivered {
				recorded = append(recorded, i)
			}
		}
	}
	err = chunks(len(recorded), func(i, j int) error {
		args := make([]any, 0, 6*(j-i))
		for _, k := range recorded[i:j] {
			f := fs[k]
			args = append(args, f.Seq, attempts[f.Seq], micros(f.Attempt.At), f.Attempt.Status,
				f.Attempt.Latency.Microseconds(), f.Attempt.Error)
		}
		return t.exec(ctx, "record attempts", `
			INSERT INTO delivery_attempts (delivery, n, at, status, latency, error)
			VALUES `+rowsOf("(?, ?, ?, ?, ?, ?)", j-i), args...)
	})
	if err != nil {
		return nil, err
	}
	return pending, nil
}

// AppendEvents inserts the events with multi-row statements, in order.
func (t *tx) AppendEvents(ctx context.Context, es []center.Event) error {
	return chunks(len(es), func(i, j int) error {
		args := make([]any, 0, 8*(j-i))
		for _, e := range es[i:j] {
			args = append(args, e.ID, e.Type, e.Party, e.User, micros(e.At), e.Subject, e.Digest, e.Salt)
		}
		return t.exec(ctx, "append events", `
			INSERT INTO events (id, type, party, user, at, subject, digest, salt)
			VALUES `+rowsOf("(?, ?, ?, ?, ?, ?, ?, ?)", j-i), args...)
	})
}
