package taxii

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/record/store"
)

// objectAdd records an envelope's objects as the caller's party's, in its
// own collection, and answers 202 with the status resource: complete for
// an envelope of up to SyncObjects objects, else pending while the
// objects are recorded in the background.
func (s *Server) objectAdd(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	if !c.canWrite {
		return refuse(http.StatusForbidden, "Forbidden", "collection %s is read-only for your party; add objects to %s%s", c.id, fromPrefix, caller(r).Party())
	}
	if !taxiiContent(r.Header.Get("Content-Type")) {
		return refuse(http.StatusUnsupportedMediaType, "Unsupported media type", "send the envelope as %s", taxiiMediaType)
	}
	if r.ContentLength > s.cfg.MaxContentLength {
		return refuse(http.StatusRequestEntityTooLarge, "Request too large", "the body of %d bytes is over the API root's max_content_length of %d", r.ContentLength, s.cfg.MaxContentLength)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxContentLength))
	if err != nil {
		return err
	}
	objs, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	who := caller(r)
	st := store.TAXIIStatus{ID: uuid.NewString(), Party: who.Party(), Username: who.User.Username,
		Requested: s.clock.Now(), Total: len(objs)}
	a := newAddition(s, who, st, objs)
	var answer store.TAXIIStatus
	if len(objs) <= s.cfg.SyncObjects {
		if err := a.run(r.Context()); err != nil {
			return err
		}
		answer = a.status()
	} else {
		answer = a.status()
		if err := s.recorder.PutTAXIIStatus(r.Context(), answer); err != nil {
			return fmt.Errorf("taxii: store status: %w", err)
		}
		s.adding.Add(1)
		go func() {
			defer s.adding.Done()
			// While it waits its turn, the addition keeps its status
			// fresh, so that no poll takes it for one whose node died.
			tick := time.NewTicker(statusRefresh)
			defer tick.Stop()
		wait:
			for {
				select {
				case s.slots <- struct{}{}:
					defer func() { <-s.slots }()
					break wait
				case <-s.bg.Done():
					break wait
				case <-tick.C:
					if err := a.put(s.bg); err != nil {
						s.log.Warn("taxii: refreshing a waiting status", "status", st.ID, "err", err)
					}
				}
			}
			if err := a.run(s.bg); err != nil {
				s.log.Error("taxii: background addition", "status", st.ID, "err", err)
			}
		}()
	}
	w.Header().Set("Location", baseURL(r)+Prefix+APIRoot+"/status/"+st.ID+"/")
	writeJSON(w, http.StatusAccepted, statusOf(answer))
	return nil
}
