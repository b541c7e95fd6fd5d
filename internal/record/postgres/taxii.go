package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tabadul/tabadul/internal/record/sqlrow"
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

const remoteColumns = sqlrow.RemoteColumns

func (t *tx) TAXIIRemoteByID(ctx context.Context, id string) (store.TAXIIRemote, error) {
	r, err := backend.Remote(t.QueryRow(ctx, `SELECT `+remoteColumns+` FROM taxii_remotes r WHERE r.id = $1`, id))
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
		c.ID, c.AddedAfter, sqlrow.ZeroMicros(c.LastPoll), sqlrow.ZeroMicros(c.LastSuccess), c.LastError, c.Objects)
}

func (s *Store) TAXIIRemotes(ctx context.Context) ([]store.TAXIIRemote, []store.TAXIICursor, error) {
	return sqlrow.AllPairs(backend, "taxii remotes", sqlrow.Query(s.pool.Query(ctx, `
		SELECT `+sqlrow.RemoteCursorColumns+`
		FROM taxii_remotes r LEFT JOIN taxii_cursors c ON c.id = r.id
		WHERE r.removed IS NULL ORDER BY r.created, r.id`)), backend.RemoteCursor)
}
