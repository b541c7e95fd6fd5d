package web

import "net/http"

// approveAmendment records the approval of the officer's party.
func (s *Server) approveAmendment(w http.ResponseWriter, r *http.Request, v *visit) error {
	return s.vote(w, r, v, true)
}

// rejectAmendment records the rejection of the officer's party, which
// ends the proposal.
func (s *Server) rejectAmendment(w http.ResponseWriter, r *http.Request, v *visit) error {
	return s.vote(w, r, v, false)
}

func (s *Server) vote(w http.ResponseWriter, r *http.Request, v *visit, approve bool) error {
	if _, err := s.recorder.VoteOnAmendment(r.Context(), *v.who, r.PathValue("id"), approve); err != nil {
		return err
	}
	http.Redirect(w, r, "/governance#"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}
