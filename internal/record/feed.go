package record

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Events of the news feeds.
const (
	FeedAdded   center.EventType = "feed.added"
	FeedRemoved center.EventType = "feed.removed"
)

// MinFeedInterval bounds how often a feed may be polled.
const MinFeedInterval = time.Minute

// AddFeed configures a news feed whose new items become TLP:CLEAR reports
// of the chair's party, shared with every member. A chair power.
func (r *Recorder) AddFeed(ctx context.Context, who center.Principal, f store.Feed) (store.Feed, error) {
	f.URL = strings.TrimSpace(f.URL)
	f.Language = strings.ToLower(strings.TrimSpace(f.Language))
	e := &center.InvalidError{}
	if u, err := url.Parse(f.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.URL) > 2000 {
		e.Fields = append(e.Fields, center.FieldError{Field: "url", Message: "must be an http or https URL of at most 2000 bytes"})
	}
	if f.Interval < MinFeedInterval || f.Interval > 7*24*time.Hour {
		e.Fields = append(e.Fields, center.FieldError{Field: "interval", Message: "must be between one minute and a week"})
	}
	if f.Language != "" && (len(f.Language) < 2 || len(f.Language) > 3 || strings.Trim(f.Language, "abcdefghijklmnopqrstuvwxyz") != "") {
		e.Fields = append(e.Fields, center.FieldError{Field: "language", Message: "must be an ISO 639 code such as ar, fa, ru or en"})
	}
	if f.Reliability != "" && !f.Reliability.Valid() {
		e.Fields = append(e.Fields, center.FieldError{Field: "reliability", Message: "must be one of A-F"})
	}
	if len(e.Fields) > 0 {
		return store.Feed{}, e
	}
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		if _, err := r.asChair(ctx, tx, who, now); err != nil {
			return err
		}
		f.ID, f.Party, f.Created, f.Removed = "feed--"+uuid.NewString(), who.Party(), now, nil
		if err := tx.PutFeed(ctx, f); err != nil {
			return err
		}
		if err := tx.PutFeedState(ctx, store.FeedState{ID: f.ID, NextPoll: now}); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: FeedAdded, Party: who.Party(), User: who.User.Username, At: now, Subject: f.ID}, f)
	})
	return f, err
}

// RemoveFeed stops polling a feed; the reports it made stay. A chair
// power.
func (r *Recorder) RemoveFeed(ctx context.Context, who center.Principal, id string) error {
	return r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		if _, err := r.asChair(ctx, tx, who, now); err != nil {
			return err
		}
		f, err := tx.FeedByID(ctx, id)
		if err != nil {
			return err
		}
		if f.Removed != nil {
			return center.Refuse(center.ErrNotFound, "feed %s is removed", id)
		}
		f.Removed = &now
		if err := tx.PutFeed(ctx, f); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: FeedRemoved, Party: who.Party(), User: who.User.Username, At: now, Subject: id},
			struct{ ID string }{id})
	})
}

// A NewFeedItem is an item a poll found: its key (a digest of its GUID or
// link), its title's normalized words and the report it becomes.
type NewFeedItem struct {
	Key   string
	Words []string
	Draft center.Draft
}

// ClusterThreshold is the Jaccard similarity of title words above which
// an item is a near-duplicate of one taken in the last ClusterWindow: it
// is recorded all the same, tagged "cluster:<the earlier report's id>".
const (
	ClusterThreshold = 0.6
	ClusterWindow    = 72 * time.Hour
)

// RecordFeedPoll records a poll of a feed: each item not taken before
// becomes a TLP:CLEAR report of the feed's party, shared with every
// member, and the feed's state is stored, in one write. It returns how
// many items were taken.
func (r *Recorder) RecordFeedPoll(ctx context.Context, feedID string, st store.FeedState, items []NewFeedItem) (int, error) {
	docs := make([]*store.SearchDoc, len(items))
	for i := range items {
		d := &items[i].Draft
		d.TLP, d.Distribution = center.TLPClear, center.Distribution{All: true}
		d.Normalize()
		docs[i] = r.analyze(d)
	}
	taken := 0
	err := r.update(ctx, func(tx store.Tx) error {
		taken = 0
		f, err := tx.FeedByID(ctx, feedID)
		if err != nil {
			return err
		}
		if f.Removed != nil {
			return center.Refuse(center.ErrNotFound, "feed %s is removed", feedID)
		}
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		now := r.now()
		keys := make([]string, len(items))
		for i, it := range items {
			keys[i] = it.Key
		}
		seen, err := tx.FeedItemsTaken(ctx, feedID, keys)
		if err != nil {
			return err
		}
		recent, err := tx.RecentFeedItems(ctx, now.Add(-ClusterWindow), 2000)
		if err != nil {
			return err
		}
		who := center.Principal{User: center.User{Username: "feed", Party: f.Party, Role: center.Analyst}}
		for i, it := range items {
			if seen[it.Key] {
				continue
			}
			seen[it.Key] = true
			d := it.Draft
			if c := nearest(it.Words, recent); c != "" {
				d.Tags = append(d.Tags, "cluster:"+c)
			}
			if err := d.Validate(r.limits, dir); err != nil {
				continue // an item no report can hold (no title, say): skipped, and retried next poll
			}
			rep := newVersion(center.NewReportID(), now, now, who, d, dir)
			if rep.Seq, err = tx.InsertVersion(ctx, rep); err != nil {
				return err
			}
			if err := index(ctx, tx, rep.Seq, docs[i]); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, center.Event{Type: center.ReportSubmitted, Party: f.Party, User: who.User.Username, At: now, Subject: rep.ID}, rep); err != nil {
				return err
			}
			words := strings.Join(it.Words, " ")
			if err := tx.PutFeedItem(ctx, store.FeedItem{Feed: feedID, Key: it.Key, Report: rep.ID, Words: words, Taken: now}); err != nil {
				return err
			}
			recent = append([]store.FeedItem{{Feed: feedID, Key: it.Key, Report: rep.ID, Words: words, Taken: now}}, recent...)
			taken++
		}
		st.ID = feedID
		st.ItemsTaken += int64(taken)
		return tx.PutFeedState(ctx, st)
	})
	return taken, err
}

// RecordFeedState stores a feed's state after a poll that took nothing (a
// 304, an error).
func (r *Recorder) RecordFeedState(ctx context.Context, st store.FeedState) error {
	return r.update(ctx, func(tx store.Tx) error {
		if _, err := tx.FeedByID(ctx, st.ID); err != nil {
			return err
		}
		return tx.PutFeedState(ctx, st)
	})
}

// nearest returns the report of the most similar recent item, if it is
// similar enough.
func nearest(words []string, recent []store.FeedItem) string {
	if len(words) < 3 {
		return ""
	}
	set := map[string]bool{}
	for _, w := range words {
		set[w] = true
	}
	best, bestScore := "", ClusterThreshold
	for _, it := range recent {
		other := strings.Fields(it.Words)
		if len(other) == 0 {
			continue
		}
		inter, union := 0, len(set)
		seen := map[string]bool{}
		for _, w := range other {
			if seen[w] {
				continue
			}
			seen[w] = true
			if set[w] {
				inter++
			} else {
				union++
			}
		}
		if s := float64(inter) / float64(union); s >= bestScore {
			best, bestScore = it.Report, s
		}
	}
	return best
}
