package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Stream timing: how often the inbox is read, and how often an idle
// stream proves it is alive (and its session is still good).
var (
	streamPoll      = time.Second
	streamHeartbeat = 15 * time.Second
	streamWrite     = 10 * time.Second
)

// streamPage is how many inbox entries are read at a time.
const streamPage = 50

// streamInbox serves GET /inbox/stream: the party's inbox, read through
// store exactly as the API's stream reads it, as Server-Sent Events whose
// data is the inbox row of each new or changed report, rendered in the
// visitor's language. It is behind the session like every page; the
// session is checked again on every heartbeat, so signing out ends it.
func (s *Server) streamInbox(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	party := v.party()
	var after int64
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
		if err != nil || n < 0 {
			return center.Invalid("Last-Event-ID", "must be the id of an event of this stream")
		}
		after = n
	} else {
		var err error
		if after, err = s.store.LastInboxSeq(ctx, party); err != nil {
			return err
		}
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	t := s.pages["inbox"]
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) error {
		if err := rc.SetWriteDeadline(wallClock.Now().Add(streamWrite)); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte("retry: 3000\n\n")); err != nil {
		return nil
	}
	poll := time.NewTicker(streamPoll)
	defer poll.Stop()
	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	p := &page{visit: v}
	var buf, row bytes.Buffer
	for {
		var wake <-chan struct{}
		if s.changes != nil {
			wake = s.changes.Wait() // before reading, so no change slips between
		}
		items, err := s.store.Inbox(ctx, party, after, streamPage)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "web: stream: reading the inbox", "party", party, "err", err)
			}
			return nil
		}
		buf.Reset()
		for _, it := range items {
			after = it.Seq
			if it.Type == store.InboxRevoked && it.Version.ID == "" {
				continue
			}
			row.Reset()
			if err := t.ExecuteTemplate(&row, "row", rowContext{P: p, R: s.row(dir, v.L, it.Version)}); err != nil {
				s.log.ErrorContext(ctx, "web: stream: render", "err", err)
				return nil
			}
			fmt.Fprintf(&buf, "id: %d\nevent: %s\n", it.Seq, it.Type)
			for _, line := range strings.Split(strings.TrimSpace(row.String()), "\n") {
				fmt.Fprintf(&buf, "data: %s\n", line)
			}
			buf.WriteString("\n")
		}
		if buf.Len() > 0 {
			if err := write(buf.Bytes()); err != nil {
				return nil
			}
		}
		if len(items) == streamPage {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.closingStreams():
			return nil
		case <-wake:
		case <-poll.C:
		case <-heartbeat.C:
			key, err := s.keys.get(ctx)
			if err != nil {
				return nil
			}
			if _, _, err := s.authenticate(ctx, r, key); err != nil {
				return nil
			}
			if err := write([]byte(": heartbeat\n\n")); err != nil {
				return nil
			}
		}
	}
}

// wallClock sets write deadlines, which net/http measures on the wall
// clock whatever clock the center runs on.
var wallClock center.Clock = center.SystemClock{}

// liveStreams ends the live streams of a Server; its zero value is ready.
type liveStreams struct {
	once    sync.Once
	closing chan struct{}
	closed  sync.Once
}

func (s *Server) closingStreams() chan struct{} {
	s.streams.once.Do(func() { s.streams.closing = make(chan struct{}) })
	return s.streams.closing
}

// CloseStreams ends every live inbox stream, now and from now on: an open
// stream is a request that never finishes, which a graceful shutdown would
// otherwise wait for. Give it to http.Server.RegisterOnShutdown; browsers
// reconnect and miss nothing (the page reloads the inbox).
func (s *Server) CloseStreams() {
	ch := s.closingStreams()
	s.streams.closed.Do(func() { close(ch) })
}
