package api

import (
	"fmt"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/entity"
	"github.com/tabadul/tabadul/internal/record/store"
)

// This file holds the wire forms of the entity registry and of the
// correlation's answers, shared by their handlers.

const entitiesPath = "/api/v1/entities"

// entityID is the path parameter naming an entity. A malformed id is
// refused as not found before any query.
type entityID struct {
	ID string `path:"id" doc:"The entity's id: its type, two hyphens and a name or UUID." example:"location--IQ"`
}

func checkEntityID(id string) error {
	if !entity.ValidID(id) {
		return fmt.Errorf("api: entity id %q: %w", id, center.ErrNotFound)
	}
	return nil
}

type aliasView struct {
	Lang       string `json:"lang" doc:"ar, fa, ru or en."`
	Name       string `json:"name"`
	Status     string `json:"status" doc:"accepted, or proposed while the chair has not decided."`
	ProposedBy string `json:"proposed_by,omitempty"`
}

type entityView struct {
	ID         string      `json:"id" example:"group--isis"`
	Type       string      `json:"type" enum:"location,organization,group,person,event"`
	STIXType   string      `json:"stix_type" doc:"The STIX 2.1 object type the entity is exchanged as."`
	Name       string      `json:"name"`
	Status     string      `json:"status" enum:"proposed,accepted,rejected,merged"`
	MergedInto string      `json:"merged_into,omitempty" doc:"For a merged entity, the one it became."`
	ProposedBy string      `json:"proposed_by,omitempty"`
	Source     string      `json:"source,omitempty" doc:"Where a seeded entity's names come from."`
	Created    time.Time   `json:"created"`
	Updated    time.Time   `json:"updated"`
	Aliases    []aliasView `json:"aliases"`
}

func viewEntity(e store.Entity) entityView {
	out := entityView{ID: e.ID, Type: string(e.Type), STIXType: entity.STIXType(e.Type), Name: e.Name, Status: string(e.Status),
		MergedInto: e.MergedInto, ProposedBy: string(e.ProposedBy), Source: e.Source, Created: e.Created, Updated: e.Updated,
		Aliases: make([]aliasView, 0, len(e.Aliases))}
	for _, a := range e.Aliases {
		out.Aliases = append(out.Aliases, aliasView{Lang: a.Lang, Name: a.Name, Status: string(a.Status), ProposedBy: string(a.ProposedBy)})
	}
	return out
}

// reportRef is a report as lists of related reports name it.
type reportRef struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Source   string     `json:"source"`
	TLP      string     `json:"tlp"`
	Language string     `json:"language,omitempty"`
	Version  time.Time  `json:"version"`
	Revoked  *time.Time `json:"revoked,omitempty"`
}

func refOf(r center.Report) reportRef {
	return reportRef{ID: r.ID, Title: r.Title, Source: string(r.Source), TLP: string(r.TLP), Language: r.Language, Version: r.Version, Revoked: r.Revoked}
}

type aliasInput struct {
	Lang string `json:"lang" doc:"ar, fa, ru or en." example:"ar"`
	Name string `json:"name" maxLength:"200" example:"داعش"`
}

func aliasesOf(in []aliasInput) []store.Alias {
	out := make([]store.Alias, len(in))
	for i, a := range in {
		out[i] = store.Alias{Lang: a.Lang, Name: a.Name}
	}
	return out
}
