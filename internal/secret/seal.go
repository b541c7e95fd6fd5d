package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// SealKeySize is the size of a sealing key: AES-256.
const SealKeySize = 32

// NewSealKey returns a fresh random sealing key.
func NewSealKey() []byte {
	k := make([]byte, SealKeySize)
	rand.Read(k)
	return k
}

// Seal encrypts a secret the center must use again (a webhook signing
// secret, which cannot be hashed because it signs) with AES-256-GCM under
// key: a random 12-byte nonce followed by the ciphertext and tag. ad binds
// the sealed bytes to their owner (an endpoint id), so that a sealed
// secret copied onto another row does not open.
func Seal(key, plain, ad []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plain)+g.Overhead())
	rand.Read(nonce)
	return g.Seal(nonce, nonce, plain, ad), nil
}

// ErrUnseal means sealed bytes did not open with the key: wrong key, wrong
// owner, or tampering.
var ErrUnseal = errors.New("secret: sealed secret does not open")

// Unseal reverses Seal.
func Unseal(key, sealed, ad []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < g.NonceSize()+g.Overhead() {
		return nil, ErrUnseal
	}
	plain, err := g.Open(nil, sealed[:g.NonceSize()], sealed[g.NonceSize():], ad)
	if err != nil {
		return nil, ErrUnseal
	}
	return plain, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	if len(key) != SealKeySize {
		return nil, fmt.Errorf("secret: sealing key is %d bytes, want %d", len(key), SealKeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret: sealing key: %w", err)
	}
	return cipher.NewGCM(b)
}
