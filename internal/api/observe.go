package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
)

// requestInfoKey keys a request's *requestInfo in its context.
type requestInfoKey struct{}

// requestInfo is what observe learns about a request while it is handled,
// for its log line. Only the request's own goroutine touches it.
type requestInfo struct {
	id    string
	party center.PartyCode // set once the caller is authenticated
}

func infoOf(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// requestID returns the id observe gave the request, "" outside one.
func requestID(ctx context.Context) string {
	if info := infoOf(ctx); info != nil {
		return info.id
	}
	return ""
}

// observe wraps every request: it gives it an id (in the context, the
// X-Request-Id header and any problem's instance), turns a panic into a 500
// problem, and records the request's metrics and log line. The log line
// never holds the Authorization header or the query string, either of which
// may carry secrets a client put in the wrong place.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.clock.Now()
		id := uuid.NewString()
		info := &requestInfo{id: id}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "api: handler panicked", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !sw.wrote {
					s.writeProblem(sw, r, fmt.Errorf("api: handler panicked: %v", v))
				}
			}
			status := sw.status
			if !sw.wrote {
				status = http.StatusOK
			}
			// ServeMux sets r.Pattern on this very request; unmatched
			// requests share one label, so clients cannot mint new series.
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := s.clock.Now().Sub(start)
			s.metrics.observe(route, status, elapsed)
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "api: request",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("elapsed", elapsed),
				slog.String("party", string(info.party)),
			)
		}()
		next.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status written through it. Unwrap lets
// http.ResponseController (which huma uses for read deadlines) reach the
// connection's writer.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status = http.StatusOK
		w.wrote = true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
