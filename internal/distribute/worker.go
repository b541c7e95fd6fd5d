package distribute

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/distribute/webhook"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
)

// Config is everything a Worker needs; zero durations and limits take the
// defaults named.
type Config struct {
	Store    store.Store
	Recorder *record.Recorder
	// Clock decides when deliveries are due and stamps signatures.
	Clock center.Clock
	// Stopwatch measures attempts' latency; nil means the system clock
	// (a simulated Clock stands still during an attempt).
	Stopwatch center.Clock
	Guard     Guard
	Logger    *slog.Logger
	// Client sends the webhooks; nil means one that dials through the
	// guard and follows no redirect.
	Client *http.Client
	// Timeout bounds each attempt, from dialing to reading the answer;
	// default 10s.
	Timeout time.Duration

	// Horizon is how long a delivery is retried before it is
	// dead-lettered; default 72h.
	Horizon time.Duration
	// BaseBackoff is the first retry's delay, doubling to MaxBackoff;
	// defaults 5s and 1h. Each delay is jittered to between half and all
	// of itself.
	BaseBackoff, MaxBackoff time.Duration
	// PerEndpoint caps the attempts in flight to one endpoint (default
	// 16). Concurrency (default 256) bounds the deliveries the worker holds
	// at once: twice it, read ahead and handed to endpoints' senders.
	PerEndpoint, Concurrency int
	// BreakerThreshold consecutive failures open an endpoint's circuit
	// breaker (default 5), for the backoff of the failures beyond it.
	BreakerThreshold int
	// Poll is how often the worker looks for due deliveries without being
	// woken; default 1s.
	Poll time.Duration
}

func (c *Config) defaults() error {
	if c.Store == nil || c.Recorder == nil || c.Clock == nil {
		return errors.New("distribute: config: Store, Recorder and Clock are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.Horizon, 72*time.Hour)
	def(&c.BaseBackoff, 5*time.Second)
	def(&c.MaxBackoff, time.Hour)
	def(&c.Poll, time.Second)
	defInt(&c.PerEndpoint, 16)
	defInt(&c.Concurrency, 256)
	defInt(&c.BreakerThreshold, 5)
	if c.Stopwatch == nil {
		c.Stopwatch = center.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DialContext = c.Guard.Dialer().DialContext
		t.Proxy = nil // a proxy would dial on our behalf, past the guard
		t.MaxIdleConnsPerHost = c.PerEndpoint * 2
		t.MaxIdleConns = c.Concurrency * 2
		// No Client.Timeout: each sender bounds its attempts itself (see
		// attemptDeadline), without a context and a timer per request.
		c.Client = &http.Client{
			Transport: t,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	return nil
}

// Worker sends the outbox's deliveries. Run it once per center database.
type Worker struct {
	cfg     Config
	results chan record.AttemptResult
	wake    chan struct{}

	// Only the goroutine in Run or Drain touches these. busy holds every
	// delivery from its dispatch until its outcome is recorded;
	// perEndpoint and sending count the attempts on the wire, whose slots
	// free as soon as the answer comes, before the outcome is durable.
	busy        map[int64]held // by delivery seq
	perEndpoint map[string]int
	sending     int
	// queue holds due deliveries read but not yet started, oldest due
	// first; stale says the outbox may have changed since it was read,
	// cutOff that the read stopped at its limit.
	queue         []queued
	stale, cutOff bool
	// queuedTo counts the queue by endpoint; skipped holds the endpoints
	// the last read left out.
	queuedTo map[string]int
	skipped  map[string]bool
	// refill holds the endpoints to read for alone, having run low.
	refill map[string]bool
	// ordered holds the endpoints that take one delivery at a time, as
	// their rows said: each one's next delivery becomes due to it only
	// once the one before is recorded, which a read for all endpoints
	// that has gone on past it would not see.
	ordered map[string]bool
	// after holds, per endpoint, the Seq up to which its own reads took
	// every due delivery, in order: its next read continues from there
	// rather than naming what it holds. Only where the store reads due
	// deliveries with their content (a single node: a claiming store's
	// reads also renew the leases of what they name). A failure of the
	// endpoint, and every poll (rewind), start its reads from its oldest
	// again, so that retries fallen due below it are found within a poll.
	after     map[string]int64
	useCursor bool
	rewind    bool
	// resume is where the last read for all endpoints stopped at its
	// limit, where there is one and nothing since could have made a
	// delivery due before it: the next such read continues from there.
	resume position
	// senders holds each endpoint's senders' channel, for one run.
	senders map[string]chan queued

	keyMu sync.Mutex
	key   []byte

	// Caches shared by the loop and the senders: versions, which every
	// endpoint owed one sends, and endpoints' opened secrets.
	cacheMu      sync.Mutex
	versions     map[int64]*heldVersion // by the version's Seq
	versionBytes int
	keys         map[string]*webhook.Signer // by endpoint id and sealed secret
}

// held is a delivery the worker holds: its endpoint, and its place in
// the order of a read for all endpoints.
type held struct {
	endpoint string
	at       position
}

// A position is a due delivery's place in the order of a read for all
// endpoints: by the time it is due, then by Seq. The zero position comes
// before every delivery.
type position struct {
	due time.Time
	seq int64
}

func positionOf(d store.Delivery) position { return position{d.NextAttempt, d.Seq} }

// after reports whether p comes after q.
func (p position) after(q position) bool {
	if c := p.due.Compare(q.due); c != 0 {
		return c > 0
	}
	return p.seq > q.seq
}

// A heldVersion is a version neither revoked nor erased when it was read:
// its content, and its JSON once a sender encoded it.
type heldVersion struct {
	v    center.Report
	json []byte
}

// New checks cfg and returns a worker.
func New(cfg Config) (*Worker, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Worker{
		cfg:         cfg,
		results:     make(chan record.AttemptResult, 2*cfg.Concurrency),
		wake:        make(chan struct{}, 1),
		busy:        map[int64]held{},
		perEndpoint: map[string]int{},
	}, nil
}

// Wake makes the worker look for due deliveries now; it never blocks.
// Give it to Recorder.OnDeliveries.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// prefetch is how many due deliveries one look reads, in multiples of
// the concurrency: reading more than the free slots spares a query per
// freed slot while a backlog drains. The queue holds at most twice that,
// and an endpoint at most twice what it may have handed over: that bounds
// the payloads held in memory besides those on the wire, and keeps one
// endpoint's backlog from crowding out the others.
const prefetch = 2

// minBatch outcomes are recorded at once; fewer wait up to batchWait for
// more.
const (
	minBatch  = 256
	batchWait = 5 * time.Millisecond
)

// queued is a due delivery read ahead, with what it sends: nil if it is
// no longer pending or its party may not see it.
type queued struct {
	d   store.Delivery
	out *store.Outbound
}

// dispatch hands due deliveries to their endpoints' senders within the
// limits and returns how many it handed over. It serves the queue of due
// deliveries read before; reads for each endpoint that ran low after a
// read had left it out; and reads for all when something may have changed
// (stale: woken, or the poll) or the last read stopped at its limit. What
// the deliveries send is read with them, in one query, so that starting
// an attempt costs no query and attempts touch the database only to
// record their outcome.
func (w *Worker) dispatch(ctx context.Context) (int, error) {
	if w.rewind {
		clear(w.after)
		w.rewind = false
	}
	started := w.serve(ctx)
	var qs []store.DueQuery
	for e := range w.refill {
		room := 2*w.maxHandedTo() - w.perEndpoint[e] - w.queuedTo[e]
		switch {
		case room <= 0:
			// It holds enough again: read once it runs low.
			delete(w.refill, e)
			w.skipped[e] = true
			continue
		case w.sending >= w.maxHanded():
			// Read once the worker has a slot: a read for all endpoints
			// that continues where the last one stopped would pass over
			// what this endpoint was left without.
			continue
		}
		delete(w.refill, e)
		qs = append(qs, store.DueQuery{Endpoint: e, Limit: room})
	}
	if len(qs) > 0 {
		if _, _, err := w.read(ctx, qs...); err != nil {
			return started, err
		}
		for _, q := range qs {
			if w.queuedTo[q.Endpoint] == q.Limit {
				w.skipped[q.Endpoint] = true // it may have more: read again when it runs low
			}
		}
		// What the endpoints read goes now, not at the next answer or
		// poll (there may be none before it: an ordered endpoint's next
		// delivery, or the last ones of a drain).
		started += w.serve(ctx)
	}
	limit := prefetch * w.cfg.Concurrency
	if len(w.queue) >= 2*limit || w.sending >= w.maxHanded() || !(w.stale || w.cutOff) {
		return started, nil
	}
	// Endpoints with enough handed over and queued are left out of the
	// read, so that one endpoint's backlog never fills the queue.
	var skipE []string
	for e := range w.perEndpoint {
		if !w.hungry(e) {
			skipE = append(skipE, e)
		}
	}
	for e := range w.queuedTo {
		if w.perEndpoint[e] == 0 && !w.hungry(e) {
			skipE = append(skipE, e)
		}
	}
	// Read again when this read stopped at its limit, or, for an endpoint
	// it left out, once that endpoint runs low (see answered).
	q := store.DueQuery{SkipEndpoints: skipE, Limit: limit}
	if !w.stale && w.resume.seq > 0 {
		// Continue after the last read, which stopped at its limit:
		// everything before that is held, or done, or of an endpoint that
		// read left out, which reads its own once it runs low (so its
		// mark stays).
		q.AfterDue, q.After = w.resume.due, w.resume.seq
	} else {
		clear(w.skipped)
	}
	for _, e := range skipE {
		w.skipped[e] = true
	}
	last, n, err := w.read(ctx, q)
	if err != nil {
		return started, err
	}
	w.stale, w.cutOff, w.resume = false, n == limit, position{}
	if w.cutOff && w.useCursor {
		w.resume = last
	}
	return started + w.serve(ctx), nil
}

// read adds to the queue the due deliveries each of qs asks for, with
// what they send, leaving out the busy and the queued ones, and returns
// the position of the last delivery the store returned and how many it
// returned. Only those a query could return are named: a read for one
// endpoint skips that endpoint's (and, continuing after the Seq up to
// which its reads took every due delivery, only those past it), and a
// read for all skips none of an endpoint it leaves out, nor any before
// where it continues. The list is the query's cost (the store turns it
// into a temporary index, and walks past each skipped row). Reads for
// several endpoints go to the store in one statement where it offers
// that.
func (w *Worker) read(ctx context.Context, qs ...store.DueQuery) (position, int, error) {
	now := w.cfg.Clock.Now()
	for i := range qs {
		q := &qs[i]
		q.Now = now
		if q.Endpoint != "" && w.useCursor {
			q.After = w.after[q.Endpoint]
		}
		wanted := func(e string, at position) bool { return e == q.Endpoint && at.seq > q.After }
		if q.Endpoint == "" {
			from := position{q.AfterDue, q.After}
			wanted = func(e string, at position) bool {
				return at.after(from) && !slices.Contains(q.SkipEndpoints, e)
			}
		}
		q.SkipDeliveries = nil
		for seq, h := range w.busy {
			if wanted(h.endpoint, h.at) {
				q.SkipDeliveries = append(q.SkipDeliveries, seq)
			}
		}
		for _, qd := range w.queue {
			if wanted(qd.d.Endpoint, positionOf(qd.d)) {
				q.SkipDeliveries = append(q.SkipDeliveries, qd.d.Seq)
			}
		}
	}
	due, err := w.readDue(ctx, qs)
	if err != nil {
		return position{}, 0, err
	}
	for _, qd := range due {
		d := qd.d
		if qd.out != nil && qd.out.Endpoint.Ordered {
			w.ordered[d.Endpoint] = true
		}
		// An endpoint queues at most as much again as it may have handed
		// over; the rest is read again when it runs low.
		if w.perEndpoint[d.Endpoint]+w.queuedTo[d.Endpoint] >= 2*w.maxHandedTo() {
			w.skipped[d.Endpoint] = true
			continue
		}
		w.queue = append(w.queue, qd)
		w.queuedTo[d.Endpoint]++
		if qs[0].Endpoint != "" && w.useCursor {
			// A read for one endpoint goes in Seq order, and what it
			// queues is a prefix of it: everything due up to d is held.
			w.after[d.Endpoint] = d.Seq
		}
	}
	if len(due) == 0 {
		return position{}, 0, nil
	}
	return positionOf(due[len(due)-1].d), len(due), nil
}

// readDue reads the due deliveries qs ask for and what each sends. Where
// the store reads both in one query, the query leaves out the content of
// the versions the worker holds from earlier reads (every endpoint owed a
// version sends the same), and a second query reads only what it lacks;
// else DueDeliveries then Outbound, query by query.
func (w *Worker) readDue(ctx context.Context, qs []store.DueQuery) ([]queued, error) {
	if r, ok := w.cfg.Store.(store.DueOutboundReader); ok {
		for i := range qs {
			qs[i].WithoutContent = true
		}
		var outs []store.DueOutbound
		var err error
		if each, ok := w.cfg.Store.(store.DueOutboundEachReader); ok && len(qs) > 1 {
			outs, err = each.DueOutboundEach(ctx, qs)
		} else {
			for _, q := range qs {
				got, err := r.DueOutbound(ctx, q)
				if err != nil {
					return nil, err
				}
				if outs == nil {
					outs = got // one query, the common case: no copy
				} else {
					outs = append(outs, got...)
				}
			}
		}
		if err != nil {
			return nil, err
		}
		due := make([]queued, len(outs))
		// version seq -> the indexes in due of the deliveries that lack its
		// content, in order
		var lack map[int64][]int
		for i := range outs {
			due[i].d = outs[i].Delivery
			if !outs[i].Sendable {
				continue
			}
			o := &outs[i].Outbound
			if v, ok := w.heldVersion(o.Item.Version); ok {
				o.Item.Version = v
				due[i].out = o
				continue
			}
			if lack == nil {
				lack = map[int64][]int{}
			}
			lack[o.Item.VersionSeq] = append(lack[o.Item.VersionSeq], i)
		}
		if err := w.readContent(ctx, outs, due, lack); err != nil {
			return nil, err
		}
		return due, nil
	}
	var ds []store.Delivery
	for _, q := range qs {
		got, err := w.cfg.Store.DueDeliveries(ctx, q)
		if err != nil {
			return nil, err
		}
		ds = append(ds, got...)
	}
	due := make([]queued, len(ds))
	at := make(map[int64]int, len(ds))
	for i, d := range ds {
		due[i].d = d
		at[d.Seq] = i
	}
	outs, err := w.cfg.Store.Outbound(ctx, slices.Collect(maps.Keys(at)))
	if err != nil {
		return nil, err
	}
	for i := range outs {
		due[at[outs[i].Delivery.Seq]].out = &outs[i]
	}
	return due, nil
}

// readContent reads the content of the versions due deliveries lack (lack:
// version seq -> their indexes in due and outs) and gives it to them. A
// new version is owed to every endpoint at once, so most reads lack it
// for several deliveries: it is read once, with the first of them, and
// shared with the others, each of which its read found visible to its
// party. Outbound leaves out a delivery that is no longer pending or not
// visible: that one goes without content, and its version is read again
// with the next delivery that lacks it.
func (w *Worker) readContent(ctx context.Context, outs []store.DueOutbound, due []queued, lack map[int64][]int) error {
	for len(lack) > 0 {
		first := make([]int64, 0, len(lack))
		for _, idx := range lack {
			first = append(first, due[idx[0]].d.Seq)
		}
		full, err := w.cfg.Store.Outbound(ctx, first)
		if err != nil {
			return err
		}
		for i := range full {
			v := full[i].Item.Version
			w.holdVersion(v)
			for _, k := range lack[full[i].Item.VersionSeq] {
				o := &outs[k].Outbound
				o.Item.Version = v
				due[k].out = o
			}
			delete(lack, full[i].Item.VersionSeq)
		}
		for vs, idx := range lack {
			if len(idx) == 1 {
				delete(lack, vs)
			} else {
				lack[vs] = idx[1:]
			}
		}
	}
	return nil
}

// hungry reports whether an endpoint has fewer deliveries handed over and
// queued than its senders take at once, twice over.
func (w *Worker) hungry(endpoint string) bool {
	return w.perEndpoint[endpoint]+w.queuedTo[endpoint] < w.maxHandedTo()
}

// Each endpoint has PerEndpoint sender goroutines, which take deliveries
// from the endpoint's channel one after another, as a plain HTTP client
// would, so that an answer is followed by the next request without a
// round through the worker's loop. The loop keeps each channel topped up:
// an endpoint has at most maxHandedTo deliveries handed over and not yet
// answered (PerEndpoint on the wire, as many waiting), the worker
// maxHanded in all.
func (w *Worker) maxHandedTo() int { return 2 * w.cfg.PerEndpoint }
func (w *Worker) maxHanded() int   { return 2 * w.cfg.Concurrency }

// serve hands deliveries from the queue to their endpoints' senders while
// there is room, keeping the rest in order.
func (w *Worker) serve(ctx context.Context) int {
	started := 0
	kept := w.queue[:0]
	for _, q := range w.queue {
		d := q.d
		if _, busy := w.busy[d.Seq]; busy {
			w.dequeued(d.Endpoint)
			continue
		}
		if w.sending >= w.maxHanded() || w.perEndpoint[d.Endpoint] >= w.maxHandedTo() {
			kept = append(kept, q)
			continue
		}
		w.busy[d.Seq] = held{d.Endpoint, positionOf(d)}
		w.perEndpoint[d.Endpoint]++
		w.sending++
		w.dequeued(d.Endpoint)
		started++
		w.senderFor(ctx, d.Endpoint) <- q
	}
	clear(w.queue[len(kept):])
	w.queue = kept
	return started
}

// dequeued counts a delivery out of the queue.
func (w *Worker) dequeued(endpoint string) {
	if w.queuedTo[endpoint]--; w.queuedTo[endpoint] <= 0 {
		delete(w.queuedTo, endpoint)
	}
}

// senderFor returns the channel of an endpoint's senders, starting them
// on first use. The channel holds maxHandedTo, so handing over never
// blocks.
func (w *Worker) senderFor(ctx context.Context, endpoint string) chan<- queued {
	if ch, ok := w.senders[endpoint]; ok {
		return ch
	}
	ch := make(chan queued, w.maxHandedTo())
	w.senders[endpoint] = ch
	// Attempts outlive a stopping worker by at most Timeout, so that their
	// outcome is recorded rather than counted as a failure.
	actx := context.WithoutCancel(ctx)
	for range w.cfg.PerEndpoint {
		go func() {
			dl := attemptDeadline{parent: actx, timeout: w.cfg.Timeout}
			for q := range ch {
				res := w.attempt(dl.start(), q.d, q.out)
				dl.stop()
				w.results <- res
			}
			dl.close()
		}()
	}
	return ch
}

// attemptDeadline bounds a sender's attempts, one after another, each to
// timeout: one context and one timer serve every attempt until a timeout
// ends the context, rather than a fresh pair per request.
type attemptDeadline struct {
	parent  context.Context
	timeout time.Duration
	ctx     context.Context
	cancel  context.CancelFunc
	timer   *time.Timer
}

// start returns the context of the next attempt, which ends timeout from
// now unless stop comes first.
func (d *attemptDeadline) start() context.Context {
	if d.ctx == nil || d.ctx.Err() != nil {
		d.close()
		ctx, cancel := context.WithCancel(d.parent)
		d.ctx, d.cancel = ctx, cancel
		d.timer = time.AfterFunc(d.timeout, cancel)
		return ctx
	}
	d.timer.Reset(d.timeout)
	return d.ctx
}

// stop ends the running attempt's timeout.
func (d *attemptDeadline) stop() { d.timer.Stop() }

// close releases the context and its timer.
func (d *attemptDeadline) close() {
	if d.cancel != nil {
		d.timer.Stop()
		d.cancel()
	}
}

// forget drops the queued deliveries of an endpoint that just failed, so
// that its breaker and backoff, read afresh, decide when they go.
func (w *Worker) forget(endpoint string) {
	w.queue = slices.DeleteFunc(w.queue, func(q queued) bool { return q.d.Endpoint == endpoint })
	delete(w.queuedTo, endpoint)
	delete(w.after, endpoint)
	// What it drops lies before where the last read stopped.
	w.resume = position{}
}

// answered frees the wire slot of an attempt whose answer came.
func (w *Worker) answered(r record.AttemptResult) {
	if r.State != store.Delivered {
		w.forget(r.Delivery.Endpoint)
	}
	e := r.Delivery.Endpoint
	w.sending--
	if w.perEndpoint[e]--; w.perEndpoint[e] <= 0 {
		delete(w.perEndpoint, e)
	}
	// An endpoint the last read left out may have more due: read its own
	// once it runs low.
	if w.skipped[e] && w.hungry(e) {
		delete(w.skipped, e)
		w.refill[e] = true
	}
}

// record writes a batch of outcomes in one transaction. If it fails, the
// deliveries stay pending and go again: at least once.
func (w *Worker) record(ctx context.Context, batch []record.AttemptResult) error {
	err := w.cfg.Recorder.RecordAttempts(ctx, batch, record.Breaker{Threshold: w.cfg.BreakerThreshold, Cooldown: w.cooldown})
	if err != nil {
		w.cfg.Logger.Error("distribute: recording attempts", "attempts", len(batch), "err", err)
	}
	return err
}

// A recordedBatch is a batch of outcomes the recorder is done with.
type recordedBatch struct {
	results []record.AttemptResult
	failed  bool
}

// Run delivers until ctx ends, then waits for the attempts in flight and
// records them.
func (w *Worker) Run(ctx context.Context) { w.loop(ctx, false) }

// Drain attempts every delivery due now, and those that fall due while it
// runs, until none is left or in flight; it returns the attempts made. It
// is Run's work without the waiting, for tests on a simulated clock; do
// not call it while Run runs.
func (w *Worker) Drain(ctx context.Context) (int, error) { return w.loop(ctx, true) }

// loop is the worker: it dispatches due deliveries, frees an attempt's
// slot when its answer comes, and hands outcomes to a goroutine that
// records them, as many to a transaction as came in while the previous
// one committed. A delivery leaves busy only once its outcome is
// recorded, so it is never sent twice at once. With untilIdle, loop
// returns once nothing is due or busy.
func (w *Worker) loop(ctx context.Context, untilIdle bool) (int, error) {
	total, stopping := 0, false
	toRecord := make(chan []record.AttemptResult, 1)
	recorded := make(chan recordedBatch, 1)
	rctx := context.WithoutCancel(ctx)
	go func() {
		for b := range toRecord {
			err := w.record(rctx, b)
			recorded <- recordedBatch{b, err != nil}
		}
	}()
	defer close(toRecord)
	var queue []record.AttemptResult // answered, waiting for the recorder
	var spare []record.AttemptResult // the last batch recorded, for the next
	recording := false
	// Outcomes wait up to batchWait for more to share their transaction:
	// a commit costs about as much for a few as for a few hundred.
	var batchTimer *time.Timer
	var batchDue <-chan time.Time
	send := func() {
		if !recording && len(queue) > 0 {
			toRecord <- queue
			if spare == nil {
				spare = make([]record.AttemptResult, 0, minBatch)
			}
			queue, spare, recording = spare, nil, true
			batchDue = nil
		}
	}
	flush := func() {
		if recording || len(queue) == 0 {
			return
		}
		if untilIdle || stopping || len(queue) >= minBatch {
			send()
			return
		}
		if batchDue == nil {
			if batchTimer == nil {
				batchTimer = time.NewTimer(batchWait)
			} else {
				batchTimer.Reset(batchWait)
			}
			batchDue = batchTimer.C
		}
	}
	done := func(b recordedBatch) {
		for _, r := range b.results {
			delete(w.busy, r.Delivery.Seq)
		}
		for _, r := range b.results {
			if w.ordered[r.Delivery.Endpoint] {
				w.refill[r.Delivery.Endpoint] = true // its next one is now sendable
			}
		}
		clear(b.results)
		spare = b.results[:0]
		if b.failed {
			// Still pending, and no longer held: read them again.
			w.stale = true
		}
		recording = false
		flush()
	}
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	w.stale, w.queue, w.resume = true, w.queue[:0], position{}
	w.queuedTo, w.skipped, w.refill, w.after = map[string]int{}, map[string]bool{}, map[string]bool{}, map[string]int64{}
	w.ordered = map[string]bool{}
	_, w.useCursor = w.cfg.Store.(store.DueOutboundReader)
	w.senders = map[string]chan queued{}
	defer func() {
		for _, ch := range w.senders {
			close(ch)
		}
	}()
	for {
		if !stopping {
			n, err := w.dispatch(ctx)
			if err != nil && ctx.Err() == nil {
				if untilIdle {
					return total, err
				}
				w.cfg.Logger.Error("distribute: reading due deliveries", "err", err)
			}
			total += n
			if untilIdle && len(w.busy) == 0 {
				return total, nil
			}
		} else if len(w.busy) == 0 {
			return total, nil
		}
		var wait <-chan time.Time
		if !untilIdle {
			wait = t.C
		}
		cancelled := ctx.Done()
		if stopping {
			cancelled = nil // closed: it would be ready on every turn
		}
		select {
		case r := <-w.results:
			w.answered(r)
			queue = append(queue, r)
			// Take every answer already in, then look for more work once.
			for more := true; more; {
				select {
				case r := <-w.results:
					w.answered(r)
					queue = append(queue, r)
				default:
					more = false
				}
			}
			flush()
		case b := <-recorded:
			done(b)
		case <-batchDue:
			send()
		case <-w.wake:
			w.stale = true
		case <-wait:
			w.stale, w.rewind = true, true
		case <-cancelled:
			stopping = true
			send()
		}
	}
}

// backoff is the delay before attempt n+1 after n failed ones: the base
// doubled per failure up to the maximum, jittered to between half and all
// of itself so that a recovered endpoint is not hit by every retry at once.
func (w *Worker) backoff(n int) time.Duration {
	d := w.cfg.BaseBackoff
	for i := 1; i < n && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// cooldown is how long an open breaker holds an endpoint after failures
// consecutive failures.
func (w *Worker) cooldown(failures int) time.Duration {
	return w.backoff(failures - w.cfg.BreakerThreshold + 1)
}

// sealKey returns the center's sealing key, read once.
func (w *Worker) sealKey(ctx context.Context) ([]byte, error) {
	w.keyMu.Lock()
	defer w.keyMu.Unlock()
	if w.key != nil {
		return w.key, nil
	}
	k, err := record.SealKey(ctx, w.cfg.Store)
	if err != nil || k == nil {
		return nil, fmt.Errorf("distribute: sealing key: %w", errors.Join(err, errors.New("none")))
	}
	w.key = k
	return k, nil
}

// A Payload is a webhook's body, as the Standard Webhooks specification
// shapes it: the event type, when it happened, and the report as the
// receiving party may see it.
type Payload struct {
	Type      string        `json:"type"`
	Timestamp time.Time     `json:"timestamp"`
	Data      center.Report `json:"data"`
	// EventSeq is the party's inbox position: the live stream's event id.
	EventSeq int64 `json:"event_seq"`
}

// maxResponseBytes is how much of an answer is read (to reuse the
// connection); the rest is dropped.
const maxResponseBytes = 64 << 10

// attempt makes one attempt and decides the delivery's next state.
// out is what d sends, nil if it is no longer pending or not visible.
func (w *Worker) attempt(ctx context.Context, d store.Delivery, out *store.Outbound) record.AttemptResult {
	now := w.cfg.Clock.Now()
	res := record.AttemptResult{Delivery: d, Attempt: store.Attempt{Delivery: d.ID, N: d.Attempts + 1, At: now}}
	var status int
	var err error
	if out == nil {
		err = errNotVisible
	} else {
		status, err = w.send(ctx, d, *out, now, &res.Attempt.Latency)
	}
	res.Attempt.Status = status
	switch {
	case err == nil && status >= 200 && status < 300:
		res.State = store.Delivered
		return res
	case err != nil:
		res.Attempt.Error = err.Error()
	default:
		res.Attempt.Error = fmt.Sprintf("answered %d", status)
	}
	if errors.Is(err, errNotVisible) {
		res.State = store.Dead
		return res
	}
	// The last retry falls on the horizon itself; a failure there (or
	// after it, if the breaker held the delivery) is final.
	horizon := d.Created.Add(w.cfg.Horizon)
	if !now.Before(horizon) {
		res.State = store.Dead
		return res
	}
	res.State, res.Next = store.Pending, now.Add(w.backoff(d.Attempts+1))
	if res.Next.After(horizon) {
		res.Next = horizon
	}
	return res
}

// Bounds of the senders' caches: past them a cache starts afresh.
const (
	maxCachedVersionBytes = 16 << 20
	maxCachedKeys         = 4096
)

// cacheable reports whether a version's content may be kept: what a
// revoked or erased version sends is read afresh each time, so that what
// goes is what the store says now.
func cacheable(v center.Report) bool { return v.Revoked == nil && v.Purged == nil }

// heldVersion returns the held content of the version whose head (Seq,
// ID, Revoked, Purged) was just read, if it holds and still holds: the
// version is neither revoked nor erased.
func (w *Worker) heldVersion(head center.Report) (center.Report, bool) {
	if !cacheable(head) {
		return center.Report{}, false
	}
	w.cacheMu.Lock()
	h := w.versions[head.Seq]
	w.cacheMu.Unlock()
	if h == nil || h.v.ID != head.ID {
		return center.Report{}, false
	}
	return h.v, true
}

// holdVersion keeps a version just read whole, unless it is revoked or
// erased, and returns what is held of it.
func (w *Worker) holdVersion(v center.Report) *heldVersion {
	if !cacheable(v) {
		return nil
	}
	w.cacheMu.Lock()
	defer w.cacheMu.Unlock()
	if h := w.versions[v.Seq]; h != nil && h.v.ID == v.ID {
		return h
	}
	size := len(v.Title) + len(v.Body) + 1024
	if w.versions == nil || w.versionBytes+size > maxCachedVersionBytes {
		w.versions, w.versionBytes = map[int64]*heldVersion{}, 0
	}
	h := &heldVersion{v: v}
	w.versions[v.Seq] = h
	w.versionBytes += size
	return h
}

// versionJSON returns a version's JSON, the same in every party's
// payload: encoded once while the version is held.
func (w *Worker) versionJSON(v center.Report) ([]byte, error) {
	h := w.holdVersion(v)
	if h != nil {
		w.cacheMu.Lock()
		data := h.json
		w.cacheMu.Unlock()
		if data != nil {
			return data, nil
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("distribute: payload: %w", err)
	}
	if h != nil {
		w.cacheMu.Lock()
		h.json = data
		w.cacheMu.Unlock()
	}
	return data, nil
}

// plainJSON reports whether s is the same quoted as JSON: letters,
// digits and the punctuation of event types.
func plainJSON(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// payload returns the body that sends it: the JSON of a Payload.
func (w *Worker) payload(it store.InboxItem) ([]byte, error) {
	data, err := w.versionJSON(it.Version)
	if err != nil {
		return nil, err
	}
	// Payload's fields, in its order, as json.Marshal writes them.
	b := make([]byte, 0, len(data)+len(it.Type)+128)
	b = append(b, `{"type":`...)
	if plainJSON(it.Type) {
		b = append(append(append(b, '"'), it.Type...), '"')
	} else {
		typ, err := json.Marshal(it.Type)
		if err != nil {
			return nil, fmt.Errorf("distribute: payload: %w", err)
		}
		b = append(b, typ...)
	}
	b = append(b, `,"timestamp":`...)
	if b, err = it.At.AppendText(append(b, '"')); err != nil {
		return nil, fmt.Errorf("distribute: payload: %w", err)
	}
	b = append(append(b, `","data":`...), data...)
	b = strconv.AppendInt(append(b, `,"event_seq":`...), it.Seq, 10)
	return append(b, '}'), nil
}

// openSecret returns a signer for an endpoint's secret, opening each
// sealed secret once. The cache is keyed by the sealed form, so a rotated
// secret is opened anew.
func (w *Worker) openSecret(ctx context.Context, endpoint string, sealed []byte) (*webhook.Signer, error) {
	k := endpoint + "\x00" + string(sealed)
	w.cacheMu.Lock()
	signer, ok := w.keys[k]
	w.cacheMu.Unlock()
	if ok {
		return signer, nil
	}
	sk, err := w.sealKey(ctx)
	if err != nil {
		return nil, err
	}
	key, err := secret.Unseal(sk, sealed, []byte(endpoint))
	if err != nil {
		return nil, err
	}
	signer = webhook.NewSigner(key)
	w.cacheMu.Lock()
	if w.keys == nil || len(w.keys) >= maxCachedKeys {
		w.keys = map[string]*webhook.Signer{}
	}
	w.keys[k] = signer
	w.cacheMu.Unlock()
	return signer, nil
}

// The constant headers of every webhook, shared: the transport only
// reads a request's header.
var (
	contentType = []string{"application/json"}
	userAgent   = []string{"Tabadul-Webhooks/1"}
)

// errNotVisible: the delivery is no longer pending, or its party may not
// see its content. The write path never makes a row of the second kind;
// if one exists, it is not sent.
var errNotVisible = errors.New("distribute: the delivery is not pending or its version is not visible to its party")

func (w *Worker) send(ctx context.Context, d store.Delivery, out store.Outbound, now time.Time, latency *time.Duration) (int, error) {
	if !out.Item.Version.VisibleTo(d.Party) {
		return 0, errNotVisible
	}
	body, err := w.payload(out.Item)
	if err != nil {
		return 0, err
	}
	e := out.Endpoint
	key, err := w.openSecret(ctx, e.ID, e.Secret)
	if err != nil {
		return 0, fmt.Errorf("distribute: endpoint %s secret: %w", e.ID, err)
	}
	sigs := []string{key.Sign(d.ID, now, body)}
	if e.PrevSecret != nil && e.PrevUntil != nil && now.Before(*e.PrevUntil) {
		if prev, err := w.openSecret(ctx, e.ID, e.PrevSecret); err == nil {
			sigs = append(sigs, prev.Sign(d.ID, now, body))
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("distribute: request: %w", err)
	}
	req.Header["Content-Type"] = contentType
	req.Header["User-Agent"] = userAgent
	webhook.SetHeaders(req.Header, d.ID, now, sigs...)
	start := w.cfg.Stopwatch.Now()
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		*latency = w.cfg.Stopwatch.Now().Sub(start)
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	resp.Body.Close()
	*latency = w.cfg.Stopwatch.Now().Sub(start)
	return resp.StatusCode, nil
}
