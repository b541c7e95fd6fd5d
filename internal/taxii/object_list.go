package taxii

import "net/http"

func (s *Server) objectList(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	q, err := parseQuery(r.URL.Query(), paramAddedAfter, paramLimit, paramNext, paramID, paramType, paramVersion, paramSpecVersion)
	if err != nil {
		return err
	}
	p, err := s.readPage(r, c, kindObjects, "", q)
	if err != nil {
		return err
	}
	writeEnvelope(w, p)
	return nil
}
