package postgres

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The collectors' state of migration 00010: news feeds.

func (t *tx) PutFeed(ctx context.Context, f store.Feed) error {
	return t.exec(ctx, "put feed "+f.ID, `
		INSERT INTO feeds (id, url, interval_s, language, reliability, party, created, removed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, interval_s = excluded.interval_s, language = excluded.language,
			reliability = excluded.reliability, removed = excluded.removed`,
		f.ID, f.URL, int64(f.Interval/time.Second), f.Language, string(f.Reliability), string(f.Party), micros(f.Created), nullMicros(f.Removed))
}

const feedColumns = sqlrow.FeedColumns

func (t *tx) FeedByID(ctx context.Context, id string) (store.Feed, error) {
	f, err := sqlrow.Feed(t.QueryRow(ctx, `SELECT `+feedColumns+` FROM feeds f WHERE f.id = $1`, id))
	if err != nil {
		return f, notFound("feed", id, err)
	}
	return f, nil
}

func (t *tx) PutFeedState(ctx context.Context, s store.FeedState) error {
	return t.exec(ctx, "put feed state "+s.ID, `
		INSERT INTO feed_states (id, etag, last_modified, last_poll, last_success, last_error, items_taken, next_poll)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
			last_poll = excluded.last_poll, last_success = excluded.last_success, last_error = excluded.last_error,
			items_taken = excluded.items_taken, next_poll = excluded.next_poll`,
		s.ID, s.ETag, s.LastModified, sqlrow.ZeroMicros(s.LastPoll), sqlrow.ZeroMicros(s.LastSuccess), s.LastError, s.ItemsTaken, sqlrow.ZeroMicros(s.NextPoll))
}

func (t *tx) FeedItemsTaken(ctx context.Context, feed string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	taken, err := sqlrow.All(backend, "feed items", sqlrow.Query(t.Query(ctx,
		`SELECT key FROM feed_items
		WHERE feed = $1 AND key = ANY($2)`, feed, keys)), sqlrow.Text)
	if err != nil {
		return nil, err
	}
	for _, k := range taken {
		out[k] = true
	}
	return out, nil
}

func (t *tx) RecentFeedItems(ctx context.Context, since time.Time, limit int) ([]store.FeedItem, error) {
	return sqlrow.All(backend, "recent feed items", sqlrow.Query(
		t.Query(ctx, `SELECT feed, key, report, words, taken FROM feed_items WHERE taken >= $1 ORDER BY taken DESC LIMIT $2`,
			micros(since), limitOf(limit))), sqlrow.FeedItem)
}

func (t *tx) PutFeedItem(ctx context.Context, it store.FeedItem) error {
	return t.exec(ctx, "put feed item", `INSERT INTO feed_items (feed, key, report, words, taken) VALUES ($1, $2, $3, $4, $5)`,
		it.Feed, it.Key, it.Report, it.Words, micros(it.Taken))
}

func (s *Store) Feeds(ctx context.Context) ([]store.Feed, []store.FeedState, error) {
	return sqlrow.AllPairs(backend, "feeds", sqlrow.Query(s.pool.Query(ctx, `
		SELECT `+sqlrow.FeedStateColumns+`
		FROM feeds f LEFT JOIN feed_states s ON s.id = f.id
		WHERE f.removed IS NULL ORDER BY f.created, f.id`)), sqlrow.FeedState)
}
