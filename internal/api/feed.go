package api

import (
	"context"
	"slices"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

const feedsPath = "/api/v1/feeds"

// feedView is a feed and its health as the API shows it.
type feedView struct {
	ID              string           `json:"id"`
	URL             string           `json:"url"`
	IntervalSeconds int64            `json:"interval_seconds"`
	Language        string           `json:"language,omitempty"`
	Reliability     string           `json:"reliability,omitempty"`
	Party           center.PartyCode `json:"party" doc:"The party whose reports the feed's items become."`
	Created         time.Time        `json:"created"`
	LastPoll        *time.Time       `json:"last_poll,omitempty"`
	LastSuccess     *time.Time       `json:"last_success,omitempty"`
	LastError       string           `json:"last_error,omitempty"`
	ItemsTaken      int64            `json:"items_taken"`
	NextPoll        *time.Time       `json:"next_poll,omitempty"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewFeed(f store.Feed, st store.FeedState) feedView {
	return feedView{ID: f.ID, URL: f.URL, IntervalSeconds: int64(f.Interval / time.Second), Language: f.Language,
		Reliability: string(f.Reliability), Party: f.Party, Created: f.Created,
		LastPoll: timeOrNil(st.LastPoll), LastSuccess: timeOrNil(st.LastSuccess), LastError: st.LastError,
		ItemsTaken: st.ItemsTaken, NextPoll: timeOrNil(st.NextPoll)}
}

type feedList struct {
	Body struct {
		Feeds []feedView `json:"feeds"`
	}
}

// requireMember lets member parties through: feeds make reports shared
// with every member, so their health is the members' business.
func (s *Server) requireMember(ctx context.Context) (center.Principal, error) {
	who, err := principal(ctx)
	if err != nil {
		return who, err
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return who, err
	}
	if !slices.Contains(dir.Members(), who.Party()) {
		return who, center.ErrNotFound
	}
	return who, nil
}

// listFeeds shows every feed and its health.
func (s *Server) listFeeds(ctx context.Context, _ *struct{}) (*feedList, error) {
	if _, err := s.requireMember(ctx); err != nil {
		return nil, err
	}
	feeds, states, err := s.store.Feeds(ctx)
	if err != nil {
		return nil, err
	}
	out := &feedList{}
	out.Body.Feeds = make([]feedView, len(feeds))
	for i := range feeds {
		out.Body.Feeds[i] = viewFeed(feeds[i], states[i])
	}
	return out, nil
}

type addFeedInput struct {
	Body struct {
		URL             string `json:"url" doc:"An http or https URL of an RSS, Atom or JSON feed."`
		IntervalSeconds int64  `json:"interval_seconds,omitempty" doc:"How often to poll; at least 60, default 900."`
		Language        string `json:"language,omitempty" doc:"The items' language, when the feed does not say."`
		Reliability     string `json:"reliability,omitempty" doc:"The Admiralty reliability of the source, A-F."`
	}
}

type feedCreated struct {
	Location string `header:"Location"`
	Body     feedView
}

// addFeed configures a feed: a chair power.
func (s *Server) addFeed(ctx context.Context, in *addFeedInput) (*feedCreated, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	interval := time.Duration(in.Body.IntervalSeconds) * time.Second
	if in.Body.IntervalSeconds == 0 {
		interval = 15 * time.Minute
	}
	f, err := s.recorder.AddFeed(ctx, who, store.Feed{URL: in.Body.URL, Interval: interval, Language: in.Body.Language,
		Reliability: center.Reliability(in.Body.Reliability)})
	if err != nil {
		return nil, err
	}
	return &feedCreated{Location: feedsPath + "/" + f.ID, Body: viewFeed(f, store.FeedState{ID: f.ID, NextPoll: f.Created})}, nil
}

type feedIDInput struct {
	ID string `path:"id"`
}

// removeFeed stops a feed: a chair power.
func (s *Server) removeFeed(ctx context.Context, in *feedIDInput) (*struct{}, error) {
	who, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.requireMember(ctx); err != nil {
		return nil, err
	}
	return nil, s.recorder.RemoveFeed(ctx, who, in.ID)
}
