package secret

import (
	"bytes"
	"errors"
	"testing"
)

func TestSeal(t *testing.T) {
	key, other := NewSealKey(), NewSealKey()
	plain := []byte("the webhook secret")
	sealed, err := Seal(key, plain, []byte("endpoint--a"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) {
		t.Fatal("the sealed bytes hold the plaintext")
	}
	if got, err := Unseal(key, sealed, []byte("endpoint--a")); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Unseal = %q, %v", got, err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for _, tc := range []struct {
		desc   string
		key    []byte
		sealed []byte
		ad     string
	}{
		{"wrong key", other, sealed, "endpoint--a"},
		{"another endpoint's row", key, sealed, "endpoint--b"},
		{"tampered", key, tampered, "endpoint--a"},
		{"truncated", key, sealed[:10], "endpoint--a"},
	} {
		if _, err := Unseal(tc.key, tc.sealed, []byte(tc.ad)); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: err = %v, want ErrUnseal", tc.desc, err)
		}
	}
	if _, err := Seal([]byte("short"), plain, nil); err == nil {
		t.Error("a short key sealed")
	}
}
