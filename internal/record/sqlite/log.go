package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The transparency log's tables: events.log_index, log_hashes, checkpoints
// and witnesses (schema/sqlite/00003_log.sql), witness_keys
// (00005_witness.sql). Reads take a querier so that the read pool and a
// transaction share them.

// eventFields is an event row (sqlrow.Event); eventColumns adds its log
// index (sqlrow.LogEvent).
const (
	eventFields  = `seq, id, type, party, user, at, subject, digest, salt`
	eventColumns = eventFields + `, coalesce(log_index, -1)`
)

func readLogSize(ctx context.Context, q querier) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(log_index) + 1, 0) FROM events WHERE log_index IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: log size: %w", err)
	}
	return n, nil
}

// maxVars keeps a statement's bound parameters well under SQLite's limit.
const maxVars = 4096

func readLogHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	found := make(map[int64]tlog.Hash, len(indexes))
	for lo := 0; lo < len(indexes); lo += maxVars {
		chunk := indexes[lo:min(lo+maxVars, len(indexes))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, `SELECT id, hash FROM log_hashes WHERE id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: log hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var h []byte
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: log hashes: %w", err)
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("sqlite: log hash %d has %d bytes", id, len(h))
			}
			found[id] = tlog.Hash(h)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("sqlite: log hashes: %w", err)
		}
	}
	for i, id := range indexes {
		h, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("sqlite: log hash %d: %w", id, center.ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func readLogEvents(ctx context.Context, q querier, start, end int64) ([]store.LogEvent, error) {
	return sqlrow.All(backend, "log events", sqlrow.Query(q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events
		WHERE log_index >= ? AND log_index < ? ORDER BY log_index`, start, end)), sqlrow.LogEvent)
}

func readEvent(ctx context.Context, q querier, id string) (store.LogEvent, error) {
	e, err := sqlrow.LogEvent(q.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id = ?`, id))
	if err != nil {
		return e, notFound("event", id, err)
	}
	return e, nil
}

func readSubjectEvents(ctx context.Context, q querier, subject string) ([]store.LogEvent, error) {
	return sqlrow.All(backend, "events of "+subject, sqlrow.Query(q.QueryContext(ctx,
		`SELECT `+eventColumns+` FROM events WHERE subject = ? ORDER BY seq`, subject)), sqlrow.LogEvent)
}

const checkpointColumns = sqlrow.CheckpointColumns

func readCheckpoint(ctx context.Context, q querier, size int64) (store.Checkpoint, error) {
	c, err := backend.Checkpoint(q.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM checkpoints WHERE size = ?`, size))
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
	c, err := backend.Checkpoint(q.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM checkpoints `+where+` ORDER BY size DESC LIMIT 1`))
	if err != nil {
		return c, notFound("checkpoint", "latest", err)
	}
	return c, nil
}

func readCheckpoints(ctx context.Context, q querier) ([]store.Checkpoint, error) {
	return sqlrow.All(backend, "checkpoints", sqlrow.Query(q.QueryContext(ctx,
		`SELECT `+checkpointColumns+` FROM checkpoints ORDER BY size`)), backend.Checkpoint)
}

func readWitnesses(ctx context.Context, q querier) ([]store.Witness, error) {
	return sqlrow.All(backend, "witnesses", sqlrow.Query(q.QueryContext(ctx,
		`SELECT party, vkey, url FROM witnesses ORDER BY party`)), sqlrow.Witness)
}

func readWitnessKeys(ctx context.Context, q querier) ([]store.WitnessKey, error) {
	return sqlrow.All(backend, "witness keys", sqlrow.Query(q.QueryContext(ctx,
		`SELECT party, vkey, since, until FROM witness_keys ORDER BY party, since, id`)), sqlrow.WitnessKey)
}

// The read pool's side.

func (s *Store) LogSize(ctx context.Context) (int64, error) { return readLogSize(ctx, s.r) }

func (s *Store) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readLogHashes(ctx, s.r, indexes)
}

func (s *Store) LogEvents(ctx context.Context, start, end int64) ([]store.LogEvent, error) {
	return readLogEvents(ctx, s.r, start, end)
}

func (s *Store) Event(ctx context.Context, id string) (store.LogEvent, error) {
	return readEvent(ctx, s.r, id)
}

func (s *Store) SubjectEvents(ctx context.Context, subject string) ([]store.LogEvent, error) {
	return readSubjectEvents(ctx, s.r, subject)
}

func (s *Store) Checkpoint(ctx context.Context, size int64) (store.Checkpoint, error) {
	return readCheckpoint(ctx, s.r, size)
}

func (s *Store) LatestCheckpoint(ctx context.Context, publishedOnly bool) (store.Checkpoint, error) {
	return readLatestCheckpoint(ctx, s.r, publishedOnly)
}

func (s *Store) Checkpoints(ctx context.Context) ([]store.Checkpoint, error) {
	return readCheckpoints(ctx, s.r)
}

func (s *Store) Witnesses(ctx context.Context) ([]store.Witness, error) {
	return readWitnesses(ctx, s.r)
}

func (s *Store) WitnessKeys(ctx context.Context) ([]store.WitnessKey, error) {
	return readWitnessKeys(ctx, s.r)
}

// The transaction's side.

func (t *tx) LogSize(ctx context.Context) (int64, error) { return readLogSize(ctx, t.tx) }

func (t *tx) LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	return readLogHashes(ctx, t.tx, indexes)
}

func (t *tx) LogEvents(ctx context.Context, start, end int64) ([]store.LogEvent, error) {
	return readLogEvents(ctx, t.tx, start, end)
}

func (t *tx) Event(ctx context.Context, id string) (store.LogEvent, error) {
	return readEvent(ctx, t.tx, id)
}

func (t *tx) SubjectEvents(ctx context.Context, subject string) ([]store.LogEvent, error) {
	return readSubjectEvents(ctx, t.tx, subject)
}

func (t *tx) Checkpoint(ctx context.Context, size int64) (store.Checkpoint, error) {
	return readCheckpoint(ctx, t.tx, size)
}

func (t *tx) LatestCheckpoint(ctx context.Context, publishedOnly bool) (store.Checkpoint, error) {
	return readLatestCheckpoint(ctx, t.tx, publishedOnly)
}

func (t *tx) Checkpoints(ctx context.Context) ([]store.Checkpoint, error) {
	return readCheckpoints(ctx, t.tx)
}

func (t *tx) Witnesses(ctx context.Context) ([]store.Witness, error) {
	return readWitnesses(ctx, t.tx)
}

func (t *tx) WitnessKeys(ctx context.Context) ([]store.WitnessKey, error) {
	return readWitnessKeys(ctx, t.tx)
}

func (t *tx) PendingEvents(ctx context.Context, limit int) ([]center.Event, error) {
	return sqlrow.AppendAll([]center.Event{}, backend, "pending events", sqlrow.Query(t.tx.QueryContext(ctx, `SELECT `+eventFields+` FROM events
		WHERE log_index IS NULL ORDER BY seq LIMIT ?`, limit)), sqlrow.Event)
}

// AppendLog writes a batch with a few multi-row statements: per-row
// statements would cost more than the fsync at 256 entries a batch.
func (t *tx) AppendLog(ctx context.Context, start int64, seqs []int64, hashes []tlog.Hash) error {
	size, err := readLogSize(ctx, t.tx)
	if err != nil {
		return err
	}
	if size != start {
		return fmt.Errorf("sqlite: append to the log at %d, but its size is %d: %w", start, size, center.ErrConflict)
	}
	const perRow = 2
	for lo := 0; lo < len(seqs); lo += maxVars / perRow {
		chunk := seqs[lo:min(lo+maxVars/perRow, len(seqs))]
		args := make([]any, 0, perRow*len(chunk))
		for i, seq := range chunk {
			args = append(args, seq, start+int64(lo+i))
		}
		res, err := t.tx.ExecContext(ctx, `
			UPDATE events SET log_index = v.column2
			FROM (VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?),", len(chunk)), ",")+`) AS v
			WHERE events.seq = v.column1 AND events.log_index IS NULL`, args...)
		if err != nil {
			return fmt.Errorf("sqlite: append to the log: %w", mapError(err))
		}
		if n, _ := res.RowsAffected(); n != int64(len(chunk)) {
			return fmt.Errorf("sqlite: append to the log: %d of %d events were pending: %w", n, len(chunk), center.ErrConflict)
		}
	}
	first := tlog.StoredHashIndex(0, start)
	for lo := 0; lo < len(hashes); lo += maxVars / perRow {
		chunk := hashes[lo:min(lo+maxVars/perRow, len(hashes))]
		args := make([]any, 0, perRow*len(chunk))
		for i, h := range chunk {
			args = append(args, first+int64(lo+i), h[:])
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO log_hashes (id, hash) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?),", len(chunk)), ","), args...); err != nil {
			return fmt.Errorf("sqlite: store log hashes: %w", mapError(err))
		}
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
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	var published sql.NullInt64
	if !c.Published.IsZero() {
		published = sql.NullInt64{Int64: micros(c.Published), Valid: true}
	}
	old, err := readCheckpoint(ctx, t.tx, c.Size)
	switch {
	case err == nil && string(old.Note) != string(c.Note):
		return fmt.Errorf("sqlite: checkpoint %d is already signed differently: %w", c.Size, center.ErrConflict)
	case err != nil && !errors.Is(err, center.ErrNotFound):
		return err
	}
	cosigs := c.Cosignatures
	if cosigs == nil {
		cosigs = []byte{}
	}
	return t.exec(ctx, "put checkpoint", `
		INSERT INTO checkpoints (size, note, cosignatures, cosigned_by, published) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (size) DO UPDATE SET cosignatures = excluded.cosignatures,
			cosigned_by = excluded.cosigned_by, published = excluded.published`,
		c.Size, c.Note, cosigs, string(byJSON), published)
}

func (t *tx) PutWitness(ctx context.Context, w store.Witness, at time.Time) error {
	what := "put witness " + string(w.Party)
	var current string
	switch err := t.tx.QueryRowContext(ctx, `SELECT vkey FROM witness_keys WHERE party = ? AND until IS NULL`, w.Party).Scan(&current); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("sqlite: %s: %w", what, mapError(err))
	}
	if current != w.VKey {
		if err := t.exec(ctx, what, `UPDATE witness_keys SET until = ? WHERE party = ? AND until IS NULL`, micros(at), w.Party); err != nil {
			return err
		}
		if err := t.exec(ctx, what, `INSERT INTO witness_keys (party, vkey, since) VALUES (?, ?, ?)`, w.Party, w.VKey, micros(at)); err != nil {
			return err
		}
	}
	return t.exec(ctx, what, `
		INSERT INTO witnesses (party, vkey, url) VALUES (?, ?, ?)
		ON CONFLICT (party) DO UPDATE SET vkey = excluded.vkey, url = excluded.url`,
		w.Party, w.VKey, w.URL)
}

func (s *Store) AuditVersions(ctx context.Context, after int64, limit int) ([]center.Report, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq > ? ORDER BY v.seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit versions: %w", err)
	}
	return scanVersions(rows)
}
