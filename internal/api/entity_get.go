package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/record/store"
)

type entityItemCount struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type entityPageResponse struct {
	Body struct {
		Entity      entityView        `json:"entity"`
		Reports     int               `json:"reports" doc:"How many reports the caller's party may see mention it, up to 10,000."`
		More        bool              `json:"more,omitempty" doc:"More than 10,000 reports mention it; reports and timeline count the newest 10,000."`
		Timeline    []store.DayCount  `json:"timeline" doc:"Those reports per day (UTC) of their newest version the caller may see."`
		CoOccurring []entityItemCount `json:"co_occurring" doc:"Entities mentioned in the same reports, most frequent first, over the newest 'window' of them."`
		Window      int               `json:"window"`
		Recent      []reportRef       `json:"recent" doc:"The newest reports mentioning it."`
	}
}

// getEntity returns an entity's page: its names, and what the reports the
// caller's party may see say of it.
func (s *Server) getEntity(ctx context.Context, in *entityID) (*entityPageResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkEntityID(in.ID); err != nil {
		return nil, err
	}
	chair, err := s.recorder.ChairParty(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.correlator.Entity(ctx, who.Party(), chair, in.ID)
	if err != nil {
		return nil, err
	}
	out := &entityPageResponse{}
	b := &out.Body
	b.Entity = viewEntity(page.Entity)
	b.Reports, b.More, b.Timeline, b.Window = page.Activity.Reports, page.Activity.Capped, page.Activity.Timeline, page.Activity.Window
	b.CoOccurring = make([]entityItemCount, 0, len(page.Activity.CoOccurring))
	for _, c := range page.Activity.CoOccurring {
		b.CoOccurring = append(b.CoOccurring, entityItemCount{ID: c.Item.Value, Name: page.Names[c.Item.Value], Count: c.Count})
	}
	b.Recent = make([]reportRef, 0, len(page.Recent))
	for _, r := range page.Recent {
		b.Recent = append(b.Recent, refOf(r))
	}
	return out, nil
}
