package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/store"
)

// The collectors' state of migration 00010: news feeds.

func zeroMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func (t *tx) PutFeed(ctx context.Context, f store.Feed) error {
	return t.exec(ctx, "put feed "+f.ID, `
		INSERT INTO feeds (id, url, interval_s, language, reliability, party, created, removed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, interval_s = excluded.interval_s, language = excluded.language,
			reliability = excluded.reliability, removed = excluded.removed`,
		f.ID, f.URL, int64(f.Interval/time.Second), f.Language, string(f.Reliability), string(f.Party), micros(f.Created), nullMicros(f.Removed))
}

const feedColumns = `id, url, interval_s, language, reliability, party, created, removed`

func scanFeed(sc pgx.Row) (store.Feed, error) {
	var f store.Feed
	var interval, created int64
	var removed *int64
	if err := sc.Scan(&f.ID, &f.URL, &interval, &f.Language, &f.Reliability, &f.Party, &created, &removed); err != nil {
		return f, err
	}
	f.Interval = time.Duration(interval) * time.Second
	f.Created = fromMicros(created)
	f.Removed = timePtr(removed)
	return f, nil
}

func (t *tx) FeedByID(ctx context.Context, id string) (store.Feed, error) {
	f, err := scanFeed(t.QueryRow(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
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
		s.ID, s.ETag, s.LastModified, zeroMicros(s.LastPoll), zeroMicros(s.LastSuccess), s.LastError, s.ItemsTaken, zeroMicros(s.NextPoll))
}

func (t *tx) FeedItemsTaken(ctx context.Context, feed string, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := t.Query(ctx, `SELECT key FROM feed_items WHERE feed = $1 AND key = ANY($2)`, feed, keys)
	if err != nil {
		return nil, fmt.Errorf("postgres: feed items: %w", err)
	}
	taken, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: feed items: %w", err)
	}
	for _, k := range taken {
		out[k] = true
	}
	return out, nil
}

func (t *tx) RecentFeedItems(ctx context.Context, since time.Time, limit int) ([]store.FeedItem, error) {
	rows, err := t.Query(ctx, `SELECT feed, key, report, words, taken FROM feed_items WHERE taken >= $1 ORDER BY taken DESC LIMIT $2`,
		micros(since), limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("postgres: recent feed items: %w", err)
	}
	defer rows.Close()
	var out []store.FeedItem
	for rows.Next() {
		var it store.FeedItem
		var taken int64
		if err := rows.Scan(&it.Feed, &it.Key, &it.Report, &it.Words, &taken); err != nil {
			return nil, fmt.Errorf("postgres: recent feed items: %w", err)
		}
		it.Taken = fromMicros(taken)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: recent feed items: %w", err)
	}
	return out, nil
}

func (t *tx) PutFeedItem(ctx context.Context, it store.FeedItem) error {
	return t.exec(ctx, "put feed item", `INSERT INTO feed_items (feed, key, report, words, taken) VALUES ($1, $2, $3, $4, $5)`,
		it.Feed, it.Key, it.Report, it.Words, micros(it.Taken))
}

func (s *Store) Feeds(ctx context.Context) ([]store.Feed, []store.FeedState, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT f.id, f.url, f.interval_s, f.language, f.reliability, f.party, f.created, f.removed,
			coalesce(s.etag, ''), coalesce(s.last_modified, ''), coalesce(s.last_poll, 0), coalesce(s.last_success, 0),
			coalesce(s.last_error, ''), coalesce(s.items_taken, 0), coalesce(s.next_poll, 0)
		FROM feeds f LEFT JOIN feed_states s ON s.id = f.id
		WHERE f.removed IS NULL ORDER BY f.created, f.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: feeds: %w", err)
	}
	defer rows.Close()
	var feeds []store.Feed
	var states []store.FeedState
	for rows.Next() {
		var f store.Feed
		var st store.FeedState
		var interval, created, lastPoll, lastSuccess, nextPoll int64
		var removed *int64
		if err := rows.Scan(&f.ID, &f.URL, &interval, &f.Language, &f.Reliability, &f.Party, &created, &removed,
			&st.ETag, &st.LastModified, &lastPoll, &lastSuccess, &st.LastError, &st.ItemsTaken, &nextPoll); err != nil {
			return nil, nil, fmt.Errorf("postgres: feeds: %w", err)
		}
		f.Interval, f.Created, f.Removed = time.Duration(interval)*time.Second, fromMicros(created), timePtr(removed)
		st.ID = f.ID
		st.LastPoll, st.LastSuccess, st.NextPoll = modifiedTime(lastPoll), modifiedTime(lastSuccess), modifiedTime(nextPoll)
		feeds = append(feeds, f)
		states = append(states, st)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: feeds: %w", err)
	}
	return feeds, states, nil
}
