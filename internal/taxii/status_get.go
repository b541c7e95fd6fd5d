package taxii

import (
	"net/http"
	"time"

	"github.com/tabadul/tabadul/internal/record/store"
)

// statusResource is TAXII 2.1's status resource (section 4.3).
type statusResource struct {
	ID               string                    `json:"id"`
	Status           string                    `json:"status"`
	RequestTimestamp string                    `json:"request_timestamp"`
	TotalCount       int                       `json:"total_count"`
	SuccessCount     int                       `json:"success_count"`
	Successes        []store.TAXIIStatusDetail `json:"successes,omitempty"`
	FailureCount     int                       `json:"failure_count"`
	Failures         []store.TAXIIStatusDetail `json:"failures,omitempty"`
	PendingCount     int                       `json:"pending_count"`
	Pendings         []store.TAXIIStatusDetail `json:"pendings,omitempty"`
}

func statusOf(st store.TAXIIStatus) statusResource {
	s := "complete"
	if !st.Complete() {
		s = "pending"
	}
	return statusResource{ID: st.ID, Status: s, RequestTimestamp: timestamp(st.Requested), TotalCount: st.Total,
		SuccessCount: len(st.Successes), Successes: st.Successes,
		FailureCount: len(st.Failures), Failures: st.Failures,
		PendingCount: len(st.Pendings), Pendings: st.Pendings}
}

// A pending addition writes its status at least every statusRefresh:
// after each batch it records, and while it waits its turn. A status
// pending and unchanged for staleAfter belongs to a node that stopped.
const (
	statusRefresh = 5 * time.Minute
	staleAfter    = 15 * time.Minute
)

func (s *Server) statusGet(w http.ResponseWriter, r *http.Request) error {
	if err := checkRoot(r); err != nil {
		return err
	}
	st, err := s.store.TAXIIStatus(r.Context(), caller(r).Party(), r.PathValue("status"))
	if err != nil {
		return err
	}
	if !st.Complete() && s.clock.Now().Sub(st.Updated) > staleAfter {
		// The node recording it stopped: what it had not recorded will
		// not be, and the client must know to send it again.
		for _, d := range st.Pendings {
			d.Message = "not recorded: the server recording it stopped; add it again"
			st.Failures = append(st.Failures, d)
		}
		st.Pendings = nil
		if err := s.recorder.PutTAXIIStatus(r.Context(), st); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, statusOf(st))
	return nil
}
