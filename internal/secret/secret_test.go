package secret_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/secret"
)

var cheap = secret.Params{Time: 1, MemKiB: 64, Threads: 1}

func TestPassword(t *testing.T) {
	h, err := secret.HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := secret.HashPassword("correct horse", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		name, hash, password string
		want                 error // nil, ErrMismatch, or any other (non-nil, not mismatch)
		malformed            bool
	}{
		{"right", h, "correct horse", nil, false},
		{"wrong", h, "correct horsE", secret.ErrMismatch, false},
		{"empty", h, "", secret.ErrMismatch, false},
		{"not argon2id", "$2a$10$abc", "x", nil, true},
		{"bad params", "$argon2id$v=19$m=x$AAAA$AAAA", "x", nil, true},
		{"bad version", strings.Replace(h, "v=19", "v=16", 1), "correct horse", nil, true},
		{"bad salt", "$argon2id$v=19$m=64,t=1,p=1$!!$AAAA", "x", nil, true},
	}
	for _, tt := range tests {
		err := secret.CheckPassword(tt.hash, tt.password)
		switch {
		case tt.malformed:
			if err == nil || errors.Is(err, secret.ErrMismatch) {
				t.Errorf("%s: CheckPassword = %v, want a malformed-hash error", tt.name, err)
			}
		case !errors.Is(err, tt.want) || (tt.want == nil && err != nil):
			t.Errorf("%s: CheckPassword = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestToken(t *testing.T) {
	tok, hash := secret.NewToken()
	if !strings.HasPrefix(tok, secret.TokenPrefix) || len(tok) < 50 {
		t.Fatalf("token %q too short or unprefixed", tok)
	}
	if string(secret.HashToken(tok)) != string(hash) || len(hash) != 32 {
		t.Fatal("HashToken disagrees with NewToken")
	}
	other, _ := secret.NewToken()
	if other == tok {
		t.Fatal("two tokens are equal")
	}
}
