package taxii

import (
	"net/http"

	"github.com/tabadul/tabadul/internal/record/store"
)

// objectDelete withdraws the caller's party's versions of an object from
// its own collection: match[version] (default all) and
// match[spec_version] choose which. A deleted version is recorded as a
// revocation, on the log, and no longer served; it is not erased.
func (s *Server) objectDelete(w http.ResponseWriter, r *http.Request) error {
	c, err := s.collectionOf(r)
	if err != nil {
		return err
	}
	if !c.canWrite {
		return refuse(http.StatusForbidden, "Forbidden", "collection %s is read-only for your party: only a party deletes its own objects, from its own collection", c.id)
	}
	q, err := parseQuery(r.URL.Query(), paramVersion, paramSpecVersion)
	if err != nil {
		return err
	}
	if q.versions.IsZero() {
		q.versions.All = true
	}
	who := caller(r)
	object := r.PathValue("object")
	var victims []store.STIXObject
	sq := store.TAXIIQuery{IDs: []string{object}, Source: who.Party(), SpecVersions: q.specs, Versions: q.versions, Limit: store.MaxSTIXPageSize}
	for {
		p, err := s.store.TAXIIObjects(r.Context(), who.Party(), sq)
		if err != nil {
			return err
		}
		victims = append(victims, p.Objects...)
		if !p.More {
			break
		}
		sq.AddedAfter = p.Objects[len(p.Objects)-1].Added
	}
	if len(victims) == 0 {
		return errNoObject(object)
	}
	for _, v := range victims {
		if err := s.recorder.RevokeSTIX(r.Context(), who, v.ID, v.Modified); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", taxiiMediaType)
	w.WriteHeader(http.StatusOK)
	return nil
}
