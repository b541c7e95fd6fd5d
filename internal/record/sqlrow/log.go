package sqlrow

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The transparency log's rows: events, checkpoints, witnesses and their
// keys. An event row is (seq, id, type, party, user, at, subject, digest,
// salt): the backends spell the user column differently ("user" is
// reserved in PostgreSQL), so they keep the list.

// Event scans an event row.
func Event(sc Scanner) (center.Event, error) {
	var e store.LogEvent
	err := scanEvent(sc, &e)
	return e.Event, err
}

// LogEvent scans an event row followed by its log index (-1 for none).
func LogEvent(sc Scanner) (store.LogEvent, error) {
	var e store.LogEvent
	err := scanEvent(sc, &e, &e.Index)
	return e, err
}

func scanEvent(sc Scanner, e *store.LogEvent, extra ...any) error {
	var typ, party string
	var at int64
	err := sc.Scan(append([]any{&e.Seq, &e.ID, &typ, &party, &e.User, &at, &e.Subject, &e.Digest, &e.Salt}, extra...)...)
	e.Type, e.Party, e.At = center.EventType(typ), center.PartyCode(party), Time(at)
	return err
}

// CheckpointColumns orders a checkpoint row for [Backend.Checkpoint].
const CheckpointColumns = `size, note, cosignatures, cosigned_by, published`

// Checkpoint scans a row of CheckpointColumns.
func (b Backend) Checkpoint(sc Scanner) (store.Checkpoint, error) {
	var c store.Checkpoint
	var by string
	var published sql.NullInt64
	if err := sc.Scan(&c.Size, &c.Note, &c.Cosignatures, &by, &published); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(by), &c.CosignedBy); err != nil {
		return c, fmt.Errorf("%s: checkpoint %d cosigned_by: %w", b, c.Size, err)
	}
	if published.Valid {
		c.Published = Time(published.Int64)
	}
	return c, nil
}

// Witness scans a row of (party, vkey, url).
func Witness(sc Scanner) (store.Witness, error) {
	var w store.Witness
	var party string
	err := sc.Scan(&party, &w.VKey, &w.URL)
	w.Party = center.PartyCode(party)
	return w, err
}

// WitnessKey scans a row of (party, vkey, since, until).
func WitnessKey(sc Scanner) (store.WitnessKey, error) {
	var k store.WitnessKey
	var party string
	var since int64
	var until sql.NullInt64
	if err := sc.Scan(&party, &k.VKey, &since, &until); err != nil {
		return k, err
	}
	k.Party, k.Since = center.PartyCode(party), Time(since)
	if until.Valid {
		k.Until = Time(until.Int64)
	}
	return k, nil
}
