package taxii

import "net/http"

func (s *Server) collectionList(w http.ResponseWriter, r *http.Request) error {
	if err := checkRoot(r); err != nil {
		return err
	}
	cols, err := s.collectionsOf(r.Context(), caller(r))
	if err != nil {
		return err
	}
	out := struct {
		Collections []collectionResource `json:"collections"`
	}{Collections: make([]collectionResource, len(cols))}
	for i, c := range cols {
		out.Collections[i] = c.resource()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
