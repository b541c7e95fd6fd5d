package taxii

import "net/http"

// discoveryResource is TAXII 2.1's discovery resource (section 4.1).
type discoveryResource struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots"`
}

func (s *Server) discoveryGet(w http.ResponseWriter, r *http.Request) error {
	root := baseURL(r) + Prefix + APIRoot + "/"
	writeJSON(w, http.StatusOK, discoveryResource{
		Title:       "Tabadul",
		Description: "The TAXII 2.1 server of a Tabadul information-sharing center.",
		Default:     root,
		APIRoots:    []string{root},
	})
	return nil
}

// baseURL is the scheme and host the client reached the server at.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
