package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/secret"
)

// bearerScheme names the OpenAPI security scheme of API tokens.
const bearerScheme = "bearer"

// bearerAuth is the security requirement of an operation that needs a
// token. authenticate enforces exactly the operations that declare it, so
// the OpenAPI document and the server cannot disagree.
func bearerAuth() []map[string][]string {
	return []map[string][]string{{bearerScheme: {}}}
}

// maxTokenBytes bounds what is hashed: real tokens are about 56 bytes.
const maxTokenBytes = 512

// principalKey keys the caller's center.Principal in a request's context.
type principalKey struct{}

// principal returns the authenticated caller of a request. It fails only if
// a handler of an operation without bearerAuth asks, which is a bug.
func principal(ctx context.Context) (center.Principal, error) {
	p, ok := ctx.Value(principalKey{}).(center.Principal)
	if !ok {
		return center.Principal{}, errors.New("api: no principal in context: operation lacks bearerAuth")
	}
	return p, nil
}

// authenticate is a huma middleware: for an operation that declares
// bearerAuth it resolves the Authorization header to a principal and puts
// it in the context, or answers 401 before the body is read.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	if len(ctx.Operation().Security) == 0 {
		next(ctx)
		return
	}
	who, err := s.authorize(ctx.Context(), ctx.Header("Authorization"))
	if err != nil {
		r, w := humago.Unwrap(ctx)
		s.writeProblem(w, r, err)
		return
	}
	if info := infoOf(ctx.Context()); info != nil {
		info.party = who.Party()
	}
	next(huma.WithValue(ctx, principalKey{}, who))
}

// authorize checks an Authorization header: a bearer token that the store
// knows, that is neither expired nor revoked, of a user who exists and is
// not disabled. Every refusal is center.ErrUnauthenticated, without saying
// which check failed; store failures are passed on as they are.
func (s *Server) authorize(ctx context.Context, header string) (center.Principal, error) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxTokenBytes {
		return center.Principal{}, fmt.Errorf("api: no bearer token: %w", center.ErrUnauthenticated)
	}
	tok, err := s.store.TokenByHash(ctx, secret.HashToken(token))
	if errors.Is(err, center.ErrNotFound) {
		return center.Principal{}, fmt.Errorf("api: unknown token: %w", center.ErrUnauthenticated)
	}
	if err != nil {
		return center.Principal{}, fmt.Errorf("api: token lookup: %w", err)
	}
	if !tok.Usable(s.clock.Now()) {
		return center.Principal{}, fmt.Errorf("api: token %s expired or revoked: %w", tok.ID, center.ErrUnauthenticated)
	}
	u, err := s.store.User(ctx, tok.Username)
	if errors.Is(err, center.ErrNotFound) {
		return center.Principal{}, fmt.Errorf("api: token %s of unknown user: %w", tok.ID, center.ErrUnauthenticated)
	}
	if err != nil {
		return center.Principal{}, fmt.Errorf("api: user lookup: %w", err)
	}
	if u.Disabled {
		return center.Principal{}, fmt.Errorf("api: user %s disabled: %w", u.Username, center.ErrUnauthenticated)
	}
	// Recording the last use is bookkeeping: a failure to write it must not
	// refuse a caller whose credentials are good.
	if err := s.recorder.TouchToken(ctx, tok); err != nil {
		s.log.WarnContext(ctx, "api: recording token use", "request_id", requestID(ctx), "token_id", tok.ID, "err", err)
	}
	return center.Principal{User: u}, nil
}

// requireParty serves h only to a request with a valid bearer token, for
// the routes outside the OpenAPI operations.
func (s *Server) requireParty(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.authorize(r.Context(), r.Header.Get("Authorization")); err != nil {
			s.writeProblem(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}
