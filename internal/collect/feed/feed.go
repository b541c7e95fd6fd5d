// Package feed polls the news feeds (RSS, Atom, JSON Feed) the chair
// configured and records their new items as TLP:CLEAR reports.
//
// Each poll is one conditional GET (If-None-Match / If-Modified-Since)
// through fetch.Client: a deadline, a size cap, redirects only to http or
// https. A 429 or 503 with Retry-After puts the next poll off as asked.
// The body is parsed by github.com/mmcdole/gofeed; broken XML fails the
// poll, with the reason in the feed's health, and records nothing. New
// items (by GUID, else link, else title) become reports in one write with
// the feed's state; a near-duplicate of a recent item is kept and tagged
// with its cluster, not dropped.
package feed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// MaxItemsPerPoll bounds what one poll records.
const MaxItemsPerPoll = 500

// A Poller polls every due feed. Build one with its fields set; Start
// runs it until Stop.
type Poller struct {
	Store    store.Reader
	Recorder *record.Recorder
	Client   *fetch.Client
	Clock    center.Clock
	Log      *slog.Logger

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// Start polls due feeds every tick until Stop.
func (p *Poller) Start(tick time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-p.stop
		cancel()
	}()
	go func() {
		defer close(p.done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			if err := p.PollDue(ctx); err != nil && ctx.Err() == nil && p.Log != nil {
				p.Log.Error("feed: polling", "err", err)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends Start's loop, cancelling a poll under way.
func (p *Poller) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.stop = nil
}

// PollDue polls every feed whose next poll is due.
func (p *Poller) PollDue(ctx context.Context) error {
	feeds, states, err := p.Store.Feeds(ctx)
	if err != nil {
		return err
	}
	now := p.Clock.Now()
	var errs []error
	for i, f := range feeds {
		if states[i].NextPoll.After(now) {
			continue
		}
		if _, err := p.Poll(ctx, f, states[i]); err != nil && ctx.Err() != nil {
			return ctx.Err()
		} else if err != nil && !errors.Is(err, errPollFailed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// errPollFailed marks a failure of the feed (recorded in its health), not
// of the center.
var errPollFailed = errors.New("feed: poll failed")

// Poll fetches a feed once and records what is new. A failure of the
// feed (unreachable, hanging, too large, broken XML) is recorded in its
// state and returned wrapped in errPollFailed; nothing else is written.
func (p *Poller) Poll(ctx context.Context, f store.Feed, st store.FeedState) (int, error) {
	now := p.Clock.Now().UTC()
	st.ID = f.ID
	st.LastPoll = now
	st.NextPoll = now.Add(f.Interval)
	fail := func(err error) (int, error) {
		st.LastError = oneLine(err.Error())
		var se *fetch.StatusError
		if errors.As(err, &se) && (se.Status == http.StatusTooManyRequests || se.Status == http.StatusServiceUnavailable) {
			if d, ok := fetch.RetryAfter(se.Header, now); ok && now.Add(d).After(st.NextPoll) {
				st.NextPoll = now.Add(min(d, 7*24*time.Hour))
			}
		}
		if rerr := p.Recorder.RecordFeedState(ctx, st); rerr != nil {
			return 0, rerr
		}
		return 0, fmt.Errorf("%w: %s: %w", errPollFailed, f.URL, err)
	}
	resp, err := p.Client.Get(ctx, fetch.Request{URL: f.URL, ETag: st.ETag, LastModified: st.LastModified,
		Header: http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.5"}}})
	if err != nil {
		return fail(err)
	}
	if resp.NotModified {
		st.LastSuccess, st.LastError = now, ""
		return 0, p.Recorder.RecordFeedState(ctx, st)
	}
	items, err := Parse(resp.Body, f.Language)
	if err != nil {
		return fail(err)
	}
	if len(items) > MaxItemsPerPoll {
		items = items[:MaxItemsPerPoll]
	}
	for i := range items {
		items[i].Draft.Reliability = f.Reliability
	}
	st.ETag, st.LastModified = resp.ETag, resp.LastModified
	st.LastSuccess, st.LastError = now, ""
	return p.Recorder.RecordFeedPoll(ctx, f.ID, st, items)
}

// Parse reads a feed's body into items ready to record, oldest first.
func Parse(body []byte, language string) ([]record.NewFeedItem, error) {
	if !utf8.Valid(body) && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("<?xml")) {
		return nil, errors.New("feed: the body is not UTF-8")
	}
	fd, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	var out []record.NewFeedItem
	for i := len(fd.Items) - 1; i >= 0; i-- {
		it := fd.Items[i]
		if it == nil {
			continue
		}
		title := clean(it.Title)
		body := clean(firstNonEmpty(it.Content, it.Description))
		if title == "" {
			title = cut(body, 120)
		}
		if body == "" {
			body = title
		}
		if it.Link != "" && !strings.Contains(body, it.Link) {
			body += "\n\n" + it.Link
		}
		key := firstNonEmpty(it.GUID, it.Link, it.Title)
		if title == "" || key == "" {
			continue
		}
		sum := sha256.Sum256([]byte(key))
		d := center.Draft{Title: cut(title, 500), Body: cut(body, 512<<10), Language: language}
		for _, c := range it.Categories {
			if c = strings.TrimSpace(clean(c)); c != "" && utf8.RuneCountInString(c) <= 100 && len(d.Tags) < 32 {
				d.Tags = append(d.Tags, c)
			}
		}
		if it.PublishedParsed != nil {
			t := it.PublishedParsed.UTC()
			d.ObservedAt = &t
		}
		out = append(out, record.NewFeedItem{Key: hex.EncodeToString(sum[:16]), Words: words(title), Draft: d})
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// clean turns a feed's HTML into plain text: tags dropped, entities
// decoded, white space collapsed, invalid UTF-8 and control characters
// gone.
func clean(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	t := html.UnescapeString(b.String())
	t = strings.ToValidUTF8(t, "")
	t = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return ' '
		}
		return r
	}, t)
	return strings.Join(strings.Fields(t), " ")
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// words returns a title's words, lowercased, for near-duplicate
// comparison.
func words(title string) []string {
	return strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 500 {
		s = strings.ToValidUTF8(s[:500], "")
	}
	return s
}
