package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
)

// logRoutes mounts the transparency log: its checkpoint and tiles under
// /log/ (c2sp.org/tlog-tiles, served by package tlog) and the two proof
// operations.
func (s *Server) logRoutes() {
	s.mux.Handle("GET /log/", tlog.Handler(s.store, s.authorizeLog, s.log))

	logTags := []string{"log"}
	register(s, huma.Operation{
		OperationID: "get-report-proof", Method: http.MethodGet, Path: reportsPath + "/{id}/proof",
		Summary:     "Prove a report was logged",
		Description: "Returns the log entry of the newest version of the report the caller's party may see, its status in the transparency log, an offline-verifiable inclusion proof (c2sp.org/tlog-proof) once a cosigned checkpoint includes it, the salt of its digest and the exact content the digest commits to.",
		Tags:        logTags, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.getReportProof)
	register(s, huma.Operation{
		OperationID: "get-entry-proof", Method: http.MethodGet, Path: "/api/v1/log/entries/{event_id}/proof",
		Summary:     "Prove an event was logged",
		Description: "Returns an event's log entry, its status in the transparency log and an offline-verifiable inclusion proof (c2sp.org/tlog-proof) once a cosigned checkpoint includes it. The salt of its digest is given only to a party entitled to the content: for a report's event, a party that may see that version; for any other event, a member party. For a report version's event, that party also gets the exact content the digest commits to.",
		Tags:        logTags, Security: bearerAuth(),
		Errors: []int{http.StatusUnauthorized, http.StatusNotFound},
	}, s.getEntryProof)
}

// authorizeLog authenticates a request for /log/: a bearer token, or HTTP
// Basic with a username and that user's token as the password, for tlog
// clients that only speak Basic.
func (s *Server) authorizeLog(r *http.Request) (center.PartyCode, error) {
	header := r.Header.Get("Authorization")
	if username, token, ok := r.BasicAuth(); ok {
		who, err := s.authorize(r.Context(), "Bearer "+token)
		if err != nil {
			return "", err
		}
		if who.User.Username != username {
			return "", fmt.Errorf("api: basic auth: the token is not %s's: %w", username, center.ErrUnauthenticated)
		}
		return who.Party(), nil
	}
	who, err := s.authorize(r.Context(), header)
	if err != nil {
		return "", err
	}
	return who.Party(), nil
}

// logProof is an event's proof of inclusion: tlog.Proof, documented.
type logProof struct {
	EventID    string             `json:"event_id" doc:"The event's id." example:"event--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
	Index      *int64             `json:"index" doc:"The entry's index in the log; null while pending."`
	Entry      string             `json:"entry" doc:"The log entry's exact bytes: tabadul/event/v1 and one \"key value\" line per field."`
	Status     string             `json:"status" enum:"pending,included,cosigned" doc:"pending: not yet sequenced; included: has an index, not yet in a published checkpoint; cosigned: in a checkpoint the witness quorum cosigned."`
	Checkpoint string             `json:"checkpoint,omitempty" doc:"The published checkpoint the proof is against, with its cosignatures."`
	CosignedBy []center.PartyCode `json:"cosigned_by" doc:"The parties whose witnesses cosigned that checkpoint."`
	Proof      string             `json:"proof,omitempty" doc:"The c2sp.org/tlog-proof@v1 text; verify it offline with tabadul verify --receipt."`
	Salt       string             `json:"salt,omitempty" doc:"Hex salt of the entry's digest SHA-256(salt || content); only for a party entitled to the content."`
	Content    string             `json:"content,omitempty" doc:"For a report version's event, to a party that may see the version: the exact bytes its digest commits to, the version's JSON as recorded (not the API's report form). Absent once retention erased the version's text."`
}

type logProofResponse struct {
	Body logProof
}

func viewProof(p tlog.Proof) *logProofResponse {
	return &logProofResponse{Body: logProof(p)}
}

// getReportProof proves the newest version of a report the caller may see.
func (s *Server) getReportProof(ctx context.Context, in *reportID) (*logProofResponse, error) {
	rep, err := s.visibleReport(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	e, err := s.versionEvent(ctx, rep)
	if err != nil {
		return nil, err
	}
	p, err := tlog.Prove(ctx, s.store, e, true)
	if err != nil {
		return nil, err
	}
	if p.Content, err = versionContent(rep); err != nil {
		return nil, err
	}
	return viewProof(p), nil
}

// versionContent is the content a version's entry commits to, as a proof
// shows it: empty once retention erased the version's text.
func versionContent(v center.Report) (string, error) {
	if v.Purged != nil {
		return "", nil
	}
	b, err := tlog.ReportContent(v)
	return string(b), err
}

type eventID struct {
	ID string `path:"event_id" doc:"The event's id: event-- and a lowercase UUID." example:"event--6f1c2f0e-8d5b-4e43-9a51-2b0f6c3d9e71"`
}

var eventIDRE = regexp.MustCompile(`^event--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// getEntryProof proves any event; every party may read every entry, but
// only an entitled one gets the salt.
func (s *Server) getEntryProof(ctx context.Context, in *eventID) (*logProofResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !eventIDRE.MatchString(in.ID) {
		return nil, fmt.Errorf("api: event id %q: %w", in.ID, center.ErrNotFound)
	}
	e, err := s.store.Event(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	entitled, version, err := s.entitled(ctx, who.Party(), e)
	if err != nil {
		return nil, err
	}
	p, err := tlog.Prove(ctx, s.store, e, entitled)
	if err != nil {
		return nil, err
	}
	if version != nil {
		if p.Content, err = versionContent(*version); err != nil {
			return nil, err
		}
	}
	return viewProof(p), nil
}

// entitled decides whether party may have the salt of e's digest: for a
// report's event, if it may see the version (or, for a revocation, the
// report); for any other event, if it is a member party. For a version's
// event it also returns the version, whose content the party may have.
func (s *Server) entitled(ctx context.Context, party center.PartyCode, e store.LogEvent) (bool, *center.Report, error) {
	switch e.Type {
	case center.ReportSubmitted, center.ReportRevised:
		vs, err := s.store.Versions(ctx, party, e.Subject)
		if err != nil {
			return false, nil, ignoreNotFound(err)
		}
		i := slices.IndexFunc(vs, func(v center.Report) bool { return v.Version.Equal(e.At) })
		if i < 0 {
			return false, nil, nil
		}
		return true, &vs[i], nil
	case center.ReportRevoked:
		_, err := s.store.Report(ctx, party, e.Subject)
		return err == nil, nil, ignoreNotFound(err)
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return false, nil, err
	}
	return slices.Contains(dir.Members(), party), nil, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, center.ErrNotFound) {
		return nil
	}
	return err
}
