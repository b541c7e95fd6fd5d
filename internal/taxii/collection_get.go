package taxii

import "net/http"

func (s *Server) collectionGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.resource())
	return nil
}
