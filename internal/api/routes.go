package api

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tabadul/tabadul/internal/center"
)

// routes registers every route the server answers. This is the one place
// to read the API's surface.
func (s *Server) routes() {
	reports := []string{"reports"}
	body := func(op huma.Operation) huma.Operation {
		op.MaxBodyBytes = s.maxBody
		// A report body of several megabytes on a slow link needs more
		// than huma's default five seconds.
		op.BodyReadTimeout = 30 * time.Second
		return op
	}

	register(s, body(huma.Operation{
		OperationID: "submit-report", Method: http.MethodPost, Path: reportsPath,
		Summary: "Submit a report", Description: "Records a new report from the caller's party and shares it as its distribution says.",
		Tags: reports, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}), s.submitReport)
	register(s, huma.Operation{
		OperationID: "submit-reports", Method: http.MethodPost, Path: reportsPath + "/batch",
		Summary: "Submit reports in a batch", Description: "Records up to 1,000 new reports from the caller's party in one write, all of them or none: a refused report is named by its index (reports[2].title). Each is shared as its distribution says.",
		Tags: reports, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		MaxBodyBytes: maxBatchBody, BodyReadTimeout: 2 * time.Minute,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}, s.submitReports)
	register(s, huma.Operation{
		OperationID: "list-reports", Method: http.MethodGet, Path: reportsPath,
		Summary: "List reports", Description: "Lists, newest first, the newest version of each report shared with the caller's party.",
		Tags: reports, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.listReports)
	register(s, huma.Operation{
		OperationID: "get-report", Method: http.MethodGet, Path: reportsPath + "/{id}",
		Summary: "Get a report", Description: "Returns the newest version of the report shared with the caller's party.",
		Tags: reports, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.getReport)
	register(s, huma.Operation{
		OperationID: "list-report-versions", Method: http.MethodGet, Path: reportsPath + "/{id}/versions",
		Summary: "List a report's versions", Description: "Lists, oldest first, the versions of the report shared with the caller's party.",
		Tags: reports, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.listReportVersions)
	register(s, body(huma.Operation{
		OperationID: "revise-report", Method: http.MethodPut, Path: reportsPath + "/{id}",
		Summary: "Revise a report", Description: "Records a new version of a report of the caller's party.",
		Tags: reports, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType},
	}), s.reviseReport)
	register(s, huma.Operation{
		OperationID: "revoke-report", Method: http.MethodPost, Path: reportsPath + "/{id}/revoke",
		Summary: "Revoke a report", Description: "Marks every version of a report of the caller's party revoked; the versions are kept.",
		Tags: reports, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, s.revokeReport)

	register(s, huma.Operation{
		OperationID: "search", Method: http.MethodGet, Path: searchPath,
		Summary: "Search reports", Description: "Ranks the reports the caller's party may see that match a query in Tabadul's query language. Results, the total, the facets and the snippets count only what the caller may see.",
		Tags: []string{"search"}, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.search)

	s.entityRoutes()

	register(s, huma.Operation{
		OperationID: "list-parties", Method: http.MethodGet, Path: "/api/v1/parties",
		Summary: "List parties", Description: "Lists the center's parties.",
		Tags: []string{"roster"}, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized},
	}, s.listParties)
	register(s, huma.Operation{
		OperationID: "list-committees", Method: http.MethodGet, Path: "/api/v1/committees",
		Summary: "List committees", Description: "Lists the center's committees and their members.",
		Tags: []string{"roster"}, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized},
	}, s.listCommittees)
	register(s, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me",
		Summary: "Who am I", Description: "Returns the caller's user, party and role.",
		Tags: []string{"roster"}, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized},
	}, s.getMe)

	governance := []string{"governance"}
	register(s, huma.Operation{
		OperationID: "get-governance", Method: http.MethodGet, Path: "/api/v1/governance",
		Summary: "Get the administration", Description: "Returns the current chair, the next terms, the rotation and every amendment.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized},
	}, s.getGovernance)
	register(s, huma.Operation{
		OperationID: "hand-over", Method: http.MethodPost, Path: "/api/v1/governance/handover",
		Summary: "Hand the chair over early", Description: "Ends the chair's term at the next 00:00 UTC; the next member party in order takes over. Only the chair's officers may.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict},
	}, s.handOver)
	register(s, body(huma.Operation{
		OperationID: "propose-amendment", Method: http.MethodPost, Path: amendmentsPath,
		Summary: "Propose an amendment", Description: "Proposes a change to the roster or the rotation. Any member party's officer may; every member party must approve within 30 days.",
		Tags: governance, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnsupportedMediaType},
	}), s.proposeAmendment)
	register(s, huma.Operation{
		OperationID: "get-amendment", Method: http.MethodGet, Path: amendmentsPath + "/{id}",
		Summary: "Get an amendment", Description: "Returns an amendment and where it stands.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.getAmendment)
	register(s, huma.Operation{
		OperationID: "approve-amendment", Method: http.MethodPost, Path: amendmentsPath + "/{id}/approve",
		Summary: "Approve an amendment", Description: "Records the approval of the caller's party; the approval that completes the set applies the amendment.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, s.approveAmendment)
	register(s, huma.Operation{
		OperationID: "reject-amendment", Method: http.MethodPost, Path: amendmentsPath + "/{id}/reject",
		Summary: "Reject an amendment", Description: "Records the rejection of the caller's party, which ends the proposal.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, s.rejectAmendment)

	register(s, huma.Operation{
		OperationID: "get-retention", Method: http.MethodGet, Path: retentionPath,
		Summary: "Get the retention", Description: "Returns how many days after its revocation a report's text is kept.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized},
	}, s.getRetention)
	register(s, body(huma.Operation{
		OperationID: "set-retention", Method: http.MethodPut, Path: retentionPath,
		Summary: "Set the retention", Description: "Sets how many days after its revocation a report's title and body are kept before they are erased. A chair power: only officers of the party chairing now may.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnsupportedMediaType},
	}), s.setRetention)
	register(s, body(huma.Operation{
		OperationID: "publish-bulletin", Method: http.MethodPost, Path: bulletinsPath,
		Summary: "Publish a bulletin", Description: "Publishes a notice of the chair to every party. A chair power: only officers of the party chairing now may.",
		Tags: governance, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnsupportedMediaType},
	}), s.publishBulletin)
	register(s, huma.Operation{
		OperationID: "list-bulletins", Method: http.MethodGet, Path: bulletinsPath,
		Summary: "List bulletins", Description: "Lists the chair's notices, newest first. Every party sees every bulletin.",
		Tags: governance, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.listBulletins)

	register(s, huma.Operation{
		OperationID: "analyze-text", Method: http.MethodGet, Path: "/api/v1/analyze",
		Summary: "Analyze a text", Description: "Shows how search sees a text: its language, and each token's normalized form, stem, kind (word, number or observable), byte range and language. Reads nothing of the center's.",
		Tags: []string{"search"}, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.analyzeText)

	s.distributionRoutes()

	register(s, huma.Operation{
		OperationID: "import", Method: http.MethodPost, Path: "/api/v1/import",
		Summary: "Import STIX or MISP", Description: "Records a STIX 2.1 bundle or MISP events (one or a list) as the caller's party, all or nothing: a rejected object refuses the request with every reason listed. Objects keep their own TLP markings; the query sets the default and the distribution.",
		Tags: []string{"collect"}, Security: bearerAuth(), MaxBodyBytes: maxImportBytes, BodyReadTimeout: 5 * time.Minute,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
	}, s.importBundle)
	register(s, huma.Operation{
		OperationID: "export", Method: http.MethodGet, Path: "/api/v1/export",
		Summary: "Export as STIX", Description: "Streams, as one STIX 2.1 bundle, the newest version of every STIX object and report shared with the caller's party. AMBER+STRICT and RED reach only their distribution.",
		Tags: []string{"collect"}, Security: bearerAuth(),
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized},
	}, s.exportBundle)

	feeds := []string{"feeds"}
	register(s, huma.Operation{
		OperationID: "list-feeds", Method: http.MethodGet, Path: feedsPath,
		Summary: "List news feeds and their health", Description: "Lists the chair's news feeds with their health: last poll, last success, last error, items taken. Member parties only.",
		Tags: feeds, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.listFeeds)
	register(s, body(huma.Operation{
		OperationID: "add-feed", Method: http.MethodPost, Path: feedsPath,
		Summary: "Add a news feed", Description: "Configures an RSS, Atom or JSON feed whose new items become TLP:CLEAR reports of the chair's party, shared with every member. A chair power.",
		Tags: feeds, Security: bearerAuth(), DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity},
	}), s.addFeed)
	register(s, huma.Operation{
		OperationID: "remove-feed", Method: http.MethodDelete, Path: feedsPath + "/{id}",
		Summary: "Remove a news feed", Description: "Stops polling a feed; its reports stay. A chair power.",
		Tags: feeds, Security: bearerAuth(), DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, s.removeFeed)

	register(s, huma.Operation{
		OperationID: "get-health", Method: http.MethodGet, Path: "/healthz",
		Summary: "Liveness probe", Description: "Answers while the process serves HTTP.",
		Tags: []string{"operations"},
	}, s.getHealth)
	register(s, huma.Operation{
		OperationID: "get-ready", Method: http.MethodGet, Path: "/readyz",
		Summary: "Readiness probe", Description: "Answers once the database answers.",
		Tags: []string{"operations"}, Errors: []int{http.StatusServiceUnavailable},
	}, s.getReady)
	s.logRoutes()

	// Outside the OpenAPI document: the document itself, its page, and the
	// Prometheus exposition.
	s.mux.HandleFunc("GET "+openAPIPath, s.serveOpenAPI)
	s.mux.HandleFunc("GET "+docsPath, s.serveDocs)
	// The metrics count the center's reports and requests: not content, but
	// nothing for someone who is not a party either, so a scraper presents
	// a token like any client.
	s.mux.Handle("GET /metrics", s.requireParty(s.metrics.handler(s.log)))
	// The live stream: Server-Sent Events, outside huma, which answers
	// each request once.
	s.mux.HandleFunc("GET "+streamPath, s.stream)
}

// register adds an operation to the API. Every handler's error passes
// through s.problem, so that no handler decides a status or writes an
// error its own way.
func register[I, O any](s *Server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.problemError(ctx, err)
		}
		return out, nil
	})
}

// dispatch routes a request, answering in problem+json where ServeMux
// would answer in plain text: a path it would redirect to its clean form
// under /api/ (an API client is better told than bounced: "/api/v1/reports/
// ../../etc" names nothing), an unknown route, or a method the route lacks.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	if strings.HasPrefix(p, "/api/") && cleanPath(p) != p {
		s.writeProblem(w, r, fmt.Errorf("api: unclean path: %w", center.ErrNotFound))
		return
	}
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// No route: let the mux's own answer tell 404 from 405 (and from a
	// redirect outside /api/), and keep its Allow header.
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		s.writeProblem(w, r, fmt.Errorf("api: %s %s: %w", r.Method, r.URL.Path, errMethodNotAllowed))
	case http.StatusNotFound:
		s.writeProblem(w, r, fmt.Errorf("api: no route for %s: %w", r.URL.Path, center.ErrNotFound))
	default:
		h.ServeHTTP(w, r)
	}
}

// cleanPath is ServeMux's canonical form of a path: rooted, without "."
// or ".." elements or doubled slashes, keeping a trailing slash.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// headerProbe records the status and headers a handler writes and drops
// its body.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }

func (p *headerProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
