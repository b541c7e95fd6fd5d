// Package secret makes and checks the center's secrets: user passwords,
// hashed with argon2id into PHC strings, and API tokens, stored as SHA-256
// hashes and shown to their owner once.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
}

// DefaultParams follow OWASP's argon2id recommendation (19 MiB, 2 passes).
var DefaultParams = Params{Time: 2, MemKiB: 19 * 1024, Threads: 1}

var b64 = base64.RawStdEncoding

// HashPassword returns an argon2id PHC string for password.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("secret: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemKiB, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMismatch means a password did not match its hash.
var ErrMismatch = errors.New("secret: password does not match")

// CheckPassword reports whether password matches the PHC string hash:
// nil on a match, ErrMismatch on a mismatch, another error for a malformed
// hash. It takes the same time for every wrong password of a given hash.
func CheckPassword(hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("secret: not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("secret: unsupported argon2 version")
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemKiB, &p.Time, &p.Threads); err != nil {
		return fmt.Errorf("secret: bad argon2 parameters: %w", err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("secret: bad salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("secret: bad key: %w", err)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemKiB, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// TokenPrefix starts every API token, so that secret scanners can find
// leaked ones.
const TokenPrefix = "tbd_"

// NewToken returns a fresh API token and the hash to store for it.
func NewToken() (token string, hash []byte) {
	token = TokenPrefix + rand.Text() + rand.Text()
	return token, HashToken(token)
}

// HashToken returns the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewPassword returns a random password for generated accounts.
func NewPassword() string { return rand.Text() }
