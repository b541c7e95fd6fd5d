package taxii

import "net/http"

func (s *Server) objectGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	q, err := parseQuery(r.URL.Query(), paramAddedAfter, paramLimit, paramNext, paramVersion, paramSpecVersion)
	if err != nil {
		return err
	}
	object := r.PathValue("object")
	p, err := s.readPage(r, c, kindObject, object, q)
	if err != nil {
		return err
	}
	if len(p.Objects) == 0 {
		if ok, err := s.inCollection(r, c, object); err != nil {
			return err
		} else if !ok {
			return errNoObject(object)
		}
	}
	writeEnvelope(w, p)
	return nil
}

func errNoObject(id string) error {
	return refuse(http.StatusNotFound, "Object not found", "no object %q in this collection that you may read", id)
}
