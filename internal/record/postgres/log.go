package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The transparency log's tables: events.log_index, log_hashes, checkpoints
// and witnesses (schema/postgres/00003_log.sql), witness_keys
// (00005_witness.sql). Reads take a querier so that the pool and a
// transaction share them.

// eventFields is an event row (sqlrow.Event); eventColumns adds its log
// index (sqlrow.LogEvent).
const (
	eventFields  = `seq, id, type, party, "user", at, subject, digest, salt`
	eventColumns = eventFields + `, coalesce(log_index, -1)`
)

func readLogSize(ctx context.Context, q querier) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT coalesce(max(log_index) + 1, 0) FROM events WHERE log_index IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: log size: %w", err)
	}
	return n, nil
}

func readLogHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	rows, err := q.Query(ctx, `SELECT id, hash FROM log_hashes WHERE id = ANY($1)`, indexes)
	if err != nil {
		return nil, fmt.Errorf("postgres: log hashes: %w", err)
	}
	defer rows.Close()
	found := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var id int64
		var h []byte
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("postgres: log hashes: %w", err)
		}
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("postgres: log hash %d has %d bytes", id, len(h))
		}
		found[id] = tlog.Hash(h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: log hashes: %w", err)
	}
	for i, id := range indexes {
		h, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("postgres: log hash %d: %w", id, center.ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

func readLogEvents(ctx context.Context, q querier, start, end int64) ([]store.LogEvent, error) {
	return sqlrow.All(backend, "log events", sqlrow.Query(q.Query(ctx, `SELECT `+eventColumns+` FROM events
		WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index`, start, end)), sqlrow.LogEvent)
}

func readEvent(ctx context.Context, q querier, id string) (store.LogEvent, error) {
	e, err := sqlrow.LogEvent(q.QueryRow(ctx, `SELECT `+eventColumns+` FROM events WHERE id = $1`, id))
	if err != nil {
		return e, notFound("event", id, err)
	}
	return e, nil
}

func readSubjectEvents(ctx context.Context, q querier, subject string) ([]store.LogEvent, error) {
	return sqlrow.All(backend, "events of "+subject, sqlrow.Query(q.Query(ctx,
		`SELECT `+eventColumns+` FROM events WHERE subject = $1 ORDER BY seq`, subject)), sqlrow.LogEvent)
}

const checkpointColumns = sqlrow.CheckpointColumns

func readCheckpoint(ctx context.Context, q querier, size int64) (store.Checkpoint, error) {
	c, err := backend.Checkpoint(q.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM checkpoints WHERE size = $1`, size))
	if err != nil {
		return c, notFound("checkpoint", fmt.Sprint(size), err)
	}
	return c, nil
}

func readLatestCheckpoint(ctx context.Context, q querier, publishedOnly bool) (store.Checkpoint, error) {
	where := ""
	if publishedOnly {
		where = `WHERE published IS NOT NULL`
	}
	c, err := backend.Checkpoint(q.QueryRow(ctx, `SELECT `+checkpointColumns+` FROM checkpoints `+where+` ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return c, notFound("checkpoint", "latest", err)
	}
	return c, nil
}

func readCheckpoints(ctx context.Context, q querier) ([]store.Checkpoint, error) {
	return sqlrow.All(backend, "checkpoints", sqlrow.Query(q.Query(ctx,
		`SELECT `+checkpointColumns+` FROM checkpoints ORDER BY size`)), backend.Checkpoint)
}

func readWitnesses(ctx context.Context, q querier) ([]store.Witness, error) {
	return sqlrow.All(backend, "witnesses", sqlrow.Query(q.Query(ctx,
		`SELECT party, vkey, url FROM witnesses ORDER BY party`)), sqlrow.Witness)
}

func readWitnessKeys(ctx context.Context, q querier) ([]store.WitnessKey, error) {
	return sqlrow.All(backend, "witness keys", sqlrow.Query(q.Query(ctx,
		`SELECT party, vkey, since, until FROM witness_keys ORDER BY party, since, id`)), sqlrow.WitnessKey)
}

// The pool's side.

func (s *Store) LogSize(ctx context.Context) (int64, error) { return readLogSize(ctx, s.pool) }

func (s *Store) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readLogHashes(ctx, s.pool, indexes)
}

func (s *Store) LogEvents(ctx context.Context, start, end int64) ([]store.LogEvent, error) {
	return readLogEvents(ctx, s.pool, start, end)
}

func (s *Store) Event(ctx context.Context, id string) (store.LogEvent, error) {
	return readEvent(ctx, s.pool, id)
}

func (s *Store) SubjectEvents(ctx context.Context, subject string) ([]store.LogEvent, error) {
	return readSubjectEvents(ctx, s.pool, subject)
}

func (s *Store) Checkpoint(ctx context.Context, size int64) (store.Checkpoint, error) {
	return readCheckpoint(ctx, s.pool, size)
}

func (s *Store) LatestCheckpoint(ctx context.Context, publishedOnly bool) (store.Checkpoint, error) {
	return readLatestCheckpoint(ctx, s.pool, publishedOnly)
}

func (s *Store) Checkpoints(ctx context.Context) ([]store.Checkpoint, error) {
	return readCheckpoints(ctx, s.pool)
}

func (s *Store) Witnesses(ctx context.Context) ([]store.Witness, error) {
	return readWitnesses(ctx, s.pool)
}

func (s *Store) WitnessKeys(ctx context.Context) ([]store.WitnessKey, error) {
	return readWitnessKeys(ctx, s.pool)
}

// The transaction's side.

func (t *tx) LogSize(ctx context.Context) (int64, error) { return readLogSize(ctx, t) }

func (t *tx) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readLogHashes(ctx, t, indexes)
}

func (t *tx) LogEvents(ctx context.Context, start, end int64) ([]store.LogEvent, error) {
	return readLogEvents(ctx, t, start, end)
}

func (t *tx) Event(ctx context.Context, id string) (store.LogEvent, error) {
	return readEvent(ctx, t, id)
}

func (t *tx) SubjectEvents(ctx context.Context, subject string) ([]store.LogEvent, error) {
	return readSubjectEvents(ctx, t, subject)
}

func (t *tx) Checkpoint(ctx context.Context, size int64) (store.Checkpoint, error) {
	return readCheckpoint(ctx, t, size)
}

func (t *tx) LatestCheckpoint(ctx context.Context, publishedOnly bool) (store.Checkpoint, error) {
	return readLatestCheckpoint(ctx, t, publishedOnly)
}

func (t *tx) Checkpoints(ctx context.Context) ([]store.Checkpoint, error) {
	return readCheckpoints(ctx, t)
}

func (t *tx) Witnesses(ctx context.Context) ([]store.Witness, error) {
	return readWitnesses(ctx, t)
}

func (t *tx) WitnessKeys(ctx context.Context) ([]store.WitnessKey, error) {
	return readWitnessKeys(ctx, t)
}

func (t *tx) PendingEvents(ctx context.Context, limit int) ([]center.Event, error) {
	return sqlrow.AppendAll([]center.Event{}, backend, "pending events", sqlrow.Query(t.Query(ctx, `SELECT `+eventFields+` FROM events
		WHERE log_index IS NULL ORDER BY seq LIMIT $1`, limit)), sqlrow.Event)
}

// AppendLog writes a batch with two statements over arrays, whatever its
// size.
func (t *tx) AppendLog(ctx context.Context, start int64, seqs []int64, hashes []tlog.Hash) error {
	size, err := readLogSize(ctx, t)
	if err != nil {
		return err
	}
	if size != start {
		return fmt.Errorf("postgres: append to the log at %d, but its size is %d: %w", start, size, center.ErrConflict)
	}
	idx := make([]int64, len(seqs))
	for i := range seqs {
		idx[i] = start + int64(i)
	}
	tag, err := t.Exec(ctx, `
		UPDATE events SET log_index = v.idx
		FROM unnest($1::bigint[], $2::bigint[]) AS v (seq, idx)
		WHERE events.seq = v.seq AND events.log_index IS NULL`, seqs, idx)
	if err != nil {
		return fmt.Errorf("postgres: append to the log: %w", mapError(err))
	}
	if n := tag.RowsAffected(); n != int64(len(seqs)) {
		return fmt.Errorf("postgres: append to the log: %d of %d events were pending: %w", n, len(seqs), center.ErrConflict)
	}
	first := tlog.StoredHashIndex(0, start)
	ids := make([]int64, len(hashes))
	hs := make([][]byte, len(hashes))
	for i := range hashes {
		ids[i], hs[i] = first+int64(i), hashes[i][:]
	}
	if _, err := t.Exec(ctx, `INSERT INTO log_hashes (id, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, ids, hs); err != nil {
		return fmt.Errorf("postgres: store log hashes: %w", mapError(err))
	}
	return nil
}

func (t *tx) PutCheckpoint(ctx context.Context, c store.Checkpoint) error {
	by := c.CosignedBy
	if by == nil {
		by = []center.PartyCode{}
	}
	byJSON, err := json.Marshal(by)
	if err != nil {
		return fmt.Errorf("postgres: checkpoint: %w", err)
	}
	var published *int64
	if !c.Published.IsZero() {
		us := micros(c.Published)
		published = &us
	}
	cosigs := c.Cosignatures
	if cosigs == nil {
		cosigs = []byte{}
	}
	// One statement: a checkpoint of the same size signed differently is
	// left alone, and then no row is written.
	tag, err := t.Exec(ctx, `
		INSERT INTO checkpoints (size, note, cosignatures, cosigned_by, published) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (size) DO UPDATE SET cosignatures = excluded.cosignatures,
			cosigned_by = excluded.cosigned_by, published = excluded.published
		WHERE checkpoints.note = excluded.note`,
		c.Size, c.Note, cosigs, string(byJSON), published)
	if err != nil {
		return fmt.Errorf("postgres: put checkpoint: %w", mapError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: checkpoint %d is already signed differently: %w", c.Size, center.ErrConflict)
	}
	return nil
}

func (t *tx) PutWitness(ctx context.Context, w store.Witness, at time.Time) error {
	what := "put witness " + string(w.Party)
	var current string
	switch err := t.QueryRow(ctx, `SELECT vkey FROM witness_keys WHERE party = $1 AND until IS NULL`, string(w.Party)).Scan(&current); {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("postgres: %s: %w", what, mapError(err))
	}
	if current != w.VKey {
		if err := t.exec(ctx, what, `UPDATE witness_keys SET until = $1 WHERE party = $2 AND until IS NULL`, micros(at), string(w.Party)); err != nil {
			return err
		}
		if err := t.exec(ctx, what, `INSERT INTO witness_keys (party, vkey, since) VALUES ($1, $2, $3)`, string(w.Party), w.VKey, micros(at)); err != nil {
			return err
		}
	}
	return t.exec(ctx, what, `
		INSERT INTO witnesses (party, vkey, url) VALUES ($1, $2, $3)
		ON CONFLICT (party) DO UPDATE SET vkey = excluded.vkey, url = excluded.url`,
		string(w.Party), w.VKey, w.URL)
}

func (s *Store) AuditVersions(ctx context.Context, after int64, limit int) ([]center.Report, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq > $1 ORDER BY v.seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: audit versions: %w", err)
	}
	return scanVersions(rows)
}
