package record

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The transparency log's witness policy is part of the charter: which key
// each party's witness cosigns with, and how many parties' cosignatures a
// checkpoint needs. The charter may name the witnesses; a party's first
// witness may also be registered by the operator, who may later move it to
// another URL. A new key for a party that has one, and any change of the
// quorum, takes an amendment (set_witness, set_witness_quorum). Each of
// these is written here or in applyAmendment, with its event.

// quorumSubject is the subject of the events that set the witness quorum.
const quorumSubject = "witness_quorum"

// RegisterWitness records the operator's registration of a party's log
// witness. The first registration of a party's witness records a
// witness.registered event; the same key at a new URL, a witness.moved
// event; the same key at the same URL changes nothing and records nothing.
// A different key for a party that already has a witness is refused with
// center.ErrConflict: it takes an amendment (set_witness). An unknown
// party, a malformed key or URL, or another party's key is center.ErrInvalid.
//
// It is the operator's act, from the command line: no principal acts, and
// the event names no party or user.
func (r *Recorder) RegisterWitness(ctx context.Context, w store.Witness) error {
	w = trimWitness(w)
	return r.update(ctx, func(tx store.Tx) error {
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		have, err := tx.Witnesses(ctx)
		if err != nil {
			return err
		}
		keys, err := tx.WitnessKeys(ctx)
		if err != nil {
			return err
		}
		if err := checkWitness(w, dir, keys); err != nil {
			return err
		}
		typ := center.WitnessRegistered
		if old, ok := witnessOf(have, w.Party); ok {
			switch {
			case old.VKey != w.VKey:
				return center.Refuse(center.ErrConflict,
					"party %s already has a witness key, %s; a new key takes an amendment (set_witness)", w.Party, old.VKey)
			case old.URL == w.URL:
				return nil
			}
			typ = center.WitnessMoved
		}
		return putWitness(ctx, tx, typ, w, r.now())
	})
}

// putWitness writes a witness and the event of type typ that records it.
func putWitness(ctx context.Context, tx store.Tx, typ center.EventType, w store.Witness, at time.Time) error {
	if err := tx.PutWitness(ctx, w, at); err != nil {
		return err
	}
	return appendEvent(ctx, tx, center.Event{Type: typ, At: at, Subject: string(w.Party)}, witnessContent(w))
}

// witnessContent is what a witness event commits to.
func witnessContent(w store.Witness) any {
	return struct {
		Party     center.PartyCode
		VKey, URL string
	}{w.Party, w.VKey, w.URL}
}

// setQuorum writes the witness quorum that an approved amendment set, and
// the event that records it.
func setQuorum(ctx context.Context, tx store.Tx, q int, at time.Time) error {
	if err := tx.SetMeta(ctx, MetaWitnessQuorum, strconv.Itoa(q)); err != nil {
		return err
	}
	return appendEvent(ctx, tx, center.Event{Type: center.WitnessQuorumSet, At: at, Subject: quorumSubject}, struct{ Quorum int }{q})
}

func trimWitness(w store.Witness) store.Witness {
	return store.Witness{Party: w.Party, VKey: strings.TrimSpace(w.VKey), URL: strings.TrimSpace(w.URL)}
}

func witnessOf(ws []store.Witness, p center.PartyCode) (store.Witness, bool) {
	for _, w := range ws {
		if w.Party == p {
			return w, true
		}
	}
	return store.Witness{}, false
}

// checkWitness checks a witness against the roster and the keys witnesses
// have had: a party that takes part, a c2sp.org/tlog-cosignature verifier
// key that no other party's witness has or had, and an http(s) URL.
func checkWitness(w store.Witness, dir center.Directory, keys []store.WitnessKey) error {
	if _, ok := dir.Party(w.Party); !ok {
		return center.Invalid("party", "unknown party %q", w.Party)
	}
	if err := checkWitnessKey(w.VKey); err != nil {
		return center.Invalid("vkey", "%s", err)
	}
	if !center.ValidWitnessURL(w.URL) {
		return center.Invalid("url", "%q must be an http:// or https:// URL with a host", w.URL)
	}
	for _, k := range keys {
		if k.VKey == w.VKey && k.Party != w.Party {
			return center.Invalid("vkey", "this key is, or was, the witness key of %s; each party's witness has its own key", k.Party)
		}
	}
	return nil
}

// checkWitnessKey checks that vkey is a c2sp.org/tlog-cosignature verifier
// key.
func checkWitnessKey(vkey string) error {
	if _, err := torchwood.NewCosignatureVerifier(vkey); err != nil {
		return fmt.Errorf("%q is not a cosignature verifier key: %w", vkey, err)
	}
	return nil
}

// ValidateCharter checks a charter as Found will: its rules (see
// center.Charter.Validate) and that each witness it names has a
// cosignature verifier key. Call it to refuse a charter before anything is
// written.
func ValidateCharter(ch center.Charter) error {
	if err := ch.Validate(); err != nil {
		return err
	}
	e := &center.InvalidError{}
	for i, w := range ch.Witnesses {
		if err := checkWitnessKey(w.VKey); err != nil {
			e.Fields = append(e.Fields, center.FieldError{Field: fmt.Sprintf("witnesses[%d].vkey", i), Message: err.Error()})
		}
	}
	if len(e.Fields) > 0 {
		return fmt.Errorf("charter: %w", e)
	}
	return nil
}
