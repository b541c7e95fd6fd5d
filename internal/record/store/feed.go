package store

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// A Feed is a news feed (RSS, Atom or JSON Feed) the chair configured. Its
// new items become TLP:CLEAR reports of Party, shared with every member.
type Feed struct {
	ID          string             `json:"id"` // "feed--<uuid>"
	URL         string             `json:"url"`
	Interval    time.Duration      `json:"interval"`
	Language    string             `json:"language,omitempty"` // the items' language hint
	Reliability center.Reliability `json:"reliability,omitempty"`
	// Party is the party whose officer configured the feed, the source of
	// its reports.
	Party   center.PartyCode `json:"party"`
	Created time.Time        `json:"created"`
	Removed *time.Time       `json:"removed,omitempty"`
}

// FeedState is a feed's health and what the next poll sends.
type FeedState struct {
	ID string
	// ETag and LastModified make the next GET conditional.
	ETag, LastModified string
	// LastPoll is the last attempt; LastSuccess the last that fetched and
	// parsed (a 304 included); zero when never.
	LastPoll, LastSuccess time.Time
	// LastError is the last attempt's failure, "" after a success.
	LastError string
	// ItemsTaken counts the items recorded as reports, ever.
	ItemsTaken int64
	// NextPoll is when the feed is due: the interval after the last
	// attempt, or later if the server asked (Retry-After).
	NextPoll time.Time
}

// A FeedItem is an item of a feed already taken: Key identifies it (a
// digest of its GUID or link) and Words is its title's normalized words,
// for near-duplicate clustering.
type FeedItem struct {
	Feed   string
	Key    string
	Report string
	Words  string
	Taken  time.Time
}

// FeedTx records feeds. Only package record calls it.
type FeedTx interface {
	// PutFeed stores a feed's configuration, replacing one with its ID.
	PutFeed(ctx context.Context, f Feed) error
	// FeedByID returns a feed (removed ones included), or
	// center.ErrNotFound.
	FeedByID(ctx context.Context, id string) (Feed, error)
	// PutFeedState stores a feed's state, replacing the earlier one.
	PutFeedState(ctx context.Context, s FeedState) error
	// FeedItemsTaken returns which of the keys the feed has taken.
	FeedItemsTaken(ctx context.Context, feed string, keys []string) (map[string]bool, error)
	// RecentFeedItems returns the items of every feed taken at or after
	// since, newest first, at most limit.
	RecentFeedItems(ctx context.Context, since time.Time, limit int) ([]FeedItem, error)
	// PutFeedItem records an item taken.
	PutFeedItem(ctx context.Context, it FeedItem) error
}

// FeedReader reads feeds. Feeds and their health show URLs and counts,
// never report content; the API shows them to member parties (the
// audience of the reports feeds make).
type FeedReader interface {
	// Feeds returns every feed not removed, oldest first, with its state
	// (a zero state with its ID when never polled).
	Feeds(ctx context.Context) ([]Feed, []FeedState, error)
}
