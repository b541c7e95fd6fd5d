package api

import (
	"context"

	"github.com/tabadul/tabadul/internal/center"
)

const bulletinsPath = "/api/v1/bulletins"

type bulletinRequest struct {
	Body struct {
		Title    string `json:"title" maxLength:"2000" doc:"The bulletin's title."`
		Body     string `json:"body" doc:"The bulletin's text."`
		Language string `json:"language,omitempty" doc:"ISO 639 code of the text's language." example:"ar"`
	}
}

type bulletinResponse struct {
	Body center.Bulletin
}

type bulletinList struct {
	Body struct {
		Items []center.Bulletin `json:"items"`
	}
}

type bulletinQuery struct {
	Limit int `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"How many bulletins, newest first."`
}

// publishBulletin records a notice of the chair; only the chair's officers
// may publish.
func (s *Server) publishBulletin(ctx context.Context, in *bulletinRequest) (*bulletinResponse, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.recorder.PublishBulletin(ctx, who, in.Body.Title, in.Body.Body, in.Body.Language)
	if err != nil {
		return nil, err
	}
	return &bulletinResponse{Body: b}, nil
}

// listBulletins returns the chair's notices; every party sees all of them.
func (s *Server) listBulletins(ctx context.Context, in *bulletinQuery) (*bulletinList, error) {
	bs, err := s.store.Bulletins(ctx, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &bulletinList{}
	out.Body.Items = bs
	if out.Body.Items == nil {
		out.Body.Items = []center.Bulletin{}
	}
	return out, nil
}
