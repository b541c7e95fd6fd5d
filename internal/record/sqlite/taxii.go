package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

func (t *tx) PutTAXIIRemote(ctx context.Context, r store.TAXIIRemote) error {
	dist, err := json.Marshal(r.Distribution)
	if err != nil {
		return fmt.Errorf("sqlite: distribution: %w", err)
	}
	return t.exec(ctx, "put taxii remote "+r.ID, `
		INSERT INTO taxii_remotes (id, party, distribution, default_tlp, api_root, collection, username, sealed_secret, created, removed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET distribution = excluded.distribution, default_tlp = excluded.default_tlp,
			api_root = excluded.api_root, collection = excluded.collection, username = excluded.username,
			sealed_secret = excluded.sealed_secret, removed = excluded.removed`,
		r.ID, r.Party, string(dist), r.DefaultTLP, r.APIRoot, r.Collection, r.Username, r.SealedSecret, micros(r.Created), nullMicros(r.Removed))
}

const remoteColumns = sqlrow.RemoteColumns

func (t *tx) TAXIIRemoteByID(ctx context.Context, id string) (store.TAXIIRemote, error) {
	r, err := backend.Remote(t.QueryRowContext(ctx, `SELECT `+remoteColumns+` FROM taxii_remotes r WHERE r.id = ?`, id))
	if err != nil {
		return r, notFound("taxii remote", id, err)
	}
	return r, nil
}

func (t *tx) PutTAXIICursor(ctx context.Context, c store.TAXIICursor) error {
	return t.exec(ctx, "put taxii cursor "+c.ID, `
		INSERT INTO taxii_cursors (id, added_after, last_poll, last_success, last_error, objects) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET added_after = excluded.added_after, last_poll = excluded.last_poll,
			last_success = excluded.last_success, last_error = excluded.last_error, objects = excluded.objects`,
		c.ID, c.AddedAfter, sqlrow.ZeroMicros(c.LastPoll), sqlrow.ZeroMicros(c.LastSuccess), c.LastError, c.Objects)
}

func (s *Store) TAXIIRemotes(ctx context.Context) ([]store.TAXIIRemote, []store.TAXIICursor, error) {
	return sqlrow.AllPairs(backend, "taxii remotes", sqlrow.Query(s.rd.QueryContext(ctx, `
		SELECT `+sqlrow.RemoteCursorColumns+`
		FROM taxii_remotes r LEFT JOIN taxii_cursors c ON c.id = r.id
		WHERE r.removed IS NULL ORDER BY r.created, r.id`)), backend.RemoteCursor)
}
