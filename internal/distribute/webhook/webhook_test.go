package webhook

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabadul/tabadul/internal/testkit"
)

// The Standard Webhooks specification's published vectors (its reference
// libraries' signing tests).
const (
	specSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID      = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS      = 1614265330
	specBody    = `{"test": 2432232314}`
	specV1      = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	specEdSeed  = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="
	specV1a     = "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="
	specBadV1   = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
	otherSecret = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo3ODkwMTI="
)

func TestSpecVectors(t *testing.T) {
	key, err := ParseSecret(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := Sign(key, specID, time.Unix(specTS, 0), []byte(specBody)); got != specV1 {
		t.Errorf("v1 = %s, want %s", got, specV1)
	}
	// A Signer signs the same, again and again and at once (its MACs are
	// reset between webhooks), and its key is its own copy.
	held := bytes.Clone(key)
	s := NewSigner(held)
	clear(held)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got := s.Sign(specID, time.Unix(specTS, 0), []byte(specBody)); got != specV1 {
					t.Errorf("Signer: v1 = %s, want %s", got, specV1)
					return
				}
			}
		}()
	}
	wg.Wait()
	priv, err := ParsePrivateKey(specEdSeed)
	if err != nil {
		t.Fatal(err)
	}
	if got := SignEd25519(priv, specID, time.Unix(specTS, 0), []byte(specBody)); got != specV1a {
		t.Errorf("v1a = %s, want %s", got, specV1a)
	}
	// The prefix is optional.
	if k2, _ := ParseSecret(strings.TrimPrefix(specSecret, SecretPrefix)); string(k2) != string(key) {
		t.Error("secret without its prefix decodes differently")
	}
}

func specHeader(ts time.Time, sig string) http.Header {
	h := http.Header{}
	SetHeaders(h, specID, ts, sig)
	return h
}

func TestVerify(t *testing.T) {
	key, _ := ParseSecret(specSecret)
	other, _ := ParseSecret(otherSecret)
	priv, _ := ParsePrivateKey(specEdSeed)
	at := time.Unix(specTS, 0).UTC()
	body := []byte(specBody)
	tests := []struct {
		desc   string
		keys   [][]byte
		pub    bool
		now    time.Time
		header http.Header
		body   []byte
		want   error
	}{
		{desc: "spec vector verifies", keys: [][]byte{key}, now: at, header: specHeader(at, specV1)},
		{desc: "spec v1a vector verifies", pub: true, now: at, header: specHeader(at, specV1a)},
		{desc: "wrong secret", keys: [][]byte{other}, now: at, header: specHeader(at, specV1), want: ErrSignature},
		{desc: "either of two secrets (rotation)", keys: [][]byte{other, key}, now: at, header: specHeader(at, specV1)},
		{desc: "several signatures, one good", keys: [][]byte{key}, now: at, header: specHeader(at, specBadV1+" v2,abc= "+specV1)},
		{desc: "bad signature", keys: [][]byte{key}, now: at, header: specHeader(at, specBadV1), want: ErrSignature},
		{desc: "v1a as v1", keys: [][]byte{key}, now: at, header: specHeader(at, "v1,"+strings.TrimPrefix(specV1a, "v1a,")), want: ErrSignature},
		{desc: "tampered body", keys: [][]byte{key}, now: at, header: specHeader(at, specV1), body: []byte(`{"test": 2432232315}`), want: ErrSignature},
		{desc: "timestamp too old", keys: [][]byte{key}, now: at.Add(DefaultTolerance + time.Second), header: specHeader(at, specV1), want: ErrTimestamp},
		{desc: "timestamp too new", keys: [][]byte{key}, now: at.Add(-DefaultTolerance - time.Second), header: specHeader(at, specV1), want: ErrTimestamp},
		{desc: "at the edge of the tolerance", keys: [][]byte{key}, now: at.Add(DefaultTolerance), header: specHeader(at, specV1)},
		{desc: "missing id", keys: [][]byte{key}, now: at, header: http.Header{HeaderTimestamp: {"1614265330"}, HeaderSignature: {specV1}}, want: ErrHeaders},
		{desc: "malformed timestamp", keys: [][]byte{key}, now: at, header: http.Header{HeaderID: {specID}, HeaderTimestamp: {"-1614265330"}, HeaderSignature: {specV1}}, want: ErrHeaders},
		{desc: "empty signature", keys: [][]byte{key}, now: at, header: specHeader(at, "v1,"), want: ErrSignature},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			v := &Verifier{Keys: tc.keys, Clock: testkit.NewClock(tc.now)}
			if tc.pub {
				v.PublicKeys = []ed25519.PublicKey{priv.Public().(ed25519.PublicKey)}
			}
			b := body
			if tc.body != nil {
				b = tc.body
			}
			id, err := v.Verify(tc.header, b)
			if tc.want == nil && (err != nil || id != specID) {
				t.Fatalf("Verify = %q, %v; want %s", id, err, specID)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Verify err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyRefusesReplay(t *testing.T) {
	key, _ := ParseSecret(specSecret)
	clock := testkit.NewClock(time.Unix(specTS, 0))
	v := &Verifier{Keys: [][]byte{key}, Clock: clock, Seen: &ReplayCache{}}
	h := specHeader(clock.Now(), specV1)
	if _, err := v.Verify(h, []byte(specBody)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := v.Verify(h, []byte(specBody)); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: err = %v, want ErrReplay", err)
	}
	// A forged copy with the same id does not poison the cache: it fails
	// on its signature first.
	v2 := &Verifier{Keys: [][]byte{key}, Clock: clock, Seen: &ReplayCache{}}
	forged := specHeader(clock.Now(), specBadV1)
	if _, err := v2.Verify(forged, []byte(specBody)); !errors.Is(err, ErrSignature) {
		t.Fatalf("forged: err = %v", err)
	}
}

func TestReplayCacheBound(t *testing.T) {
	c := &ReplayCache{Max: 3}
	now := time.Unix(0, 0)
	for _, id := range []string{"a", "b", "c", "d"} {
		if !c.Add(id, now, time.Hour) {
			t.Fatalf("%s refused", id)
		}
	}
	if len(c.seen) > 3 {
		t.Fatalf("cache holds %d ids, max 3", len(c.seen))
	}
	if c.Add("d", now, time.Hour) {
		t.Fatal("d accepted twice")
	}
}

func FuzzParseHeaders(f *testing.F) {
	for _, s := range []string{specV1, specV1a, specBadV1 + " " + specV1, "v1,", ",", "v1,!!!", strings.Repeat("v1,YQ== ", 20), "1614265330", "-1", "99999999999999999999"} {
		f.Add(s)
	}
	key, _ := ParseSecret(specSecret)
	f.Fuzz(func(t *testing.T, s string) {
		sigs, err := ParseSignatures(s)
		if err == nil && len(sigs) > maxSignatures {
			t.Fatalf("%d signatures", len(sigs))
		}
		for _, sig := range sigs {
			if sig.Version == "" || len(sig.Value) == 0 {
				t.Fatalf("empty entry parsed from %q", s)
			}
		}
		if ts, err := ParseTimestamp(s); err == nil && ts.Unix() < 0 {
			t.Fatalf("negative time from %q", s)
		}
		v := &Verifier{Keys: [][]byte{key}, Clock: testkit.NewClock(time.Unix(specTS, 0))}
		h := http.Header{HeaderID: {specID}, HeaderTimestamp: {s}, HeaderSignature: {s}}
		if _, err := v.Verify(h, []byte(specBody)); err == nil {
			t.Fatalf("forged headers %q verified", s)
		}
	})
}
