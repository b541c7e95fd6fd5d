package taxii

import "net/http"

// manifestRecord is one entry of TAXII 2.1's manifest resource (section
// 5.3).
type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

func (s *Server) manifestGet(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	q, err := parseQuery(r.URL.Query(), paramAddedAfter, paramLimit, paramNext, paramID, paramType, paramVersion, paramSpecVersion)
	if err != nil {
		return err
	}
	p, err := s.readPage(r, c, kindManifest, "", q)
	if err != nil {
		return err
	}
	out := struct {
		More    bool             `json:"more,omitempty"`
		Next    string           `json:"next,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}{More: p.More, Next: p.next}
	for _, o := range p.Objects {
		out.Objects = append(out.Objects, manifestRecord{ID: o.ID, DateAdded: timestamp(o.Added), Version: version(o), MediaType: stixMediaType})
	}
	marshalPage(w, p, out)
	return nil
}
