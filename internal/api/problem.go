package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tabadul/tabadul/internal/center"
)

// Problem types: one URN per kind of failure a client can act on. They are
// part of the API's contract; add kinds, never rename them.
const (
	problemBadRequest       = "urn:tabadul:problem:bad-request"
	problemUnauthenticated  = "urn:tabadul:problem:unauthenticated"
	problemForbidden        = "urn:tabadul:problem:forbidden"
	problemNotFound         = "urn:tabadul:problem:not-found"
	problemMethodNotAllowed = "urn:tabadul:problem:method-not-allowed"
	problemNotAcceptable    = "urn:tabadul:problem:not-acceptable"
	problemTimeout          = "urn:tabadul:problem:timeout"
	problemConflict         = "urn:tabadul:problem:conflict"
	problemTooLarge         = "urn:tabadul:problem:too-large"
	problemUnsupportedMedia = "urn:tabadul:problem:unsupported-media-type"
	problemInvalidInput     = "urn:tabadul:problem:invalid-input"
	problemUnavailable      = "urn:tabadul:problem:unavailable"
	problemInternal         = "urn:tabadul:problem:internal"
)

// problemType names the kind of a status. Statuses are chosen by
// Server.problem (or by huma for its own refusals); the type follows.
func problemType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return problemBadRequest
	case http.StatusUnauthorized:
		return problemUnauthenticated
	case http.StatusForbidden:
		return problemForbidden
	case http.StatusNotFound:
		return problemNotFound
	case http.StatusMethodNotAllowed:
		return problemMethodNotAllowed
	case http.StatusNotAcceptable:
		return problemNotAcceptable
	case http.StatusRequestTimeout:
		return problemTimeout
	case http.StatusConflict:
		return problemConflict
	case http.StatusRequestEntityTooLarge:
		return problemTooLarge
	case http.StatusUnsupportedMediaType:
		return problemUnsupportedMedia
	case http.StatusUnprocessableEntity:
		return problemInvalidInput
	case http.StatusServiceUnavailable:
		return problemUnavailable
	}
	if status >= 500 {
		return problemInternal
	}
	return problemBadRequest
}

// Sentinels of this package, for failures that package center has no word
// for. Wrap them with %w.
var (
	// errBadRequest: the request is malformed (a query parameter that does
	// not parse). A *requestError carries the parameters.
	errBadRequest = errors.New("api: bad request")
	// errMethodNotAllowed: the path exists, the method does not.
	errMethodNotAllowed = errors.New("api: method not allowed")
	// errUnavailable: a dependency (the database) does not answer.
	errUnavailable = errors.New("api: unavailable")
)

// A requestError lists the query parameters the API refuses before asking
// anyone, with messages written for the client. errors.Is(err,
// errBadRequest) holds.
type requestError struct {
	fields []*huma.ErrorDetail
}

func (e *requestError) Error() string {
	parts := make([]string, len(e.fields))
	for i, f := range e.fields {
		parts[i] = f.Location + ": " + f.Message
	}
	return "api: bad request: " + strings.Join(parts, "; ")
}

func (e *requestError) Is(target error) bool { return target == errBadRequest }

// add records a problem with the parameter at location, e.g. "query.limit".
func (e *requestError) add(location string, value any, format string, args ...any) {
	e.fields = append(e.fields, &huma.ErrorDetail{Location: location, Message: fmt.Sprintf(format, args...), Value: value})
}

// err returns e if it holds any problem, else nil.
func (e *requestError) err() error {
	if len(e.fields) == 0 {
		return nil
	}
	return e
}

// Details of the statuses whose cause a client must not learn more about.
const (
	// notFoundDetail is the same whether the thing is absent or hidden from
	// the caller's party: the two must be indistinguishable.
	notFoundDetail = "no such resource, or it is not shared with your party"
	internalDetail = "the server failed to handle the request; quote the instance to the operator"
)

// problem is the one function that decides what a client sees of an error:
// its status, its problem body and the headers it needs. It also logs
// every error that is the server's fault, with the request id, and never
// lets such an error's text reach the client.
//
// Everything passes through it: handlers' errors (via register),
// huma's own refusals (via completeProblem), the authentication middleware's
// and the router's (via writeProblem).
//
// center.ErrNotFound answers 404 both for what does not exist and for what
// the caller's party may not see: the store and the recorder return it for
// both, and nothing here tells them apart.
func (s *Server) problem(ctx context.Context, err error) (*huma.ErrorModel, http.Header) {
	p := &huma.ErrorModel{}
	var hdr http.Header
	var (
		invalid *center.InvalidError
		badReq  *requestError
		humaErr *huma.ErrorModel
	)
	switch {
	case errors.As(err, &invalid):
		p.Status = http.StatusUnprocessableEntity
		p.Detail = "the input breaks the rules listed in errors"
		for _, f := range invalid.Fields {
			// Every InvalidError the API meets concerns the request body.
			p.Errors = append(p.Errors, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message, Value: f.Value})
		}
	case errors.As(err, &badReq):
		p.Status = http.StatusBadRequest
		p.Detail = "the request's parameters are malformed; see errors"
		p.Errors = badReq.fields
	case errors.Is(err, center.ErrNotFound):
		p.Status = http.StatusNotFound
		p.Detail = notFoundDetail
	case errors.Is(err, center.ErrForbidden):
		p.Status = http.StatusForbidden
		p.Detail = publicDetail(err, "your party may see this resource but may not do this to it")
	case errors.Is(err, center.ErrUnauthenticated):
		p.Status = http.StatusUnauthorized
		p.Detail = "a valid, unexpired bearer token of an enabled user is required"
		hdr = http.Header{"Www-Authenticate": {`Bearer realm="tabadul"`}}
	case errors.Is(err, center.ErrInvalid):
		p.Status = http.StatusUnprocessableEntity
		p.Detail = "the input breaks a rule"
	case errors.Is(err, center.ErrConflict):
		p.Status = http.StatusConflict
		p.Detail = publicDetail(err, "the request conflicts with the resource's recorded state (for example, a revoked report)")
	case errors.Is(err, errMethodNotAllowed):
		p.Status = http.StatusMethodNotAllowed
		p.Detail = "the resource does not support this method; see the Allow header"
	case errors.Is(err, errUnavailable):
		p.Status = http.StatusServiceUnavailable
		p.Detail = "the service cannot answer now; try again later"
	case errors.As(err, &humaErr):
		// huma's own refusals: validation, body size, content type.
		p.Status = humaErr.Status
		p.Detail = humaErr.Detail
		if p.Detail == "validation failed" {
			// huma's one word for several failures; say which.
			switch p.Status {
			case http.StatusBadRequest:
				p.Detail = "the request body is not well-formed UTF-8 JSON"
			case http.StatusUnsupportedMediaType:
				p.Detail = "the request body must be application/json"
			case http.StatusUnprocessableEntity:
				p.Detail = "the input breaks the rules listed in errors"
			}
		}
		p.Errors = humaErr.Errors
	default:
		p.Status = http.StatusInternalServerError
	}
	if p.Status >= 500 {
		attrs := []any{"request_id", requestID(ctx), "status", p.Status, "err", err}
		if humaErr != nil {
			for _, d := range humaErr.Errors {
				if d != nil {
					attrs = append(attrs, "cause", d.Message)
				}
			}
		}
		s.log.ErrorContext(ctx, "api: request failed", attrs...)
		if p.Status != http.StatusServiceUnavailable {
			p.Detail = internalDetail
		}
		p.Errors = nil
	}
	p.Type = problemType(p.Status)
	p.Title = http.StatusText(p.Status)
	if id := requestID(ctx); id != "" {
		p.Instance = "urn:uuid:" + id
	}
	p.Errors = echoSafely(p.Errors)
	return p, hdr
}

// problemError is what a huma handler returns for err: the problem, with
// the headers it needs.
func (s *Server) problemError(ctx context.Context, err error) error {
	p, hdr := s.problem(ctx, err)
	if hdr != nil {
		return huma.ErrorWithHeaders(p, hdr)
	}
	return p
}

// writeProblem answers a plain net/http request with the problem for err.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p, hdr := s.problem(r.Context(), err)
	for k, vs := range hdr {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	if err := json.NewEncoder(w).Encode(p); err != nil {
		s.log.DebugContext(r.Context(), "api: writing problem", "request_id", requestID(r.Context()), "err", err)
	}
}

// completeProblem is a huma transformer. huma writes some problems on its
// own — validation errors, a body too large, an unknown content type — and
// this passes each through s.problem, so that they get their type, their
// instance and a bounded echo of the input like ours. Problems that came
// from s.problem already have a type and pass unchanged. huma has chosen
// the status before transformers run, and s.problem keeps huma's status.
func (s *Server) completeProblem(ctx huma.Context, _ string, v any) (any, error) {
	em, ok := v.(*huma.ErrorModel)
	if !ok || em.Type != "" {
		return v, nil
	}
	p, _ := s.problem(ctx.Context(), em)
	return p, nil
}

// maxEcho bounds a value a problem repeats back to the client.
const maxEcho = 200

// echoSafely drops nil details and every value that is not a short scalar:
// a problem may name the offending value, but must not mirror a
// megabyte-long body, nor invalid UTF-8.
func echoSafely(details []*huma.ErrorDetail) []*huma.ErrorDetail {
	var out []*huma.ErrorDetail
	for _, d := range details {
		if d == nil {
			continue
		}
		c := *d
		c.Message = strings.ToValidUTF8(c.Message, "\uFFFD")
		c.Value = echoable(c.Location, c.Value)
		out = append(out, &c)
	}
	return out
}

func echoable(location string, v any) any {
	if location == "body" {
		// huma puts the whole request body here when it does not parse.
		return nil
	}
	switch x := v.(type) {
	case string:
		if len(x) <= maxEcho && utf8.ValidString(x) {
			return x
		}
	case center.PartyCode:
		if len(x) <= maxEcho && utf8.ValidString(string(x)) {
			return string(x)
		}
	case bool, float64, int, int64:
		return x
	}
	return nil
}

// publicDetail returns the reason an error offers for the caller's eyes
// (center.Refusal, record.NotChairError), else fallback. Only errors that
// choose to carry such a reason show it; any other text stays internal.
func publicDetail(err error, fallback string) string {
	var pd interface{ PublicDetail() string }
	if errors.As(err, &pd) {
		return pd.PublicDetail()
	}
	return fallback
}
