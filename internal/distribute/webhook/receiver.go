package webhook

import (
	"errors"
	"io"
	"net/http"
)

// A Receiver is an http.Handler for a party's receiving system: it
// verifies each webhook and passes authentic, new ones to Handle. A
// refused webhook gets 401 (400 for malformed headers); a replayed id gets
// 200 without Handle, since the sender retries until it sees a 2xx and the
// first copy was already handled; Handle's error gets 500, so the sender
// retries.
type Receiver struct {
	Verifier *Verifier
	// MaxBody bounds a body; 0 means 16 MiB.
	MaxBody int64
	Handle  func(id string, body []byte) error
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	max := rc.MaxBody
	if max <= 0 {
		max = 16 << 20
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	id, err := rc.Verifier.Verify(r.Header, body)
	switch {
	case errors.Is(err, ErrReplay):
		w.WriteHeader(http.StatusOK)
		return
	case errors.Is(err, ErrHeaders):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err := rc.Handle(id, body); err != nil {
		// The sender retries after a 500: let that retry through the
		// replay cache.
		if rc.Verifier.Seen != nil {
			rc.Verifier.Seen.Forget(id)
		}
		http.Error(w, "not handled", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
