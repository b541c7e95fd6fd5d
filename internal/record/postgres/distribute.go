package postgres

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The distribution tables (migration 00009). Every read that returns a
// report checks the reading party against the version's audience
// (audienceHas): the visibility rule's stored decision.

const endpointColumns = `id, party, url, description, ordered, secret, prev_secret, prev_until, created, deleted, failures, open_until`

// endpointDest returns the scan destinations of endpointColumns into e,
// and a function that fills in e's times after the scan.
func endpointDest(e *store.Endpoint) ([]any, func()) {
	var created int64
	var prevUntil, deleted, openUntil *int64
	dest := []any{&e.ID, &e.Party, &e.URL, &e.Description, &e.Ordered, &e.Secret, &e.PrevSecret,
		&prevUntil, &created, &deleted, &e.Failures, &openUntil}
	return dest, func() {
		e.Created = fromMicros(created)
		e.PrevUntil, e.Deleted, e.OpenUntil = timePtr(prevUntil), timePtr(deleted), timePtr(openUntil)
	}
}

func scanEndpoint(sc pgx.Row) (store.Endpoint, error) {
	var e store.Endpoint
	dest, fill := endpointDest(&e)
	if err := sc.Scan(dest...); err != nil {
		return e, err
	}
	fill()
	return e, nil
}

func (t *tx) InsertEndpoint(ctx context.Context, e store.Endpoint) error {
	return t.exec(ctx, "insert endpoint", `
		INSERT INTO endpoints (id, party, url, description, ordered, secret, created) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		e.ID, string(e.Party), e.URL, e.Description, e.Ordered, nonNil(e.Secret), micros(e.Created))
}

// nonNil keeps a NOT NULL bytea column's empty value from going in as
// NULL, as SQLite takes it.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (t *tx) UpdateEndpoint(ctx context.Context, e store.Endpoint) error {
	if e.Deleted != nil {
		// Its subscriptions are no longer active.
		if err := t.subscriptionsChanged(ctx); err != nil {
			return err
		}
	}
	tag, err := t.Exec(ctx, `
		UPDATE endpoints SET description = $1, secret = $2, prev_secret = $3, prev_until = $4, deleted = $5,
			failures = $6, open_until = $7 WHERE id = $8`,
		e.Description, nonNil(e.Secret), e.PrevSecret, nullMicros(e.PrevUntil), nullMicros(e.Deleted),
		e.Failures, nullMicros(e.OpenUntil), e.ID)
	if err != nil {
		return fmt.Errorf("postgres: update endpoint %s: %w", e.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: endpoint %q: %w", e.ID, center.ErrNotFound)
	}
	return nil
}

func (t *tx) EndpointByID(ctx context.Context, id string) (store.Endpoint, error) {
	e, err := scanEndpoint(t.QueryRow(ctx, `SELECT `+endpointColumns+` FROM endpoints WHERE id = $1`, id))
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
		INSERT INTO subscriptions (id, party, endpoint, filter, created) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, string(s.Party), s.Endpoint, f, micros(s.Created))
}

// storedFilter is a filter as stored: what the party gave, and its query
// compiled. The same JSON as on SQLite, so that a copied center's
// subscriptions read the same.
type storedFilter struct {
	store.Filter
	Text  store.TextQuery    `json:"text"`
	Where store.SearchFilter `json:"where"`
}

func encodeFilter(f store.Filter) (string, error) {
	b, err := json.Marshal(storedFilter{Filter: f, Text: f.Text, Where: f.Where})
	if err != nil {
		return "", fmt.Errorf("postgres: subscription filter: %w", err)
	}
	return string(b), nil
}

func decodeFilter(s string) (store.Filter, error) {
	var sf storedFilter
	if err := json.Unmarshal([]byte(s), &sf); err != nil {
		return store.Filter{}, fmt.Errorf("postgres: subscription filter: %w", err)
	}
	f := sf.Filter
	f.Text, f.Where = sf.Text, sf.Where
	return f, nil
}

const subscriptionColumns = `id, party, endpoint, filter, created`

func scanSubscription(sc pgx.Row) (store.Subscription, error) {
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

func scanSubscriptions(rows pgx.Rows, err error) ([]store.Subscription, error) {
	if err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []store.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: subscriptions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: subscriptions: %w", err)
	}
	return out, nil
}

func (t *tx) SubscriptionByID(ctx context.Context, id string) (store.Subscription, error) {
	s, err := scanSubscription(t.QueryRow(ctx,
		`SELECT `+subscriptionColumns+` FROM subscriptions WHERE id = $1 AND deleted IS NULL`, id))
	if err != nil {
		return s, notFound("subscription", id, err)
	}
	return s, nil
}

func (t *tx) DeleteSubscription(ctx context.Context, id string, at time.Time) error {
	if err := t.subscriptionsChanged(ctx); err != nil {
		return err
	}
	tag, err := t.Exec(ctx, `UPDATE subscriptions SET deleted = $1 WHERE id = $2 AND deleted IS NULL`, micros(at), id)
	if err != nil {
		return fmt.Errorf("postgres: delete subscription %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: subscription %q: %w", id, center.ErrNotFound)
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
	t.batch.activeVersion, t.batch.activeKnown = v, true
	return nil
}

// ActiveSubscriptions implements store.Tx. The write path asks for every
// report it records; the subscriptions, with their filters decoded, are
// kept by the store for as long as their version (read once per batch)
// does not change. A database whose subscriptions have no version yet
// (none changed since it was created) is read as it stands each time.
func (t *tx) ActiveSubscriptions(ctx context.Context, parties []center.PartyCode) ([]store.Subscription, error) {
	if len(parties) == 0 {
		return nil, nil
	}
	if !t.batch.activeKnown {
		v, err := readMeta(ctx, t, metaSubscriptions)
		if err != nil {
			return nil, err
		}
		t.batch.activeVersion, t.batch.activeKnown = v, true
	}
	if t.batch.activeVersion == "" {
		return scanSubscriptions(t.Query(ctx, `
			SELECT s.id, s.party, s.endpoint, s.filter, s.created FROM subscriptions s
			JOIN endpoints e ON e.id = s.endpoint AND e.deleted IS NULL
			WHERE s.deleted IS NULL AND s.party = ANY($1)
			ORDER BY s.created, s.id`, strs(parties)))
	}
	all, err := t.s.active.Get(ctx, t.batch.activeVersion, func(ctx context.Context) ([]store.Subscription, error) {
		return scanSubscriptions(t.Query(ctx, sqlrow.ActiveSubscriptionsQuery))
	})
	if err != nil {
		return nil, err
	}
	return sqlrow.SubscriptionsOf(all, parties), nil
}

func (t *tx) AppendInbox(ctx context.Context, f store.InboxEntry) (int64, error) {
	var seq int64
	err := t.QueryRow(ctx, `INSERT INTO inbox (party, type, report, version_seq, at) VALUES ($1, $2, $3, $4, $5) RETURNING seq`,
		string(f.Party), f.Type, f.Report, f.VersionSeq, micros(f.At)).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("postgres: append inbox: %w", mapError(err))
	}
	return seq, nil
}

var _ store.OutboxBatchTx = (*tx)(nil)

// AppendInboxes sends the entries' inserts, after the queued writes, in
// one round trip.
func (t *tx) AppendInboxes(ctx context.Context, fs []store.InboxEntry) ([]int64, error) {
	seqs := make([]int64, len(fs))
	err := t.withPending(ctx, func(b *pgx.Batch) {
		for _, f := range fs {
			b.Queue(`INSERT INTO inbox (party, type, report, version_seq, at) VALUES ($1, $2, $3, $4, $5) RETURNING seq`,
				string(f.Party), f.Type, f.Report, f.VersionSeq, micros(f.At))
		}
	}, func(br pgx.BatchResults) error {
		for i := range fs {
			if err := br.QueryRow().Scan(&seqs[i]); err != nil {
				return fmt.Errorf("postgres: append inbox: %w", mapError(err))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seqs, nil
}

// InsertDeliveries sends the deliveries' inserts, after the queued
// writes, in one round trip.
func (t *tx) InsertDeliveries(ctx context.Context, ds []store.Delivery) error {
	return t.withPending(ctx, func(b *pgx.Batch) {
		for _, d := range ds {
			b.Queue(`
				INSERT INTO deliveries (id, party, endpoint, subscription, inbox_seq, created, state, next_attempt)
				VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)`,
				d.ID, string(d.Party), d.Endpoint, d.Subscription, d.InboxSeq, micros(d.Created), micros(d.NextAttempt))
		}
	}, func(br pgx.BatchResults) error {
		for range ds {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("postgres: insert delivery: %w", mapError(err))
			}
		}
		return nil
	})
}

func (t *tx) InsertDelivery(ctx context.Context, d store.Delivery) (int64, error) {
	var seq int64
	err := t.QueryRow(ctx, `
		INSERT INTO deliveries (id, party, endpoint, subscription, inbox_seq, created, state, next_attempt)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING seq`,
		d.ID, string(d.Party), d.Endpoint, d.Subscription, d.InboxSeq, micros(d.Created), micros(d.NextAttempt)).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("postgres: insert delivery: %w", mapError(err))
	}
	return seq, nil
}

func (t *tx) FinishAttempt(ctx context.Context, f store.FinishedAttempt) error {
	a := f.Attempt
	var done *int64
	if f.State != store.Pending {
		at := micros(a.At)
		done = &at
	}
	var receipt *string
	if f.State == store.Delivered && f.Receipt != "" {
		receipt = &f.Receipt
	}
	// The update and the attempt's row in one statement: the attempt's n
	// is the count the update leaves. An attempt that delivered is kept in
	// its delivery's row alone (sqlrow.EndpointAttemptsQuery).
	var n int64
	err := t.QueryRow(ctx, `
		WITH d AS (
			UPDATE deliveries SET state = $1, attempts = attempts + 1, next_attempt = $2, last_status = $3,
				last_error = $4, last_latency = $5, done = $6, receipt_event = $9
			WHERE seq = $7 AND state = 'pending'
			RETURNING seq, attempts
		), a AS (
			INSERT INTO delivery_attempts (delivery, n, at, status, latency, error)
			SELECT d.seq, d.attempts, $8, $3, $5, $4 FROM d WHERE $1 <> 'delivered'
		)
		SELECT count(*) FROM d`,
		string(f.State), micros(f.Next), a.Status, a.Error, a.Latency.Microseconds(), done, f.Seq, micros(a.At), receipt).Scan(&n)
	if err != nil {
		return fmt.Errorf("postgres: finish attempt of delivery %d: %w", f.Seq, mapError(err))
	}
	if n == 0 {
		return fmt.Errorf("postgres: pending delivery %d: %w", f.Seq, center.ErrNotFound)
	}
	return nil
}

var _ store.AttemptBatchTx = (*tx)(nil)

// FinishAttempts records a batch of attempts in one statement, after the
// queued writes, in one round trip: the batch goes in as arrays, the
// pending deliveries move on, and the attempts that did not deliver get
// their rows, numbered as FinishAttempt numbers them.
func (t *tx) FinishAttempts(ctx context.Context, fs []store.FinishedAttempt) ([]bool, error) {
	n := len(fs)
	seqs, states, next, status, errs, latency, at := make([]int64, n), make([]string, n), make([]int64, n),
		make([]int64, n), make([]string, n), make([]int64, n), make([]int64, n)
	done, receipts := make([]*int64, n), make([]*string, n)
	for i, f := range fs {
		seqs[i], states[i], next[i] = f.Seq, string(f.State), micros(f.Next)
		status[i], errs[i], latency[i], at[i] = int64(f.Attempt.Status), f.Attempt.Error, f.Attempt.Latency.Microseconds(), micros(f.Attempt.At)
		if f.State != store.Pending {
			done[i] = &at[i]
		}
		if f.State == store.Delivered && f.Receipt != "" {
			receipts[i] = &fs[i].Receipt
		}
	}
	pending := map[int64]bool{}
	err := t.withPending(ctx, func(b *pgx.Batch) {
		b.Queue(`
			WITH j AS (
				SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[],
					$7::bigint[], $8::text[], $9::bigint[]) AS j(seq, state, next, status, error, latency, done, receipt, at)
			), d AS (
				UPDATE deliveries SET state = j.state, attempts = deliveries.attempts + 1, next_attempt = j.next,
					last_status = j.status, last_error = j.error, last_latency = j.latency, done = j.done,
					receipt_event = j.receipt
				FROM j WHERE deliveries.seq = j.seq AND deliveries.state = 'pending'
				RETURNING deliveries.seq, deliveries.attempts, j.state, j.status, j.error, j.latency, j.at
			), a AS (
				INSERT INTO delivery_attempts (delivery, n, at, status, latency, error)
				SELECT seq, attempts, at, status, latency, error FROM d WHERE state <> 'delivered'
			)
			SELECT seq FROM d`, seqs, states, next, status, errs, latency, done, receipts, at)
	}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("postgres: finish attempts: %w", mapError(err))
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return fmt.Errorf("postgres: finish attempts: %w", err)
			}
			pending[seq] = true
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: finish attempts: %w", mapError(err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]bool, n)
	for i, f := range fs {
		out[i] = pending[f.Seq]
	}
	return out, nil
}

// AppendEvents sends the events' inserts, after the queued writes, in one
// round trip, in order.
func (t *tx) AppendEvents(ctx context.Context, es []center.Event) error {
	return t.withPending(ctx, func(b *pgx.Batch) {
		for _, e := range es {
			b.Queue(`INSERT INTO events (id, type, party, "user", at, subject, digest, salt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				e.ID, string(e.Type), string(e.Party), e.User, micros(e.At), e.Subject, e.Digest, e.Salt)
		}
	}, func(br pgx.BatchResults) error {
		for range es {
			if _, err := br.Exec(); err != nil {
				return fmt.Errorf("postgres: append event: %w", mapError(err))
			}
		}
		return nil
	})
}

func (t *tx) KillPending(ctx context.Context, endpoint string, at time.Time) error {
	return t.exec(ctx, "dead-letter pending deliveries", `
		UPDATE deliveries SET state = 'dead', done = $1, last_error = 'endpoint deleted'
		WHERE endpoint = $2 AND state = 'pending'`, micros(at), endpoint)
}

func (t *tx) Redrive(ctx context.Context, seq int64, at time.Time) error {
	var state string
	if err := t.QueryRow(ctx, `SELECT state FROM deliveries WHERE seq = $1`, seq).Scan(&state); err != nil {
		return notFound("delivery", fmt.Sprint(seq), err)
	}
	if state == string(store.Delivered) {
		return center.Refuse(center.ErrConflict, "the delivery was delivered; there is nothing to redrive")
	}
	return t.exec(ctx, "redrive delivery", `
		UPDATE deliveries SET state = 'pending', next_attempt = $1, done = NULL WHERE seq = $2`, micros(at), seq)
}

const deliveryColumns = `d.seq, d.id, d.party, d.endpoint, d.subscription, d.inbox_seq, f.type, f.report, d.created,
	d.state, d.attempts, d.next_attempt, d.last_status, d.last_error, d.last_latency, d.done, d.receipt_event`

// deliveryDest returns the scan destinations of deliveryColumns into d,
// and a function that fills in d's times after the scan.
func deliveryDest(d *store.Delivery) ([]any, func()) {
	var created, next, latency int64
	var done *int64
	var receipt *string
	dest := []any{&d.Seq, &d.ID, &d.Party, &d.Endpoint, &d.Subscription, &d.InboxSeq, &d.Type, &d.Report, &created,
		&d.State, &d.Attempts, &next, &d.LastStatus, &d.LastError, &latency, &done, &receipt}
	return dest, func() {
		if receipt != nil {
			d.ReceiptEvent = *receipt
		}
		d.Created, d.NextAttempt, d.Done = fromMicros(created), fromMicros(next), timePtr(done)
		d.LastLatency = time.Duration(latency) * time.Microsecond
	}
}

func scanDelivery(sc pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	dest, fill := deliveryDest(&d)
	if err := sc.Scan(dest...); err != nil {
		return d, err
	}
	fill()
	return d, nil
}

func scanDeliveries(rows pgx.Rows, err error) ([]store.Delivery, error) {
	if err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: deliveries: %w", err)
	}
	return out, nil
}

func (t *tx) DeliveryByID(ctx context.Context, id string) (store.Delivery, error) {
	d, err := scanDelivery(t.QueryRow(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries d JOIN inbox f ON f.seq = d.inbox_seq WHERE d.id = $1`, id))
	if err != nil {
		return d, notFound("delivery", id, err)
	}
	return d, nil
}

func (s *Store) Endpoints(ctx context.Context, party center.PartyCode) ([]store.Endpoint, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+endpointColumns+` FROM endpoints WHERE party = $1 AND deleted IS NULL ORDER BY created, id`, string(party))
	if err != nil {
		return nil, fmt.Errorf("postgres: endpoints: %w", err)
	}
	defer rows.Close()
	var out []store.Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: endpoints: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: endpoints: %w", err)
	}
	return out, nil
}

func (s *Store) Endpoint(ctx context.Context, party center.PartyCode, id string) (store.Endpoint, error) {
	e, err := scanEndpoint(s.pool.QueryRow(ctx, `
		SELECT `+endpointColumns+` FROM endpoints WHERE id = $1 AND party = $2 AND deleted IS NULL`, id, string(party)))
	if err != nil {
		return e, notFound("endpoint", id, err)
	}
	return e, nil
}

func (s *Store) Subscriptions(ctx context.Context, party center.PartyCode) ([]store.Subscription, error) {
	return scanSubscriptions(s.pool.Query(ctx, `
		SELECT `+subscriptionColumns+` FROM subscriptions WHERE party = $1 AND deleted IS NULL ORDER BY created, id`, string(party)))
}

func (s *Store) Deliveries(ctx context.Context, party center.PartyCode, q store.DeliveryQuery) ([]store.Delivery, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize {
		return nil, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	var p params
	where := []string{"d.party = " + p.add(string(party))}
	if q.Endpoint != "" {
		where = append(where, "d.endpoint = "+p.add(q.Endpoint))
	}
	if q.State != "" {
		where = append(where, "d.state = "+p.add(string(q.State)))
	}
	if q.Report != "" {
		where = append(where, "f.report = "+p.add(q.Report))
	}
	if q.Before > 0 {
		where = append(where, "d.seq < "+p.add(q.Before))
	}
	limit := p.add(q.Limit)
	return scanDeliveries(s.pool.Query(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries d JOIN inbox f ON f.seq = d.inbox_seq
		WHERE `+strings.Join(where, " AND ")+` ORDER BY d.seq DESC LIMIT `+limit, p.args...))
}

func (s *Store) EndpointHealth(ctx context.Context, party center.PartyCode, id string) (store.EndpointHealth, error) {
	var h store.EndpointHealth
	e, err := s.Endpoint(ctx, party, id)
	if err != nil {
		return h, err
	}
	h.Endpoint = e
	rows, err := s.pool.Query(ctx, `SELECT state, count(*), min(created) FROM deliveries WHERE endpoint = $1 GROUP BY state`, id)
	if err != nil {
		return h, fmt.Errorf("postgres: endpoint health: %w", err)
	}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var state string
			var n, oldest int64
			if err := rows.Scan(&state, &n, &oldest); err != nil {
				return err
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
		return rows.Err()
	}()
	if err != nil {
		return h, fmt.Errorf("postgres: endpoint health: %w", err)
	}
	arows, err := s.pool.Query(ctx, sqlrow.EndpointAttemptsQuery, id)
	if err != nil {
		return h, fmt.Errorf("postgres: endpoint attempts: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a store.Attempt
		var at, latency int64
		if err := arows.Scan(&a.Delivery, &a.N, &at, &a.Status, &latency, &a.Error); err != nil {
			return h, fmt.Errorf("postgres: endpoint attempts: %w", err)
		}
		a.At, a.Latency = fromMicros(at), time.Duration(latency)*time.Microsecond
		h.LastAttempts = append(h.LastAttempts, a)
	}
	if err := arows.Err(); err != nil {
		return h, fmt.Errorf("postgres: endpoint attempts: %w", err)
	}
	return h, nil
}

const inboxColumns = `f.seq, f.party, f.type, f.report, f.version_seq, f.at`

func inboxDest(it *store.InboxItem, at *int64) []any {
	return []any{&it.Seq, &it.Party, &it.Type, &it.Report, &it.VersionSeq, at}
}

func (s *Store) Inbox(ctx context.Context, party center.PartyCode, after int64, limit int) ([]store.InboxItem, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+inboxColumns+`, `+versionColumns+`
		FROM inbox f
		JOIN versions v ON v.seq = f.version_seq
		JOIN reports r ON r.rid = v.rid
		WHERE f.party = $1 AND f.seq > $2 AND `+audienceHas("f.party")+`
		ORDER BY f.seq LIMIT $3`, string(party), after, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: inbox: %w", err)
	}
	defer rows.Close()
	var out []store.InboxItem
	for rows.Next() {
		var it store.InboxItem
		var at int64
		rep, err := scanVersionAfter(rows, inboxDest(&it, &at)...)
		if err != nil {
			return nil, fmt.Errorf("postgres: inbox: %w", err)
		}
		it.At, it.Version = fromMicros(at), rep
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: inbox: %w", err)
	}
	return out, nil
}

func (s *Store) LastInboxSeq(ctx context.Context, party center.PartyCode) (int64, error) {
	var seq *int64
	if err := s.pool.QueryRow(ctx, `SELECT max(seq) FROM inbox WHERE party = $1`, string(party)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("postgres: last inbox seq: %w", err)
	}
	if seq == nil {
		return 0, nil
	}
	return *seq, nil
}

func (s *Store) DueDeliveries(ctx context.Context, q store.DueQuery) ([]store.Delivery, error) {
	// An empty list must be an empty array: <> ALL (NULL) would filter
	// out every row.
	skipE, skipD := q.SkipEndpoints, q.SkipDeliveries
	if skipE == nil {
		skipE = []string{}
	}
	if skipD == nil {
		skipD = []int64{}
	}
	now := micros(q.Now)
	if q.Endpoint != "" {
		// One endpoint's pending rows, in Seq order, by their own index;
		// SkipEndpoints does not apply.
		return scanDeliveries(s.pool.Query(ctx, `
			SELECT `+deliveryColumns+` FROM deliveries d
			JOIN inbox f ON f.seq = d.inbox_seq
			JOIN endpoints e ON e.id = d.endpoint
			WHERE d.endpoint = $1 AND d.state = 'pending' AND d.next_attempt <= $2 AND d.seq > $5
				AND d.seq <> ALL ($3::bigint[])
				AND (e.open_until IS NULL OR e.open_until <= $2)
				AND (NOT e.ordered OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
					WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
			ORDER BY d.seq LIMIT $4`, q.Endpoint, now, skipD, limitOf(q.Limit), q.After))
	}
	after, args := continuation(q, 5, now, skipD, skipE, limitOf(q.Limit))
	return scanDeliveries(s.pool.Query(ctx, `
		SELECT `+deliveryColumns+` FROM deliveries d
		JOIN inbox f ON f.seq = d.inbox_seq
		JOIN endpoints e ON e.id = d.endpoint
		WHERE d.state = 'pending' AND d.next_attempt <= $1 AND `+after+`
			AND d.seq <> ALL ($2::bigint[])
			AND d.endpoint <> ALL ($3::text[])
			AND (e.open_until IS NULL OR e.open_until <= $1)
			AND (NOT e.ordered OR d.seq = (SELECT min(d2.seq) FROM deliveries d2
				WHERE d2.endpoint = d.endpoint AND d2.state = 'pending'))
		ORDER BY d.next_attempt, d.seq LIMIT $4`, args...))
}

// continuation is the condition of a read that continues after q.After
// (and, for all endpoints, q.AfterDue), numbered from parameter n, and
// args followed by their values; a read for one endpoint goes by Seq
// alone. With AfterDue it names a position in the read's order, which
// the index of pending rows follows, so the read starts there instead of
// walking past what the reader holds.
func continuation(q store.DueQuery, n int, args ...any) (string, []any) {
	if q.AfterDue.IsZero() || q.Endpoint != "" {
		return fmt.Sprintf(`d.seq > $%d`, n), append(args, q.After)
	}
	return fmt.Sprintf(`(d.next_attempt, d.seq) > ($%d, $%d)`, n+1, n), append(args, q.After, micros(q.AfterDue))
}

func (s *Store) Outbound(ctx context.Context, seqs []int64) ([]store.Outbound, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+deliveryColumns+`, `+prefixed("e.", endpointColumns)+`,
			`+inboxColumns+`, `+versionColumns+`
		FROM deliveries d
		JOIN inbox f ON f.seq = d.inbox_seq
		JOIN endpoints e ON e.id = d.endpoint
		JOIN versions v ON v.seq = f.version_seq
		JOIN reports r ON r.rid = v.rid
		WHERE d.seq = ANY($1) AND d.state = 'pending' AND `+audienceHas("d.party")+`
		ORDER BY d.seq`, seqs)
	if err != nil {
		return nil, fmt.Errorf("postgres: outbound: %w", err)
	}
	defer rows.Close()
	var outs []store.Outbound
	for rows.Next() {
		var out store.Outbound
		var at int64
		dd, fillD := deliveryDest(&out.Delivery)
		ed, fillE := endpointDest(&out.Endpoint)
		dest := append(append(dd, ed...), inboxDest(&out.Item, &at)...)
		rep, err := scanVersionAfter(rows, dest...)
		if err != nil {
			return nil, fmt.Errorf("postgres: outbound: %w", err)
		}
		fillD()
		fillE()
		out.Item.At, out.Item.Version = fromMicros(at), rep
		outs = append(outs, out)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: outbound: %w", err)
	}
	return outs, nil
}

// prefixed qualifies each of a comma-separated column list.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
