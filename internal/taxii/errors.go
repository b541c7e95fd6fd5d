package taxii

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

// An Error is a refusal with its HTTP status, written as a TAXII error
// resource.
type Error struct {
	Status      int
	Title       string
	Description string
}

func (e *Error) Error() string {
	return fmt.Sprintf("taxii: %d %s: %s", e.Status, e.Title, e.Description)
}

func refuse(status int, title, format string, args ...any) *Error {
	return &Error{Status: status, Title: title, Description: fmt.Sprintf(format, args...)}
}

// errorResource is TAXII 2.1's error message (section 3.6.1).
type errorResource struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	HTTPStatus  string `json:"http_status"`
}

// writeError is the one place an error becomes a response. What a party
// may not see is center.ErrNotFound by then (the store never reads it),
// and answers 404 like what does not exist.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var tooBig *http.MaxBytesError
	var inv *center.InvalidError
	var ref *center.Refusal
	switch {
	case errors.As(err, &e):
	case errors.As(err, &tooBig):
		e = refuse(http.StatusRequestEntityTooLarge, "Request too large", "the body is over the API root's max_content_length of %d bytes", tooBig.Limit)
	case errors.Is(err, center.ErrUnauthenticated):
		e = refuse(http.StatusUnauthorized, "Unauthorized", "send HTTP Basic credentials (your username, and an API token as the password) or a Bearer API token")
	case errors.Is(err, center.ErrNotFound):
		e = refuse(http.StatusNotFound, "Not found", "no such resource here")
	case errors.As(err, &inv):
		var parts []string
		for _, f := range inv.Fields {
			parts = append(parts, f.Field+": "+f.Message)
		}
		e = refuse(http.StatusBadRequest, "Bad request", "%s", strings.Join(parts, "; "))
	case errors.Is(err, center.ErrForbidden):
		e = refuse(http.StatusForbidden, "Forbidden", "not allowed for your party")
		if errors.As(err, &ref) {
			e.Description = ref.Reason
		}
	case errors.Is(err, center.ErrConflict):
		e = refuse(http.StatusConflict, "Conflict", "the request conflicts with what is recorded")
		if errors.As(err, &ref) {
			e.Description = ref.Reason
		}
	case errors.Is(err, center.ErrInvalid):
		e = refuse(http.StatusBadRequest, "Bad request", "the request is invalid")
		if errors.As(err, &ref) {
			e.Description = ref.Reason
		}
	default:
		s.log.ErrorContext(r.Context(), "taxii: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = refuse(http.StatusInternalServerError, "Internal error", "the server failed; the error is logged")
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="TAXII", charset="UTF-8"`)
	}
	writeJSON(w, e.Status, errorResource{Title: e.Title, Description: e.Description, HTTPStatus: strconv.Itoa(e.Status)})
}
