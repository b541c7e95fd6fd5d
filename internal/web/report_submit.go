package web

import (
	"net/http"

	"github.com/tabadul/tabadul/internal/center"
)

// submitReport records a new report through the write path. An invalid
// draft comes back to the form with a message per field in the user's
// language, and nothing is recorded.
func (s *Server) submitReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	d, dist, tags := draftFromForm(r.PostForm)
	rep, err := s.recorder.SubmitReport(r.Context(), *v.who, d)
	if err != nil {
		return s.formError(w, r, v, "", err, d, dist, tags)
	}
	http.Redirect(w, r, "/reports/"+rep.ID, http.StatusSeeOther)
	return nil
}

// formError shows the form again with err's field messages, or returns err
// if it is not about the draft.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, v *visit, id string, err error, d center.Draft, dist, tags string) error {
	msgs, summary, ok := invalidFields(err, v.L)
	if !ok {
		return err
	}
	f, ferr := s.newForm(r, v.L, id, d, dist, tags)
	if ferr != nil {
		return ferr
	}
	f.Errors, f.ErrorSummary = msgs, summary
	title := v.L.T("compose.title")
	if id != "" {
		title = v.L.T("edit.title")
	}
	return s.render(w, r, v, http.StatusBadRequest, "report_form", title, f)
}
