package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// DistributeTx writes the distribution tables: endpoints, subscriptions,
// the inbox of what each party may see, and the delivery outbox. Only the
// write path (package record) calls them, in the transaction that records
// the change they follow from.
type DistributeTx interface {
	// InsertEndpoint stores a new endpoint; a taken id is center.ErrConflict.
	InsertEndpoint(ctx context.Context, e Endpoint) error
	// UpdateEndpoint overwrites the endpoint's description, secrets,
	// Deleted and breaker fields. An unknown id is center.ErrNotFound.
	UpdateEndpoint(ctx context.Context, e Endpoint) error
	// EndpointByID returns any party's endpoint, deleted or not, or
	// center.ErrNotFound: the write path checks the party.
	EndpointByID(ctx context.Context, id string) (Endpoint, error)
	// InsertSubscription stores a new subscription.
	InsertSubscription(ctx context.Context, s Subscription) error
	// SubscriptionByID returns any party's subscription, or
	// center.ErrNotFound.
	SubscriptionByID(ctx context.Context, id string) (Subscription, error)
	// DeleteSubscription marks the subscription deleted at the time.
	DeleteSubscription(ctx context.Context, id string, at time.Time) error
	// ActiveSubscriptions returns the undeleted subscriptions, to undeleted
	// endpoints, of the given parties. The caller must not modify the
	// slice: a backend may share it between calls.
	ActiveSubscriptions(ctx context.Context, parties []center.PartyCode) ([]Subscription, error)
	// AppendInbox records that a party may now see a change and returns the
	// entry's Seq. The entry's party must be in the stored audience of the
	// version it names: the write path appends one entry per audience
	// party, never more.
	AppendInbox(ctx context.Context, f InboxEntry) (int64, error)
	// InsertDelivery puts a delivery in the outbox, pending, due at its
	// NextAttempt, and returns its Seq.
	InsertDelivery(ctx context.Context, d Delivery) (int64, error)
	// FinishAttempt records attempt f.Attempt of the pending delivery
	// f.Seq and moves the delivery to f.State (pending, due at f.Next;
	// delivered, naming f.Receipt as the event that records its receipt;
	// or dead). A delivery that is not pending is center.ErrNotFound,
	// nothing recorded.
	FinishAttempt(ctx context.Context, f FinishedAttempt) error
	// KillPending dead-letters every pending delivery to the endpoint (it
	// was deleted), at the time.
	KillPending(ctx context.Context, endpoint string, at time.Time) error
	// Redrive makes a dead (or pending) delivery pending again, due at the
	// time. An unknown seq is center.ErrNotFound; a delivered one is
	// center.ErrConflict.
	Redrive(ctx context.Context, seq int64, at time.Time) error
	// DeliveryByID returns any party's delivery by webhook-id, or
	// center.ErrNotFound.
	DeliveryByID(ctx context.Context, id string) (Delivery, error)
}

// DistributeReader reads the distribution tables. Each method that takes a
// party returns only that party's endpoints, subscriptions, deliveries and
// inbox: another party's is center.ErrNotFound or absent, never an error of
// its own kind. The inbox and the outbound payloads are joined with the
// stored audience, so a report reaches only a party the visibility rule
// let see it.
type DistributeReader interface {
	// Endpoints lists the party's undeleted endpoints, oldest first.
	Endpoints(ctx context.Context, party center.PartyCode) ([]Endpoint, error)
	// Endpoint returns the party's undeleted endpoint, or center.ErrNotFound.
	Endpoint(ctx context.Context, party center.PartyCode, id string) (Endpoint, error)
	// Subscriptions lists the party's undeleted subscriptions, oldest first.
	Subscriptions(ctx context.Context, party center.PartyCode) ([]Subscription, error)
	// Deliveries lists the party's deliveries matching q, newest first.
	Deliveries(ctx context.Context, party center.PartyCode, q DeliveryQuery) ([]Delivery, error)
	// EndpointHealth counts the deliveries of the party's endpoint by state
	// and returns its latest attempts; center.ErrNotFound for an endpoint
	// of another party.
	EndpointHealth(ctx context.Context, party center.PartyCode, id string) (EndpointHealth, error)
	// Inbox returns up to limit of the party's inbox entries with Seq >
	// after, in order, each with the version the party may see.
	Inbox(ctx context.Context, party center.PartyCode, after int64, limit int) ([]InboxItem, error)
	// LastInboxSeq returns the party's newest inbox entry's Seq, 0 if none.
	LastInboxSeq(ctx context.Context, party center.PartyCode) (int64, error)

	// DueDeliveries returns up to q.Limit pending deliveries due at q.Now,
	// oldest due first, of the whole center, skipping endpoints whose
	// breaker is open, the endpoints and deliveries q names (the worker's
	// busy ones) and, for an ordered endpoint, all but its oldest pending
	// one. It is the delivery worker's read; it returns no content. It
	// takes no lease: where several nodes' workers share the database they
	// read with DeliveryClaimer.ClaimDueDeliveries instead (see
	// ClaimingDeliveries).
	DueDeliveries(ctx context.Context, q DueQuery) ([]Delivery, error)
	// Outbound returns what the pending deliveries seqs send, in Seq
	// order: each one's endpoint (with sealed secrets) and inbox entry with
	// the version as the delivery's party may see it. A delivery that is
	// not pending, or whose party may not see the version, is left out.
	Outbound(ctx context.Context, seqs []int64) ([]Outbound, error)
}

// An Endpoint is one of a party's receiving systems.
type Endpoint struct {
	ID          string           `json:"id"`
	Party       center.PartyCode `json:"party"`
	URL         string           `json:"url"`
	Description string           `json:"description"`
	// Ordered asks for one delivery at a time, in the order recorded.
	Ordered bool      `json:"ordered"`
	Created time.Time `json:"created"`
	// Secret is the signing secret, sealed; PrevSecret, the one a rotation
	// replaced, also signs until PrevUntil.
	Secret     []byte     `json:"-"`
	PrevSecret []byte     `json:"-"`
	PrevUntil  *time.Time `json:"prev_secret_until,omitempty"`
	Deleted    *time.Time `json:"-"`
	// Failures counts consecutive failed attempts; while OpenUntil is in
	// the future the circuit breaker holds every delivery back.
	Failures  int        `json:"consecutive_failures"`
	OpenUntil *time.Time `json:"open_until,omitempty"`
}

// A Subscription says which changes a party wants at one endpoint.
type Subscription struct {
	ID       string           `json:"id"`
	Party    center.PartyCode `json:"party"`
	Endpoint string           `json:"endpoint_id"`
	Filter   Filter           `json:"filter"`
	Created  time.Time        `json:"created"`
}

// A Filter selects changes; each non-empty list matches any of its values,
// and an empty filter matches everything the party may see.
type Filter struct {
	Sources   []center.PartyCode `json:"sources"`
	TLP       []center.TLP       `json:"tlp"`
	Tags      []string           `json:"tags"`
	Languages []string           `json:"languages"`
	// Query is a search query; Text and Where are its compiled form, set by
	// whoever accepts the filter (the query language lives above the
	// store).
	Query string       `json:"query"`
	Text  TextQuery    `json:"-"`
	Where SearchFilter `json:"-"`
}

// Matches reports whether the filter selects the version rep, whose
// analyzed text is doc (nil when there is none: then a filter with a text
// query does not match).
func (f *Filter) Matches(rep *center.Report, doc *SearchDoc) bool {
	w := f.Where
	switch {
	case !anyOf(f.Sources, rep.Source), !anyOf(w.Sources, rep.Source):
		return false
	case !anyOf(f.TLP, rep.TLP), !anyOf(w.TLPs, rep.TLP):
		return false
	case !anyOf(f.Languages, rep.Language), !anyOf(w.Languages, rep.Language):
		return false
	case len(f.Tags) > 0 && !anyOf(f.Tags, rep.Tags...), len(w.Tags) > 0 && !anyOf(w.Tags, rep.Tags...):
		return false
	case !w.Since.IsZero() && rep.Version.Before(w.Since), !w.Until.IsZero() && !rep.Version.Before(w.Until):
		return false
	}
	if f.Text.Empty() {
		return true
	}
	return doc != nil && f.Text.MatchDoc(*doc)
}

// anyOf reports whether want is empty (no condition) or holds one of have.
func anyOf[T comparable](want []T, have ...T) bool {
	if len(want) == 0 {
		return true
	}
	return slices.ContainsFunc(have, func(h T) bool { return slices.Contains(want, h) })
}

// MatchDoc evaluates q against one analyzed document as the index would:
// a word matches its surface form or its stem, a phrase its stems in
// order, a prefix any surface form or stem that starts with it.
func (q TextQuery) MatchDoc(doc SearchDoc) bool {
	for _, alts := range q.All {
		if !slices.ContainsFunc(alts, func(s Seq) bool { return s.in(doc) }) {
			return false
		}
	}
	return !slices.ContainsFunc(q.None, func(s Seq) bool { return s.in(doc) })
}

func (s Seq) in(doc SearchDoc) bool {
	if s.Prefix {
		if len(s.Stems) != 1 {
			return false
		}
		starts := func(t string) bool { return strings.HasPrefix(t, s.Stems[0]) }
		return slices.ContainsFunc(doc.Stems, starts) || slices.ContainsFunc(doc.Surface, starts)
	}
	switch len(s.Stems) {
	case 0:
		return false
	case 1:
		// As the index seeks a word: its stem among the stems, its
		// surface form among the surface forms and the stems.
		return slices.Contains(doc.Stems, s.Stems[0]) ||
			(len(s.Surface) == 1 && (slices.Contains(doc.Surface, s.Surface[0]) || slices.Contains(doc.Stems, s.Surface[0])))
	}
	for i := 0; i+len(s.Stems) <= len(doc.Stems); i++ {
		if slices.Equal(doc.Stems[i:i+len(s.Stems)], s.Stems) {
			return true
		}
	}
	return false
}

// Inbox event types: what happened, as the receiving party sees it.
const (
	InboxCreated = "report.created" // a new report
	InboxUpdated = "report.updated" // a new version of a report the party saw
	InboxShared  = "report.shared"  // a version widened to the party
	InboxRevoked = "report.revoked"
)

// A InboxEntry is one change a party may see.
type InboxEntry struct {
	Seq        int64
	Party      center.PartyCode
	Type       string
	Report     string
	VersionSeq int64
	At         time.Time
}

// A InboxItem is a inbox entry with the version as its party may see it.
type InboxItem struct {
	InboxEntry
	Version center.Report
}

// DeliveryState is where a delivery stands.
type DeliveryState string

const (
	Pending   DeliveryState = "pending"
	Delivered DeliveryState = "delivered"
	Dead      DeliveryState = "dead"
)

// A Delivery is one inbox entry owed to one endpoint.
type Delivery struct {
	Seq int64 `json:"-"`
	// ID is the webhook-id: the same on every attempt.
	ID           string           `json:"id"`
	Party        center.PartyCode `json:"party"`
	Endpoint     string           `json:"endpoint_id"`
	Subscription string           `json:"subscription_id"`
	InboxSeq     int64            `json:"event_seq"`
	Type         string           `json:"type"`
	Report       string           `json:"report_id"`
	Created      time.Time        `json:"created"`
	State        DeliveryState    `json:"state"`
	Attempts     int              `json:"attempts"`
	NextAttempt  time.Time        `json:"next_attempt"`
	LastStatus   int              `json:"last_status,omitempty"`
	LastError    string           `json:"last_error,omitempty"`
	LastLatency  time.Duration    `json:"last_latency_ns,omitempty"`
	Done         *time.Time       `json:"done,omitempty"`
	// ReceiptEvent is the id of the event that records the delivery's
	// receipt (a delivery.receipts event, which lists the receipts of a
	// batch, or, for one recorded before receipts were batched, its own
	// delivery.receipt event); empty until it is delivered.
	ReceiptEvent string `json:"receipt_event_id,omitempty"`
}

// An Attempt is one try at a delivery: Status 0 means no HTTP answer.
type Attempt struct {
	Delivery string        `json:"delivery_id"`
	N        int           `json:"n"`
	At       time.Time     `json:"at"`
	Status   int           `json:"status"`
	Latency  time.Duration `json:"latency_ns"`
	Error    string        `json:"error,omitempty"`
}

// DueQuery asks for the deliveries due at Now.
type DueQuery struct {
	Now time.Time
	// Endpoint, if set, asks for that endpoint's due deliveries only,
	// oldest first by Seq (SkipEndpoints is then ignored).
	Endpoint       string
	SkipEndpoints  []string
	SkipDeliveries []int64 // by Seq
	// After, if above zero, asks only for deliveries with a greater Seq:
	// a reader that has taken an endpoint's due deliveries in Seq order
	// up to some Seq continues from there, instead of naming what it
	// holds in SkipDeliveries (which each read walks past).
	After int64
	// AfterDue, if set, makes After a position in the order of a read for
	// all endpoints (NextAttempt, then Seq): only deliveries after the one
	// due at AfterDue with Seq After. A read that stopped at its limit
	// continues from its last row this way. A read for one endpoint
	// ignores it.
	AfterDue time.Time
	Limit    int
	// WithoutContent asks DueOutbound for each delivery's version without
	// its content: only its Seq, ID, Revoked and Purged, the rest left
	// zero. It is for a caller that holds the content of the versions it
	// sent before (a version's content changes only when it is revoked or
	// erased, which these fields show) and reads what it lacks with
	// Outbound. The delivery then also comes without what only a listing
	// of deliveries shows, which a pending one's sending does not need:
	// Subscription, LastStatus, LastError, LastLatency, Done and
	// ReceiptEvent are left zero. Other reads ignore it.
	WithoutContent bool
}

// DeliveryQuery filters a delivery list; zero fields do not filter.
type DeliveryQuery struct {
	Endpoint string
	State    DeliveryState
	Report   string
	// Before continues a list: only deliveries with Seq < Before.
	Before int64
	Limit  int // 1..MaxPageSize
}

// EndpointHealth is how deliveries to an endpoint are going.
type EndpointHealth struct {
	Endpoint                 Endpoint
	Pending, Delivered, Dead int64
	LastAttempts             []Attempt
	OldestPending            *time.Time
}

// Outbound is what one delivery sends.
type Outbound struct {
	Delivery Delivery
	Endpoint Endpoint
	Item     InboxItem
}

// OutboxBatchTx is what a backend's Tx may add to DistributeTx so that the
// write path writes a version's outbox rows (an inbox entry per party of
// its audience, a delivery per matching subscription) in a statement or
// two rather than one a row. The write path uses it when the Tx has it,
// and AppendInbox and InsertDelivery one by one when it does not: the
// outcome is the same.
type OutboxBatchTx interface {
	// AppendInboxes does AppendInbox for each of fs, in order, and
	// returns their Seqs.
	AppendInboxes(ctx context.Context, fs []InboxEntry) ([]int64, error)
	// InsertDeliveries does InsertDelivery for each of ds, in order.
	InsertDeliveries(ctx context.Context, ds []Delivery) error
}

// AttemptBatchTx is what a backend's Tx may add to DistributeTx so that
// the write path records a batch of attempts in a few statements rather
// than a few per attempt. The write path uses it when the Tx has it, and
// FinishAttempt and AppendEvent one by one when it does not: the outcome
// is the same.
type AttemptBatchTx interface {
	// FinishAttempts does FinishAttempt for each of fs, whose Seqs are
	// distinct, and reports for each whether its delivery was pending:
	// false is FinishAttempt's center.ErrNotFound, nothing recorded.
	FinishAttempts(ctx context.Context, fs []FinishedAttempt) ([]bool, error)
	// AppendEvents does AppendEvent for each of es, in order.
	AppendEvents(ctx context.Context, es []center.Event) error
}

// A FinishedAttempt is one attempt of a delivery and its outcome, for
// FinishAttempt and FinishAttempts.
type FinishedAttempt struct {
	Seq     int64 // the delivery's
	Attempt Attempt
	State   DeliveryState
	// Next is when a delivery left pending is due again.
	Next time.Time
	// Receipt is the id of the event that records a delivered delivery's
	// receipt, appended in the same transaction.
	Receipt string
}

// DueOutboundReader is what a backend's Store may add to DistributeReader
// so that the delivery worker reads its due deliveries and what they send
// in one query rather than two. The worker uses it when the Store has
// it, and DueDeliveries then Outbound when it does not.
type DueOutboundReader interface {
	// DueOutbound returns the deliveries DueDeliveries returns for q, in
	// its order, each with what Outbound returns for it. One whose party
	// may not see its version (which Outbound leaves out) comes with
	// Sendable false and no endpoint or content.
	DueOutbound(ctx context.Context, q DueQuery) ([]DueOutbound, error)
}

// DueOutboundEachReader is what a backend's Store may add to
// DueOutboundReader so that the delivery worker reads for several
// endpoints, each with its own query, in one statement and one read
// transaction rather than one each.
type DueOutboundEachReader interface {
	// DueOutboundEach returns what DueOutbound returns for each of qs, one
	// query's deliveries after the other's, in the order of qs. Each query
	// names its Endpoint; all have the same Now and WithoutContent.
	DueOutboundEach(ctx context.Context, qs []DueQuery) ([]DueOutbound, error)
}

// A DueOutbound is one of DueOutbound's deliveries.
type DueOutbound struct {
	Outbound
	Sendable bool
}
