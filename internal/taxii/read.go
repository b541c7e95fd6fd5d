package taxii

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tabadul/tabadul/internal/record/store"
)

// The endpoints a next token may belong to.
const (
	kindObjects  = "objects"
	kindManifest = "manifest"
	kindObject   = "object"
	kindVersions = "versions"
)

// A page is one page of a collection as an endpoint serves it.
type page struct {
	store.STIXPage
	// next continues after the page when More.
	next string
}

// readPage reads one page of collection c for an endpoint (kind; object
// for the endpoints of one object), continuing q.next if given.
func (s *Server) readPage(r *http.Request, c collection, kind, object string, q query) (page, error) {
	party := caller(r).Party()
	bound := kind + "\x00" + c.id + "\x00" + object + "\x00" + q.binding()
	sq := store.TAXIIQuery{AddedAfter: q.addedAfter, IDs: q.ids, Types: q.types, Source: c.source,
		SpecVersions: q.specs, Versions: q.versions, Limit: s.pageSize(q)}
	if object != "" {
		sq.IDs = []string{object}
	}
	if q.next != "" {
		after, err := s.pages.open(q.next, party, bound)
		if err != nil {
			return page{}, err
		}
		sq.AddedAfter = after
	}
	p, err := s.store.TAXIIObjects(r.Context(), party, sq)
	if err != nil {
		return page{}, err
	}
	out := page{STIXPage: p}
	if p.More && len(p.Objects) > 0 {
		out.next = s.pages.token(p.Objects[len(p.Objects)-1].Added, party, bound)
	}
	return out, nil
}

// inCollection reports whether any version of object is in c for the
// caller: what tells an object filtered out of a page from one that is
// not there (404).
func (s *Server) inCollection(r *http.Request, c collection, object string) (bool, error) {
	p, err := s.store.TAXIIObjects(r.Context(), caller(r).Party(), store.TAXIIQuery{IDs: []string{object}, Source: c.source,
		Versions: store.VersionMatch{All: true}, Limit: 1})
	return len(p.Objects) > 0, err
}

// setPageHeaders sets the date_added headers of a non-empty page.
func setPageHeaders(w http.ResponseWriter, p page) {
	if n := len(p.Objects); n > 0 {
		setAddedHeaders(w, p.Objects[0].Added, p.Objects[n-1].Added)
	}
}

// writeEnvelope writes a page as TAXII 2.1's envelope (section 3.7): the
// objects exactly as recorded. An empty page is the empty envelope.
func writeEnvelope(w http.ResponseWriter, p page) {
	setPageHeaders(w, p)
	if len(p.Objects) == 0 {
		writeBody(w, http.StatusOK, []byte(`{}`))
		return
	}
	size := 64
	for _, o := range p.Objects {
		size += len(o.JSON) + 1
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	b.WriteString(`{"more":`)
	b.WriteString(strconv.FormatBool(p.More))
	if p.next != "" {
		b.WriteString(`,"next":"` + p.next + `"`)
	}
	b.WriteString(`,"objects":[`)
	for i, o := range p.Objects {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(o.JSON)
	}
	b.WriteString(`]}`)
	writeBody(w, http.StatusOK, b.Bytes())
}

// version is a version's TAXII version string: its modified (else
// created) time, else — an observable with neither — its date_added.
func version(o store.STIXObject) string {
	if o.Modified.IsZero() {
		return timestamp(o.Added)
	}
	return timestamp(o.Modified)
}

func marshalPage(w http.ResponseWriter, p page, v any) {
	setPageHeaders(w, p)
	b, err := json.Marshal(v)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, errorResource{Title: "Internal error", HTTPStatus: "500"})
		return
	}
	writeBody(w, http.StatusOK, b)
}
