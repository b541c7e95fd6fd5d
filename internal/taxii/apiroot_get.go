package taxii

import "net/http"

// apiRootResource is TAXII 2.1's API root resource (section 4.2).
type apiRootResource struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

func (s *Server) apiRootGet(w http.ResponseWriter, r *http.Request) error {
	if err := checkRoot(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiRootResource{
		Title:            "Tabadul center",
		Description:      "The collections of your party: shared-with-me, and one per party (from-XX).",
		Versions:         []string{taxiiMediaType},
		MaxContentLength: s.cfg.MaxContentLength,
	})
	return nil
}
