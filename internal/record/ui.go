package record

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The web interface keeps three things in the center's meta table, so that
// every node of a deployment on one database agrees on them: the key its
// session cookies and CSRF tokens are signed with, each user's chosen
// language, and the instant before which a user's sessions no longer count
// (set when the user signs out).
//
// None of them is a change of the center's state: they carry nothing a
// party audits, and the key is a secret that must never reach the log. So
// they are written without an event, like a token's last use.
const (
	metaUIKey          = "ui.session_key"
	metaUILanguage     = "ui.language."
	metaUISessionFloor = "ui.sessions_after."
)

// uiKeyBytes is the length of the session key: HMAC-SHA256's block of
// entropy.
const uiKeyBytes = 32

// UISessionKey returns the key that signs the web interface's session
// cookies and CSRF tokens, making it on the first call. Concurrent first
// calls, on one node or several, agree on one key: the transaction that
// finds none sets it.
func (r *Recorder) UISessionKey(ctx context.Context) ([]byte, error) {
	if v, err := r.store.Meta(ctx, metaUIKey); err != nil {
		return nil, err
	} else if v != "" {
		return base64.RawStdEncoding.DecodeString(v)
	}
	var key string
	err := r.store.Update(ctx, func(tx store.Tx) error {
		v, err := tx.Meta(ctx, metaUIKey)
		if err != nil || v != "" {
			key = v
			return err
		}
		b := make([]byte, uiKeyBytes)
		rand.Read(b)
		key = base64.RawStdEncoding.EncodeToString(b)
		return tx.SetMeta(ctx, metaUIKey, key)
	})
	if err != nil {
		return nil, fmt.Errorf("record: ui session key: %w", err)
	}
	return base64.RawStdEncoding.DecodeString(key)
}

// SetUILanguage remembers the language a user chose for the web
// interface: one of center.Languages.
func (r *Recorder) SetUILanguage(ctx context.Context, who center.Principal, lang string) error {
	if !slices.Contains(center.Languages, lang) {
		return center.Invalid("language", "language %q must be one of %v", lang, center.Languages)
	}
	return r.store.Update(ctx, func(tx store.Tx) error {
		return tx.SetMeta(ctx, metaUILanguage+who.User.Username, lang)
	})
}

// UILanguage returns the language a user chose, "" if none.
func UILanguage(ctx context.Context, rd store.Reader, username string) (string, error) {
	return rd.Meta(ctx, metaUILanguage+username)
}

// EndUISessions makes every web session of the user issued until now
// invalid, on every node: signing out.
func (r *Recorder) EndUISessions(ctx context.Context, who center.Principal) (time.Time, error) {
	at := r.now()
	err := r.store.Update(ctx, func(tx store.Tx) error {
		return tx.SetMeta(ctx, metaUISessionFloor+who.User.Username, strconv.FormatInt(at.UnixMicro(), 10))
	})
	return at, err
}

// UISessionsAfter returns the instant before which the user's web sessions
// do not count; zero if the user never signed out.
func UISessionsAfter(ctx context.Context, rd store.Reader, username string) (time.Time, error) {
	v, err := rd.Meta(ctx, metaUISessionFloor+username)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	us, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("record: session floor of %s: %w", username, err)
	}
	return time.UnixMicro(us).UTC(), nil
}
