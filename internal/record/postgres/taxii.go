package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/store"
)

// The TAXII client's state of migration 00010: remotes and cursors.

func (t *tx) PutTAXIIRemote(ctx context.Context, r store.TAXIIRemote) error {
	dist, err := json.Marshal(r.Distribution)
	if err != nil {
		return fmt.Errorf("postgres: distribution: %w", err)
	}
	return t.exec(ctx, "put taxii remote "+r.ID, `
		INSERT INTO taxii_remotes (id, party, distribution, default_tlp, api_root, collection, username, sealed_secret, created, removed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET distribution = excluded.distribution, default_tlp = excluded.default_tlp,
			api_root = excluded.api_root, collection = excluded.collection, username = excluded.username,
			sealed_secret = excluded.sealed_secret, removed = excluded.removed`,
		r.ID, string(r.Party), string(dist), string(r.DefaultTLP), r.APIRoot, r.Collection, r.Username, nonNil(r.SealedSecret),
		micros(r.Created), nullMicros(r.Removed))
}

const remoteColumns = `r.id, r.party, r.distribution, r.default_tlp, r.api_root, r.collection, r.username, r.sealed_secret, r.created, r.removed`

func scanRemote(sc pgx.Row, extra ...any) (store.TAXIIRemote, error) {
	var r store.TAXIIRemote
	var dist string
	var created int64
	var removed *int64
	dest := append([]any{&r.ID, &r.Party, &dist, &r.DefaultTLP, &r.APIRoot, &r.Collection, &r.Username, &r.SealedSecret, &created, &removed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(dist), &r.Distribution); err != nil {
		return r, fmt.Errorf("postgres: taxii remote %s distribution: %w", r.ID, err)
	}
	r.Created, r.Removed = fromMicros(created), timePtr(removed)
	return r, nil
}

func (t *tx) TAXIIRemoteByID(ctx context.Context, id string) (store.TAXIIRemote, error) {
	r, err := scanRemote(t.QueryRow(ctx, `SELECT `+remoteColumns+` FROM taxii_remotes r WHERE r.id = $1`, id))
	if err != nil {
		return r, notFound("taxii remote", id, err)
	}
	return r, nil
}

func (t *tx) PutTAXIICursor(ctx context.Context, c store.TAXIICursor) error {
	return t.exec(ctx, "put taxii cursor "+c.ID, `
		INSERT INTO taxii_cursors (id, added_after, last_poll, last_success, last_error, objects) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET added_after = excluded.added_after, last_poll = excluded.last_poll,
			last_success = excluded.last_success, last_error = excluded.last_error, objects = excluded.objects`,
		c.ID, c.AddedAfter, zeroMicros(c.LastPoll), zeroMicros(c.LastSuccess), c.LastError, c.Objects)
}

func (s *Store) TAXIIRemotes(ctx context.Context) ([]store.TAXIIRemote, []store.TAXIICursor, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+remoteColumns+`, coalesce(c.added_after, ''), coalesce(c.last_poll, 0), coalesce(c.last_success, 0),
			coalesce(c.last_error, ''), coalesce(c.objects, 0)
		FROM taxii_remotes r LEFT JOIN taxii_cursors c ON c.id = r.id
		WHERE r.removed IS NULL ORDER BY r.created, r.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: taxii remotes: %w", err)
	}
	defer rows.Close()
	var rs []store.TAXIIRemote
	var cs []store.TAXIICursor
	for rows.Next() {
		var c store.TAXIICursor
		var lastPoll, lastSuccess int64
		r, err := scanRemote(rows, &c.AddedAfter, &lastPoll, &lastSuccess, &c.LastError, &c.Objects)
		if err != nil {
			return nil, nil, fmt.Errorf("postgres: taxii remotes: %w", err)
		}
		c.ID, c.LastPoll, c.LastSuccess = r.ID, modifiedTime(lastPoll), modifiedTime(lastSuccess)
		rs = append(rs, r)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: taxii remotes: %w", err)
	}
	return rs, cs, nil
}
