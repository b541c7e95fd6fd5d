package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute"
)

// StreamConfig tunes the live stream; zero fields take the defaults.
type StreamConfig struct {
	// Heartbeat is how often an idle stream sends a comment line, so that
	// proxies keep it open and clients notice a dead one; default 15s.
	Heartbeat time.Duration
	// WriteTimeout is how long one write may take before the reader counts
	// as too slow and is disconnected; default 10s.
	WriteTimeout time.Duration
	// Poll is how often a stream reads its inbox when nothing wakes it;
	// default 1s.
	Poll time.Duration
	// Page is how many events are read at a time; default 100.
	Page int
}

func (c *StreamConfig) defaults() {
	if c.Heartbeat <= 0 {
		c.Heartbeat = 15 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Page <= 0 {
		c.Page = 100
	}
}

// wallClock sets write deadlines, which net/http measures on the wall
// clock whatever clock the center runs on.
var wallClock center.Clock = center.SystemClock{}

// stream serves GET /api/v1/stream: the caller's party's inbox as
// Server-Sent Events. Each event's id is its inbox position; a client that
// reconnects with Last-Event-ID (or ?last_event_id=) gets every later
// event once, none twice. Without one, the stream starts at the present.
// Events come from the inbox, which holds only what the stored visibility
// decision lets the party see. A reader too slow to take a write within
// WriteTimeout is disconnected: the server holds at most one page per
// stream and never buffers for a reader.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r.Context(), r.Header.Get("Authorization"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	party := who.Party()
	ctx := r.Context()
	var after int64
	last := r.Header.Get("Last-Event-ID")
	if q := r.URL.Query(); last == "" {
		last = q.Get("last_event_id")
	}
	if last != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
		if err != nil || n < 0 {
			e := &requestError{}
			e.add("header.Last-Event-ID", last, "must be the id of an event of this stream")
			s.writeProblem(w, r, e)
			return
		}
		after = n
	} else if after, err = s.store.LastInboxSeq(ctx, party); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	s.streams.Add(1)
	defer s.streams.Add(-1)

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	cfg := s.streamCfg
	write := func(b []byte) error {
		if err := rc.SetWriteDeadline(wallClock.Now().Add(cfg.WriteTimeout)); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte("retry: 2000\n\n")); err != nil {
		return
	}
	heartbeat := time.NewTicker(cfg.Heartbeat)
	defer heartbeat.Stop()
	poll := time.NewTicker(cfg.Poll)
	defer poll.Stop()
	var buf []byte
	for {
		var wake <-chan struct{}
		if s.changes != nil {
			wake = s.changes.Wait() // before reading, so no change slips between
		}
		items, err := s.store.Inbox(ctx, party, after, cfg.Page)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "api: stream: reading the inbox", "party", party, "err", err)
			}
			return
		}
		if len(items) > 0 {
			buf = buf[:0]
			for _, it := range items {
				data, err := json.Marshal(distribute.Payload{Type: it.Type, Timestamp: it.At, Data: it.Version, EventSeq: it.Seq})
				if err != nil {
					return
				}
				buf = fmt.Appendf(buf, "id: %d\nevent: %s\ndata: %s\n\n", it.Seq, it.Type, data)
			}
			if err := write(buf); err != nil {
				s.log.InfoContext(ctx, "api: stream: reader disconnected or too slow", "party", party, "after", after, "err", err)
				return
			}
			after = items[len(items)-1].Seq
			if len(items) == cfg.Page {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-wake:
		case <-poll.C:
		case <-heartbeat.C:
			// A token revoked, expired or of a disabled user ends the
			// stream at the next heartbeat, not whenever the client leaves.
			if _, err := s.authorize(ctx, r.Header.Get("Authorization")); err != nil {
				return
			}
			if err := write([]byte(": heartbeat\n\n")); err != nil {
				return
			}
		}
	}
}

// CloseStreams ends every live stream, now and from now on: an open
// stream is a request that never finishes, which a graceful shutdown would
// otherwise wait for. Give it to http.Server.RegisterOnShutdown. Clients
// reconnect elsewhere with Last-Event-ID and miss nothing.
func (s *Server) CloseStreams() { s.closingOnce.Do(func() { close(s.closing) }) }

// activeStreams reports how many live streams are open, for tests and
// metrics.
func (s *Server) activeStreams() int64 { return s.streams.Load() }
