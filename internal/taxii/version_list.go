package taxii

import (
	"net/http"

	"github.com/tabadul/tabadul/internal/record/store"
)

func (s *Server) versionList(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	q, err := parseQuery(r.URL.Query(), paramAddedAfter, paramLimit, paramNext, paramSpecVersion)
	if err != nil {
		return err
	}
	q.versions = store.VersionMatch{All: true}
	object := r.PathValue("object")
	p, err := s.readPage(r, c, kindVersions, object, q)
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
	// TAXII 2.1's versions resource (section 5.8), with next as on the
	// other pages.
	out := struct {
		More     bool     `json:"more,omitempty"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{More: p.More, Next: p.next}
	for _, o := range p.Objects {
		out.Versions = append(out.Versions, version(o))
	}
	marshalPage(w, p, out)
	return nil
}
