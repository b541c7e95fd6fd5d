// Package webhook signs and verifies webhooks as the Standard Webhooks
// specification (https://www.standardwebhooks.com) lays them out, for the
// center that sends them and for the parties that receive them.
//
// A webhook carries three headers: webhook-id (the message's id, the same
// on every retry, for deduplication), webhook-timestamp (Unix seconds) and
// webhook-signature (space-separated "version,base64" pairs). The signed
// content is the bytes id + "." + timestamp + "." + body. Version v1 is
// HMAC-SHA256 under a shared secret written "whsec_" + base64(key);
// version v1a is Ed25519, under a private key written "whsk_" + base64(seed)
// and checked with the public key "whpk_" + base64(key).
//
// A receiver builds a [Verifier] with its secret, a clock and a
// [ReplayCache], and calls Verify on every request before trusting its
// body: a wrong signature, a timestamp outside the tolerance, or an id seen
// before is refused.
package webhook

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// The headers of a webhook.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Key prefixes, as the specification writes keys.
const (
	SecretPrefix     = "whsec_"
	PrivateKeyPrefix = "whsk_"
	PublicKeyPrefix  = "whpk_"
)

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock: the specification's five minutes.
const DefaultTolerance = 5 * time.Minute

// Errors of verification; every refusal wraps exactly one.
var (
	ErrHeaders   = errors.New("webhook: missing or malformed headers")
	ErrTimestamp = errors.New("webhook: timestamp outside the tolerance")
	ErrSignature = errors.New("webhook: no valid signature")
	ErrReplay    = errors.New("webhook: webhook-id seen before")
)

// maxSignatures bounds how many signatures a header may carry.
const maxSignatures = 16

// ParseSecret decodes a "whsec_" secret (the prefix is optional) to the
// HMAC key.
func ParseSecret(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, fmt.Errorf("webhook: secret is not whsec_ followed by base64")
	}
	return k, nil
}

// ParsePrivateKey decodes a "whsk_" Ed25519 private key (the prefix is
// optional): base64 of its 32-byte seed.
func ParsePrivateKey(s string) (ed25519.PrivateKey, error) {
	seed, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, PrivateKeyPrefix))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("webhook: private key is not whsk_ followed by the base64 of a 32-byte seed")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey decodes a "whpk_" Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, PublicKeyPrefix))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("webhook: public key is not whpk_ followed by the base64 of 32 bytes")
	}
	return ed25519.PublicKey(k), nil
}

// FormatPublicKey writes a public key as whpk_ + base64.
func FormatPublicKey(k ed25519.PublicKey) string {
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(k)
}

func content(id string, ts int64, body []byte) []byte {
	b := make([]byte, 0, len(id)+len(body)+24)
	b = append(b, id...)
	b = append(b, '.')
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, '.')
	return append(b, body...)
}

func mac(key []byte, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// Sign returns the v1 signature ("v1,base64") of a webhook under key.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	return sign(hmac.New(sha256.New, key), id, ts, body)
}

// A Signer signs webhooks under one key, as Sign does, reusing its MACs
// (which hold the key's padded blocks) from one webhook to the next. It is
// safe for concurrent use.
type Signer struct {
	macs sync.Pool
}

// NewSigner returns a Signer for key.
func NewSigner(key []byte) *Signer {
	k := bytes.Clone(key)
	return &Signer{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}
}

// Sign returns the v1 signature of a webhook.
func (s *Signer) Sign(id string, ts time.Time, body []byte) string {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	sig := sign(m, id, ts, body)
	s.macs.Put(m)
	return sig
}

// sign returns the v1 signature of a webhook with the MAC m, fresh or
// reset. The signed content goes to it piece by piece, not copied whole.
func sign(m hash.Hash, id string, ts time.Time, body []byte) string {
	var prefix [64]byte
	p := append(prefix[:0], id...)
	p = append(p, '.')
	p = strconv.AppendInt(p, ts.Unix(), 10)
	p = append(p, '.')
	m.Write(p)
	m.Write(body)
	var sum [sha256.Size]byte
	var out [3 + 44]byte // "v1," and the base64 of 32 bytes
	copy(out[:], "v1,")
	base64.StdEncoding.Encode(out[3:], m.Sum(sum[:0]))
	return string(out[:])
}

var (
	canonicalID        = http.CanonicalHeaderKey(HeaderID)
	canonicalTimestamp = http.CanonicalHeaderKey(HeaderTimestamp)
	canonicalSignature = http.CanonicalHeaderKey(HeaderSignature)
)

// SignEd25519 returns the v1a signature ("v1a,base64") of a webhook.
func SignEd25519(priv ed25519.PrivateKey, id string, ts time.Time, body []byte) string {
	return "v1a," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, content(id, ts.Unix(), body)))
}

// SetHeaders sets a webhook's three headers on h; sigs are joined with
// spaces, as the specification sends several signatures (during a secret
// rotation, one per secret).
func SetHeaders(h http.Header, id string, ts time.Time, sigs ...string) {
	// As h.Set does, with the keys' canonical forms worked out once.
	h[canonicalID] = []string{id}
	h[canonicalTimestamp] = []string{strconv.FormatInt(ts.Unix(), 10)}
	h[canonicalSignature] = []string{strings.Join(sigs, " ")}
}

// The headers' keys as http.Header holds them.

// A Signature is one "version,base64" entry of webhook-signature.
type Signature struct {
	Version string
	Value   []byte
}

// ParseSignatures splits a webhook-signature header into its entries,
// skipping entries that are not "version,base64" (a receiver ignores
// versions it does not know). It fails only on a header too large to be
// honest.
func ParseSignatures(h string) ([]Signature, error) {
	if len(h) > 8<<10 {
		return nil, fmt.Errorf("%w: signature header over 8 KiB", ErrHeaders)
	}
	var out []Signature
	for _, f := range strings.Fields(h) {
		v, b64, ok := strings.Cut(f, ",")
		if !ok || v == "" {
			continue
		}
		val, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(val) == 0 {
			continue
		}
		if len(out) == maxSignatures {
			return nil, fmt.Errorf("%w: more than %d signatures", ErrHeaders, maxSignatures)
		}
		out = append(out, Signature{Version: v, Value: val})
	}
	return out, nil
}

// ParseTimestamp reads webhook-timestamp: decimal Unix seconds.
func ParseTimestamp(s string) (time.Time, error) {
	if s == "" || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not Unix seconds", ErrHeaders, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q: %w", ErrHeaders, s, err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// A Verifier checks webhooks a receiver gets. Keys holds the HMAC keys
// (more than one while the sender rotates its secret); PublicKeys the
// Ed25519 keys; a signature by any of them is accepted.
type Verifier struct {
	Keys       [][]byte
	PublicKeys []ed25519.PublicKey
	// Clock is the receiver's clock; Tolerance bounds the skew (0 means
	// DefaultTolerance).
	Clock     center.Clock
	Tolerance time.Duration
	// Seen, if set, refuses an id verified before: a replayed webhook.
	Seen *ReplayCache
}

// Verify checks a webhook's headers and body and returns its id. It
// checks the signature before the id's novelty, so that only authentic
// ids enter the replay cache.
func (v *Verifier) Verify(h http.Header, body []byte) (string, error) {
	id, tsText, sigText := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigText == "" || len(id) > 256 {
		return "", fmt.Errorf("%w: %s, %s and %s are required", ErrHeaders, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	ts, err := ParseTimestamp(tsText)
	if err != nil {
		return "", err
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	now := v.Clock.Now()
	if ts.Before(now.Add(-tol)) || ts.After(now.Add(tol)) {
		return "", fmt.Errorf("%w: %s is %s from now", ErrTimestamp, ts.Format(time.RFC3339), ts.Sub(now))
	}
	sigs, err := ParseSignatures(sigText)
	if err != nil {
		return "", err
	}
	msg := content(id, ts.Unix(), body)
	if !v.valid(sigs, msg) {
		return "", ErrSignature
	}
	if v.Seen != nil && !v.Seen.Add(id, now, 2*tol) {
		return "", fmt.Errorf("%w: %s", ErrReplay, id)
	}
	return id, nil
}

func (v *Verifier) valid(sigs []Signature, msg []byte) bool {
	var macs [][]byte
	for _, s := range sigs {
		switch s.Version {
		case "v1":
			if macs == nil {
				for _, k := range v.Keys {
					macs = append(macs, mac(k, msg))
				}
			}
			for _, m := range macs {
				if hmac.Equal(m, s.Value) {
					return true
				}
			}
		case "v1a":
			for _, k := range v.PublicKeys {
				if len(s.Value) == ed25519.SignatureSize && ed25519.Verify(k, msg, s.Value) {
					return true
				}
			}
		}
	}
	return false
}

// A ReplayCache remembers the webhook ids verified within the tolerance
// window; an id outside it is refused by its timestamp anyway. It holds at
// most Max ids (0 means 1,000,000), forgetting the oldest first. It is safe
// for concurrent use.
type ReplayCache struct {
	Max int

	mu    sync.Mutex
	seen  map[string]time.Time // id -> forget after
	order []string
}

// Add records id at now, to be remembered for ttl, and reports whether it
// was new.
func (c *ReplayCache) Add(id string, now time.Time, ttl time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]time.Time{}
	}
	if until, ok := c.seen[id]; ok && now.Before(until) {
		return false
	}
	max := c.Max
	if max <= 0 {
		max = 1_000_000
	}
	for len(c.order) > 0 && (len(c.seen) >= max || !now.Before(c.seen[c.order[0]])) {
		delete(c.seen, c.order[0])
		c.order = c.order[1:]
	}
	c.seen[id] = now.Add(ttl)
	c.order = append(c.order, id)
	return true
}

// Forget drops id, so that its next delivery is accepted: for a receiver
// that failed to handle it.
func (c *ReplayCache) Forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.seen, id)
}
