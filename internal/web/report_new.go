package web

import (
	"net/http"

	"github.com/tabadul/tabadul/internal/center"
)

// newReport shows an empty compose form: TLP:AMBER to the committee-free
// default of all members, the user's language.
func (s *Server) newReport(w http.ResponseWriter, r *http.Request, v *visit) error {
	d := center.Draft{TLP: center.TLPAmber, Language: v.L.Lang}
	f, err := s.newForm(r, v.L, "", d, "parties", "")
	if err != nil {
		return err
	}
	return s.render(w, r, v, http.StatusOK, "report_form", v.L.T("compose.title"), f)
}
