package taxii

import (
	"context"
	"net/http"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

// sharedWithMe is the id of the collection of everything a caller's party
// may see; fromPrefix + a party code that of one party's objects.
const (
	sharedWithMe = "shared-with-me"
	fromPrefix   = "from-"
)

// A collection is one of a caller's collections.
type collection struct {
	id string
	// source is the party whose objects it holds; "" for shared-with-me.
	source center.PartyCode
	title  string
	desc   string
	// canWrite: the caller's own party's collection.
	canWrite bool
}

// collectionResource is TAXII 2.1's collection resource (section 5.2).
type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

func (c collection) resource() collectionResource {
	return collectionResource{ID: c.id, Title: c.title, Description: c.desc, CanRead: true, CanWrite: c.canWrite,
		MediaTypes: []string{stixMediaType}}
}

// collectionsOf returns the caller's collections: shared-with-me, then one
// per party of the roster, in roster order.
func (s *Server) collectionsOf(ctx context.Context, who center.Principal) ([]collection, error) {
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return nil, err
	}
	out := []collection{{id: sharedWithMe, title: "Shared with " + string(who.Party()),
		desc: "Every STIX object the center shares with your party, read-only."}}
	for _, p := range dir.Parties {
		c := collection{id: fromPrefix + string(p.Code), source: p.Code, title: "From " + partyName(p)}
		if p.Code == who.Party() {
			c.canWrite = true
			c.desc = "Your party's STIX objects. Objects added here are recorded as your party's and shared by its TAXII distribution."
		} else {
			c.desc = "What " + string(p.Code) + " shares with your party."
		}
		out = append(out, c)
	}
	return out, nil
}

func partyName(p center.Party) string {
	if n := p.Names.In("en"); n != "" {
		return n
	}
	return string(p.Code)
}

// collectionOf returns the caller's collection named by the request's
// {root} and {collection}: 404 for any other, as for a collection the
// caller may not read.
func (s *Server) collectionOf(r *http.Request) (collection, error) {
	if err := checkRoot(r); err != nil {
		return collection{}, err
	}
	id := r.PathValue("collection")
	if id != sharedWithMe && !strings.HasPrefix(id, fromPrefix) {
		return collection{}, errNoCollection(id)
	}
	cols, err := s.collectionsOf(r.Context(), caller(r))
	if err != nil {
		return collection{}, err
	}
	for _, c := range cols {
		if c.id == id {
			return c, nil
		}
	}
	return collection{}, errNoCollection(id)
}

func errNoCollection(id string) error {
	return refuse(http.StatusNotFound, "Collection not found", "no collection %q that you may read", id)
}

// checkRoot refuses an API root other than the server's one.
func checkRoot(r *http.Request) error {
	if r.PathValue("root") != APIRoot {
		return refuse(http.StatusNotFound, "API root not found", "no API root %q; see the discovery resource", r.PathValue("root"))
	}
	return nil
}
