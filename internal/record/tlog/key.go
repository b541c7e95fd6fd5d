package tlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The center's log key lives in the database's meta table: it is made once,
// by EnsureKey, and never logged or served. Only its verifier key is
// public; parties pin it in their policy.
const (
	metaSignerKey   = "log.skey"
	metaVerifierKey = "log.vkey"
)

// Key is the center's log signing key.
type Key struct {
	Signer   note.Signer
	Verifier note.Verifier
	// VKey is the verifier key in c2sp.org/signed-note form; its name is
	// the log's origin.
	VKey string
}

// Origin is the log's checkpoint origin line, the key's name.
func (k Key) Origin() string { return k.Verifier.Name() }

// EnsureKey returns the center's log key, making it on first use with the
// given origin ("" for "tabadul/" and 16 random hex digits).
func EnsureKey(ctx context.Context, s store.Store, origin string) (Key, error) {
	var skey, vkey string
	err := s.Update(ctx, func(tx store.Tx) error {
		var err error
		if skey, err = tx.Meta(ctx, metaSignerKey); err != nil || skey != "" {
			if err == nil {
				vkey, err = tx.Meta(ctx, metaVerifierKey)
			}
			return err
		}
		if origin == "" {
			var b [8]byte
			rand.Read(b[:])
			origin = "tabadul/" + hex.EncodeToString(b[:])
		}
		if skey, vkey, err = note.GenerateKey(rand.Reader, origin); err != nil {
			return fmt.Errorf("tlog: generate the log key: %w", err)
		}
		if err := tx.SetMeta(ctx, metaSignerKey, skey); err != nil {
			return err
		}
		return tx.SetMeta(ctx, metaVerifierKey, vkey)
	})
	if err != nil {
		return Key{}, err
	}
	return parseKey(skey, vkey)
}

// LoadKey returns the center's log key, center.ErrNotFound if it has none
// yet.
func LoadKey(ctx context.Context, r store.Reader) (Key, error) {
	skey, err := r.Meta(ctx, metaSignerKey)
	if err != nil {
		return Key{}, err
	}
	vkey, err := r.Meta(ctx, metaVerifierKey)
	if err != nil {
		return Key{}, err
	}
	if skey == "" || vkey == "" {
		return Key{}, fmt.Errorf("tlog: the center has no log key yet: %w", center.ErrNotFound)
	}
	return parseKey(skey, vkey)
}

// VerifierKey returns the center's log verifier key, center.ErrNotFound if
// it has none yet.
func VerifierKey(ctx context.Context, r store.Reader) (note.Verifier, string, error) {
	vkey, err := r.Meta(ctx, metaVerifierKey)
	if err != nil {
		return nil, "", err
	}
	if vkey == "" {
		return nil, "", fmt.Errorf("tlog: the center has no log key yet: %w", center.ErrNotFound)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, "", fmt.Errorf("tlog: the log's verifier key: %w", err)
	}
	return v, vkey, nil
}

func parseKey(skey, vkey string) (Key, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return Key{}, fmt.Errorf("tlog: the log's signer key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Key{}, fmt.Errorf("tlog: the log's verifier key: %w", err)
	}
	if s.Name() != v.Name() || s.KeyHash() != v.KeyHash() {
		return Key{}, errors.New("tlog: the log's signer and verifier keys do not match")
	}
	return Key{Signer: s, Verifier: v, VKey: vkey}, nil
}
