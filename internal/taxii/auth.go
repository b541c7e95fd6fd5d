package taxii

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/secret"
)

// maxTokenBytes bounds what is hashed: real tokens are about 56 bytes.
const maxTokenBytes = 512

// authenticate resolves a request's credentials to a principal: HTTP Basic
// with the username and one of that user's API tokens as the password, or
// a Bearer API token. The token is checked as the REST API checks it: by
// its hash in the store, neither expired nor revoked, of a user who exists
// and is not disabled. Every refusal is center.ErrUnauthenticated, without
// saying which check failed.
func (s *Server) authenticate(r *http.Request) (center.Principal, error) {
	ctx := r.Context()
	scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	var username, token string
	switch {
	case strings.EqualFold(scheme, "Basic"):
		u, p, ok := r.BasicAuth()
		if !ok || u == "" {
			return center.Principal{}, fmt.Errorf("taxii: malformed basic credentials: %w", center.ErrUnauthenticated)
		}
		username, token = u, p
	case strings.EqualFold(scheme, "Bearer"):
		token = strings.TrimSpace(rest)
	default:
		return center.Principal{}, fmt.Errorf("taxii: no credentials: %w", center.ErrUnauthenticated)
	}
	if token == "" || len(token) > maxTokenBytes {
		return center.Principal{}, fmt.Errorf("taxii: no token: %w", center.ErrUnauthenticated)
	}
	tok, err := s.store.TokenByHash(ctx, secret.HashToken(token))
	if errors.Is(err, center.ErrNotFound) {
		return center.Principal{}, fmt.Errorf("taxii: unknown token: %w", center.ErrUnauthenticated)
	}
	if err != nil {
		return center.Principal{}, fmt.Errorf("taxii: token lookup: %w", err)
	}
	if username != "" && tok.Username != username {
		return center.Principal{}, fmt.Errorf("taxii: token %s is not %s's: %w", tok.ID, username, center.ErrUnauthenticated)
	}
	if !tok.Usable(s.clock.Now()) {
		return center.Principal{}, fmt.Errorf("taxii: token %s expired or revoked: %w", tok.ID, center.ErrUnauthenticated)
	}
	u, err := s.store.User(ctx, tok.Username)
	if errors.Is(err, center.ErrNotFound) {
		return center.Principal{}, fmt.Errorf("taxii: token %s of unknown user: %w", tok.ID, center.ErrUnauthenticated)
	}
	if err != nil {
		return center.Principal{}, fmt.Errorf("taxii: user lookup: %w", err)
	}
	if u.Disabled {
		return center.Principal{}, fmt.Errorf("taxii: user %s disabled: %w", u.Username, center.ErrUnauthenticated)
	}
	// The last use is bookkeeping: failing to write it refuses no one.
	if err := s.recorder.TouchToken(ctx, tok); err != nil {
		s.log.WarnContext(ctx, "taxii: recording token use", "token_id", tok.ID, "err", err)
	}
	return center.Principal{User: u}, nil
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p center.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// caller returns the principal authenticate put in a request's context.
func caller(r *http.Request) center.Principal {
	p, _ := r.Context().Value(principalKey{}).(center.Principal)
	return p
}
