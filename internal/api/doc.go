// Package api is Tabadul's REST API: JSON over HTTP under /api/v1, described
// by an OpenAPI 3.1 document, with the health and metrics endpoints an
// operator needs beside it.
//
// The package holds no rules of its own. It authenticates the caller, turns
// requests into calls of the one write path ([record.Recorder]) and of the
// read paths ([store.Reader]), which apply the visibility rule, and turns
// their answers and errors back into HTTP.
//
// # Invariants
//
//   - Every route is registered in routes.go; handlers live one per
//     noun_verb.go file and return errors instead of writing them.
//   - Every error reaching a client, whether a handler's, huma's own
//     (validation, body size, content type) or the router's (unknown route,
//     method not allowed), is an RFC 9457 application/problem+json body
//     built by one function, Server.problem in problem.go. It alone
//     decides statuses; it maps center.ErrNotFound to 404, so that a report
//     a party may not see is indistinguishable from one that does not
//     exist.
//   - Every /api/v1 operation except the OpenAPI document and the docs page
//     requires a bearer token; the token itself is never logged.
//   - Request bodies are bounded (six times the report body limit, plus
//     64 KiB), must be one JSON value in valid UTF-8, without unpaired
//     surrogate escapes or repeated keys (json.go), of the declared shape
//     with no unknown fields, and are validated by package center before
//     anything is written. Like huma and encoding/json, the API matches keys
//     to fields regardless of case.
//
// # Wire formats
//
// A list answers {"items": [...], "next_cursor": "..."}, with next_cursor
// absent on the last page. A cursor is the unpadded base64url encoding of
// the decimal form of the store's continuation sequence number (see
// cursor.go); anything else, including a non-canonical encoding, is a 400.
//
// A problem answers {"type", "title", "status", "detail", "instance",
// "errors"}, where type is a URN of the form urn:tabadul:problem:KIND,
// instance is urn:uuid:REQUEST-ID (the id the server logs, also sent as the
// X-Request-Id header), and errors lists {"location", "message", "value"}
// with locations such as "body.distribution.parties[1]" or "query.limit".
package api
