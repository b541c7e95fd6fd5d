package record

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
)

// The distribution's changes of state. Endpoint and subscription changes,
// dead letters and receipts (one event for each recorded batch of them)
// are events, so that the transparency log shows what was delivered to
// whom and when; failed attempts are bookkeeping, recorded but not logged.
const (
	EndpointCreated     center.EventType = "endpoint.created"
	EndpointRotated     center.EventType = "endpoint.rotated"
	EndpointDeleted     center.EventType = "endpoint.deleted"
	SubscriptionCreated center.EventType = "subscription.created"
	SubscriptionDeleted center.EventType = "subscription.deleted"
	// DeliveryReceipts records the receipts of one recorded batch of
	// attempts (ReceiptsContent). DeliveryReceipt is the event that
	// recorded one receipt before receipts were batched: a center's log
	// may hold both.
	DeliveryReceipts center.EventType = "delivery.receipts"
	DeliveryReceipt  center.EventType = "delivery.receipt"
	DeliveryDead     center.EventType = "delivery.dead"
	DeliveryRedriven center.EventType = "delivery.redriven"
)

// MetaSealKey holds the center's key that seals webhook secrets at rest,
// base64; created with the first endpoint.
const MetaSealKey = "distribute_seal_key"

// SecretPrefix starts every webhook signing secret, as the Standard
// Webhooks specification writes them.
const SecretPrefix = "whsec_"

// maxURLBytes and maxDescriptionBytes bound what an endpoint holds.
const (
	maxURLBytes         = 2048
	maxDescriptionBytes = 1000
	// MaxOverlap bounds how long a rotated-out secret keeps signing.
	MaxOverlap = 7 * 24 * time.Hour
)

// OnDeliveries sets fn to be called after every committed change, so the
// delivery worker looks for new outbox rows at once; fn must not block.
func (r *Recorder) OnDeliveries(fn func()) {
	if fn == nil {
		r.outbox.Store(nil)
		return
	}
	r.outbox.Store(&fn)
}

// requireOfficer: only a party's officers manage its endpoints and
// subscriptions.
func requireOfficer(who center.Principal) error {
	if !who.IsOfficer() {
		return center.Refuse(center.ErrForbidden, "only officers manage their party's endpoints and subscriptions")
	}
	return nil
}

// sealKey returns the center's sealing key, creating it in tx if absent.
func sealKey(ctx context.Context, tx store.Tx) ([]byte, error) {
	v, err := tx.Meta(ctx, MetaSealKey)
	if err != nil {
		return nil, err
	}
	if v != "" {
		return base64.StdEncoding.DecodeString(v)
	}
	k := secret.NewSealKey()
	return k, tx.SetMeta(ctx, MetaSealKey, base64.StdEncoding.EncodeToString(k))
}

// SealKey returns the center's sealing key for the delivery worker, which
// opens endpoints' secrets to sign; nil before the first endpoint.
func SealKey(ctx context.Context, r store.Reader) ([]byte, error) {
	v, err := r.Meta(ctx, MetaSealKey)
	if err != nil || v == "" {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(v)
}

// newWebhookSecret returns a fresh signing key and its whsec_ form.
func newWebhookSecret() ([]byte, string) {
	k := make([]byte, 32)
	rand.Read(k)
	return k, SecretPrefix + base64.StdEncoding.EncodeToString(k)
}

// ValidateEndpointURL checks an endpoint URL's form: absolute http or
// https, a host, no user information or fragment. Where it may point is the
// SSRF guard's decision (package distribute), made before and at delivery.
func ValidateEndpointURL(raw string) error {
	if len(raw) > maxURLBytes {
		return center.Invalid("url", "must be at most %d bytes", maxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "" {
		return center.Invalid("url", "must be an absolute http or https URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return center.Invalid("url", "scheme %q must be http or https", u.Scheme)
	}
	if u.User != nil || u.Fragment != "" {
		return center.Invalid("url", "must carry no user information or fragment")
	}
	return nil
}

// CreateEndpoint registers a receiving system of the officer's party and
// returns it with its signing secret, which is shown this once: the center
// keeps it sealed.
func (r *Recorder) CreateEndpoint(ctx context.Context, who center.Principal, rawURL, description string, ordered bool) (store.Endpoint, string, error) {
	if err := requireOfficer(who); err != nil {
		return store.Endpoint{}, "", err
	}
	if err := ValidateEndpointURL(rawURL); err != nil {
		return store.Endpoint{}, "", err
	}
	if len(description) > maxDescriptionBytes {
		return store.Endpoint{}, "", center.Invalid("description", "must be at most %d bytes", maxDescriptionBytes)
	}
	key, plain := newWebhookSecret()
	e := store.Endpoint{ID: "endpoint--" + uuid.NewString(), Party: who.Party(), URL: rawURL,
		Description: description, Ordered: ordered, Created: r.now()}
	err := r.update(ctx, func(tx store.Tx) error {
		sk, err := sealKey(ctx, tx)
		if err != nil {
			return err
		}
		if e.Secret, err = secret.Seal(sk, key, []byte(e.ID)); err != nil {
			return err
		}
		if err := tx.InsertEndpoint(ctx, e); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: EndpointCreated, Party: who.Party(), User: who.User.Username, At: e.Created, Subject: e.ID},
			struct {
				ID, URL, Description string
				Ordered              bool
			}{e.ID, e.URL, e.Description, e.Ordered})
	})
	if err != nil {
		return store.Endpoint{}, "", err
	}
	return e, plain, nil
}

// ownEndpoint returns the party's undeleted endpoint; another party's is
// center.ErrNotFound.
func ownEndpoint(ctx context.Context, tx store.Tx, who center.Principal, id string) (store.Endpoint, error) {
	e, err := tx.EndpointByID(ctx, id)
	if err != nil {
		return e, err
	}
	if e.Party != who.Party() || e.Deleted != nil {
		return store.Endpoint{}, fmt.Errorf("record: endpoint %q: %w", id, center.ErrNotFound)
	}
	return e, nil
}

// RotateEndpointSecret gives the endpoint a new signing secret, returned
// this once; the old one keeps signing beside it for overlap, so that the
// party can switch its receiver without losing a delivery.
func (r *Recorder) RotateEndpointSecret(ctx context.Context, who center.Principal, id string, overlap time.Duration) (store.Endpoint, string, error) {
	if err := requireOfficer(who); err != nil {
		return store.Endpoint{}, "", err
	}
	if overlap < 0 || overlap > MaxOverlap {
		return store.Endpoint{}, "", center.Invalid("overlap_seconds", "must be between 0 and %d", int(MaxOverlap/time.Second))
	}
	key, plain := newWebhookSecret()
	var out store.Endpoint
	err := r.update(ctx, func(tx store.Tx) error {
		e, err := ownEndpoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		sk, err := sealKey(ctx, tx)
		if err != nil {
			return err
		}
		now := r.now()
		e.PrevSecret, e.PrevUntil = nil, nil
		if overlap > 0 {
			until := now.Add(overlap)
			e.PrevSecret, e.PrevUntil = e.Secret, &until
		}
		if e.Secret, err = secret.Seal(sk, key, []byte(e.ID)); err != nil {
			return err
		}
		if err := tx.UpdateEndpoint(ctx, e); err != nil {
			return err
		}
		out = e
		return appendEvent(ctx, tx, center.Event{Type: EndpointRotated, Party: who.Party(), User: who.User.Username, At: now, Subject: e.ID},
			struct {
				ID        string
				PrevUntil *time.Time
			}{e.ID, e.PrevUntil})
	})
	if err != nil {
		return store.Endpoint{}, "", err
	}
	return out, plain, nil
}

// DeleteEndpoint deletes the party's endpoint and its subscriptions'
// deliveries still pending are dead-lettered.
func (r *Recorder) DeleteEndpoint(ctx context.Context, who center.Principal, id string) error {
	if err := requireOfficer(who); err != nil {
		return err
	}
	return r.update(ctx, func(tx store.Tx) error {
		e, err := ownEndpoint(ctx, tx, who, id)
		if err != nil {
			return err
		}
		now := r.now()
		e.Deleted = &now
		if err := tx.UpdateEndpoint(ctx, e); err != nil {
			return err
		}
		if err := tx.KillPending(ctx, id, now); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: EndpointDeleted, Party: who.Party(), User: who.User.Username, At: now, Subject: id},
			struct{ ID string }{id})
	})
}

// maxFilterValues bounds each list of a filter.
const maxFilterValues = 100

// ValidateFilter checks a subscription filter's own fields.
func ValidateFilter(f store.Filter) error {
	for _, l := range []struct {
		name string
		n    int
	}{{"filter.sources", len(f.Sources)}, {"filter.tlp", len(f.TLP)}, {"filter.tags", len(f.Tags)}, {"filter.languages", len(f.Languages)}} {
		if l.n > maxFilterValues {
			return center.Invalid(l.name, "at most %d values", maxFilterValues)
		}
	}
	for i, t := range f.TLP {
		if !slices.Contains(center.TLPs, t) {
			return center.Invalid(fmt.Sprintf("filter.tlp[%d]", i), "tlp %q must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED", t)
		}
	}
	for i, p := range f.Sources {
		if !p.Valid() {
			return center.Invalid(fmt.Sprintf("filter.sources[%d]", i), "party code %q is not well-formed", p)
		}
	}
	for i, t := range f.Tags {
		if strings.TrimSpace(t) == "" || len(t) > 400 {
			return center.Invalid(fmt.Sprintf("filter.tags[%d]", i), "a tag is 1 to 400 bytes")
		}
	}
	for i, l := range f.Languages {
		if len(l) < 2 || len(l) > 3 || strings.ToLower(l) != l {
			return center.Invalid(fmt.Sprintf("filter.languages[%d]", i), "language %q must be an ISO 639 code such as ar", l)
		}
	}
	if len(f.Query) > 2000 {
		return center.Invalid("filter.query", "must be at most 2000 bytes")
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, center.ErrNotFound) }

// CreateSubscription subscribes one of the party's endpoints to the
// changes f selects among those the party may see. The caller compiles
// f.Query into f.Text and f.Where (the query language lives above record).
func (r *Recorder) CreateSubscription(ctx context.Context, who center.Principal, endpointID string, f store.Filter) (store.Subscription, error) {
	if err := requireOfficer(who); err != nil {
		return store.Subscription{}, err
	}
	if err := ValidateFilter(f); err != nil {
		return store.Subscription{}, err
	}
	s := store.Subscription{ID: "subscription--" + uuid.NewString(), Party: who.Party(), Endpoint: endpointID, Filter: f, Created: r.now()}
	err := r.update(ctx, func(tx store.Tx) error {
		if _, err := ownEndpoint(ctx, tx, who, endpointID); err != nil {
			return center.Invalid("endpoint_id", "no endpoint %q of party %s", endpointID, who.Party())
		}
		if err := tx.InsertSubscription(ctx, s); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: SubscriptionCreated, Party: who.Party(), User: who.User.Username, At: s.Created, Subject: s.ID}, s)
	})
	if err != nil {
		return store.Subscription{}, err
	}
	return s, nil
}

// DeleteSubscription ends one of the party's subscriptions; deliveries
// already in the outbox still go.
func (r *Recorder) DeleteSubscription(ctx context.Context, who center.Principal, id string) error {
	if err := requireOfficer(who); err != nil {
		return err
	}
	return r.update(ctx, func(tx store.Tx) error {
		s, err := tx.SubscriptionByID(ctx, id)
		if err != nil {
			return err
		}
		if s.Party != who.Party() {
			return fmt.Errorf("record: subscription %q: %w", id, center.ErrNotFound)
		}
		now := r.now()
		if err := tx.DeleteSubscription(ctx, id, now); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: SubscriptionDeleted, Party: who.Party(), User: who.User.Username, At: now, Subject: id},
			struct{ ID string }{id})
	})
}

// Redrive makes one of the party's dead-lettered deliveries pending again,
// due now.
func (r *Recorder) Redrive(ctx context.Context, who center.Principal, deliveryID string) error {
	if err := requireOfficer(who); err != nil {
		return err
	}
	return r.update(ctx, func(tx store.Tx) error {
		d, err := tx.DeliveryByID(ctx, deliveryID)
		if err != nil {
			return err
		}
		if d.Party != who.Party() {
			return fmt.Errorf("record: delivery %q: %w", deliveryID, center.ErrNotFound)
		}
		now := r.now()
		if err := tx.Redrive(ctx, d.Seq, now); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: DeliveryRedriven, Party: who.Party(), User: who.User.Username, At: now, Subject: d.ID},
			struct{ ID string }{d.ID})
	})
}

// An AttemptResult is the outcome of one delivery attempt, as the delivery
// worker decided it: the delivery's next state and, while pending, when
// it is next due.
type AttemptResult struct {
	Delivery store.Delivery
	Attempt  store.Attempt
	State    store.DeliveryState
	Next     time.Time
}

// Breaker is the circuit breaker's policy: after Threshold consecutive
// failed attempts, an endpoint gets no attempt for Cooldown(failures).
type Breaker struct {
	Threshold int
	Cooldown  func(failures int) time.Duration
}

// RecordAttempts records a batch of attempts in one transaction: each
// attempt's row, its delivery's new state, the endpoints' breakers, one
// delivery.receipts event for the batch's receipts (each a 2xx) and one
// delivery.dead event per dead letter, so that the transparency log covers
// what was delivered to whom. Each delivered delivery names the event
// that records its receipt (Delivery.ReceiptEvent). A backend that records
// attempts and events by the batch (store.AttemptBatchTx) does it in a few
// statements.
func (r *Recorder) RecordAttempts(ctx context.Context, results []AttemptResult, b Breaker) error {
	if len(results) == 0 {
		return nil
	}
	// The receipts' event id is drawn first, so that the statement that
	// marks a delivery delivered also names its receipt's event.
	receiptID, err := newEventID()
	if err != nil {
		return err
	}
	return r.update(ctx, func(tx store.Tx) error {
		pending, err := finishAttempts(ctx, tx, results, receiptID)
		if err != nil {
			return err
		}
		endpoints := map[string]*store.Endpoint{}
		changed := map[string]bool{}
		var events []pendingEvent
		var receipts []Receipt
		var receiptsAt time.Time
		for i, res := range results {
			if !pending[i] {
				continue // no longer pending: deleted endpoint, or already finished
			}
			d := res.Delivery
			e, ok := endpoints[d.Endpoint]
			if !ok {
				got, err := tx.EndpointByID(ctx, d.Endpoint)
				if err != nil {
					return err
				}
				e = &got
				endpoints[d.Endpoint] = e
			}
			if res.State == store.Delivered {
				if e.Failures != 0 || e.OpenUntil != nil {
					e.Failures, e.OpenUntil = 0, nil
					changed[e.ID] = true
				}
			} else {
				e.Failures++
				if b.Threshold > 0 && e.Failures >= b.Threshold && b.Cooldown != nil {
					until := res.Attempt.At.Add(b.Cooldown(e.Failures))
					e.OpenUntil = &until
				}
				changed[e.ID] = true
			}
			switch res.State {
			case store.Delivered:
				rc := receiptOf(d, res.Attempt)
				receipts = append(receipts, rc)
				if rc.At.After(receiptsAt) {
					receiptsAt = rc.At
				}
			case store.Dead:
				events = append(events, pendingEvent{center.Event{Type: DeliveryDead, Party: d.Party, At: res.Attempt.At, Subject: d.ID},
					struct {
						ID, Endpoint, Report, Type string
						Status, Attempts           int
					}{d.ID, d.Endpoint, d.Report, d.Type, res.Attempt.Status, d.Attempts + 1}})
			}
		}
		if len(receipts) > 0 {
			slices.SortFunc(receipts, CompareReceipts)
			events = append(events, pendingEvent{center.Event{ID: receiptID, Type: DeliveryReceipts, At: receiptsAt, Subject: ReceiptsSubject},
				ReceiptsContent{Receipts: receipts}})
		}
		if err := appendEvents(ctx, tx, events); err != nil {
			return err
		}
		for id := range changed {
			if err := tx.UpdateEndpoint(ctx, *endpoints[id]); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReceiptsSubject is the subject of every delivery.receipts event: the
// receipts it lists name their deliveries.
const ReceiptsSubject = "deliveries"

// ReceiptsContent is what a delivery.receipts event's digest commits to:
// the receipts of one recorded batch, in the order of their deliveries'
// rows in the outbox (Seq). Every field is kept on the delivery's row,
// which names the event, so the content can be rebuilt from the rows and
// checked against the digest.
type ReceiptsContent struct {
	Receipts []Receipt `json:"receipts"`
}

// A Receipt is one delivery's receipt: the webhook's answer was a 2xx.
type Receipt struct {
	seq int64
	// ID is the delivery's id, which is the webhook-id it was sent with.
	ID       string           `json:"webhook_id"`
	Party    center.PartyCode `json:"party"`
	Endpoint string           `json:"endpoint_id"`
	Report   string           `json:"report_id"`
	Type     string           `json:"type"`
	Status   int              `json:"status"`
	// At is when the delivered attempt was made, at the microsecond the
	// store keeps.
	At time.Time `json:"at"`
}

// CompareReceipts orders receipts as a delivery.receipts event lists
// them: by their deliveries' rows in the outbox.
func CompareReceipts(a, b Receipt) int { return cmp.Compare(a.seq, b.seq) }

// receiptOf is the receipt of delivery d, delivered by attempt a.
func receiptOf(d store.Delivery, a store.Attempt) Receipt {
	return Receipt{seq: d.Seq, ID: d.ID, Party: d.Party, Endpoint: d.Endpoint, Report: d.Report, Type: d.Type,
		Status: a.Status, At: a.At.Truncate(time.Microsecond).UTC()}
}

// ReceiptOf is the receipt a delivered delivery's row records, as its
// event lists it.
func ReceiptOf(d store.Delivery) (Receipt, bool) {
	if d.State != store.Delivered || d.Done == nil {
		return Receipt{}, false
	}
	return receiptOf(d, store.Attempt{Status: d.LastStatus, At: *d.Done}), true
}

// finishAttempts records each result's attempt and its delivery's new
// state, a delivered one naming receipt as its receipt's event, and
// reports for each whether its delivery was still pending (if not,
// nothing was recorded for it).
func finishAttempts(ctx context.Context, tx store.Tx, results []AttemptResult, receipt string) ([]bool, error) {
	fs := make([]store.FinishedAttempt, len(results))
	for i, res := range results {
		fs[i] = store.FinishedAttempt{Seq: res.Delivery.Seq, Attempt: res.Attempt, State: res.State, Next: res.Next}
		if res.State == store.Delivered {
			fs[i].Receipt = receipt
		}
	}
	bt, batch := tx.(store.AttemptBatchTx)
	if batch {
		// The batch statement takes each delivery once; a batch that names
		// one twice (which the worker never sends) goes one by one.
		seen := make(map[int64]bool, len(results))
		for _, res := range results {
			if seen[res.Delivery.Seq] {
				batch = false
				break
			}
			seen[res.Delivery.Seq] = true
		}
	}
	if batch {
		return bt.FinishAttempts(ctx, fs)
	}
	pending := make([]bool, len(results))
	for i, f := range fs {
		err := tx.FinishAttempt(ctx, f)
		switch {
		case err == nil:
			pending[i] = true
		case !isNotFound(err):
			return nil, err
		}
	}
	return pending, nil
}

// A pendingEvent is an event to append with the content it commits to.
type pendingEvent struct {
	e       center.Event
	content any
}

// appendEvents appends events as appendEvent does each, in order: by the
// batch where the backend can, the salts drawn from the system's
// randomness in one read.
func appendEvents(ctx context.Context, tx store.Tx, events []pendingEvent) error {
	bt, ok := tx.(store.AttemptBatchTx)
	if !ok || len(events) < 2 {
		for _, pe := range events {
			if err := appendEvent(ctx, tx, pe.e, pe.content); err != nil {
				return err
			}
		}
		return nil
	}
	random := make([]byte, 16*len(events))
	rand.Read(random)
	es := make([]center.Event, len(events))
	for i, pe := range events {
		b, err := json.Marshal(pe.content)
		if err != nil {
			return fmt.Errorf("record: event content: %w", err)
		}
		e := pe.e
		if e.ID == "" {
			if e.ID, err = newEventID(); err != nil {
				return err
			}
		}
		e.Salt = random[16*i : 16*i+16 : 16*i+16]
		e.Digest = Commitment(e.Salt, b)
		es[i] = e
	}
	return bt.AppendEvents(ctx, es)
}

// webhookID returns a new delivery's webhook-id: msg_ and a version 7
// UUID in hex. Time-ordered ids go in at the end of the deliveries' id
// index, and of the events' subject index when their receipts are
// logged, instead of dirtying a page of each per delivery.
func webhookID() string {
	id, err := uuid.NewV7()
	if err != nil {
		id = uuid.New()
	}
	return "msg_" + strings.ReplaceAll(id.String(), "-", "")
}

// distribute writes, in the transaction that records a version or a
// revocation, one inbox entry for every party in the version's stored
// audience and one outbox row for each of that party's subscriptions that
// selects it. prev is the version before (nil for a new report); doc is
// the version's analyzed text, nil if there is none.
func (r *Recorder) distribute(ctx context.Context, tx store.Tx, rep center.Report, prev *center.Report, revoked bool, doc *store.SearchDoc) error {
	var o outbox
	if err := r.distributeLater(ctx, tx, &o, rep, prev, revoked, doc); err != nil {
		return err
	}
	return o.flush(ctx, tx)
}

// An outbox holds what distribute writes for a batch of versions until
// flush writes it: the inbox entries of them all in one statement, then
// their deliveries in another, rather than two statements a version.
type outbox struct {
	entries  []store.InboxEntry
	versions []outboxVersion
}

// outboxVersion is a version of an outbox, and the subscriptions of its
// audience; its inbox entries start at first.
type outboxVersion struct {
	rep   center.Report
	doc   *store.SearchDoc
	subs  []store.Subscription
	first int
}

// distributeLater is distribute, written to o for o.flush to write.
func (r *Recorder) distributeLater(ctx context.Context, tx store.Tx, o *outbox, rep center.Report, prev *center.Report, revoked bool, doc *store.SearchDoc) error {
	subs, err := tx.ActiveSubscriptions(ctx, rep.Audience)
	if err != nil {
		return err
	}
	needText := slices.ContainsFunc(subs, func(s store.Subscription) bool { return !s.Filter.Text.Empty() })
	if doc == nil && needText && r.analyzer != nil && len(rep.Body) <= r.limits.MaxBodyBytes {
		d, _ := r.analyzer.AnalyzeReport(rep.Title, rep.Body, rep.Language)
		doc = &d
	}
	at := rep.Version
	if revoked && rep.Revoked != nil {
		at = *rep.Revoked
	}
	o.versions = append(o.versions, outboxVersion{rep: rep, doc: doc, subs: subs, first: len(o.entries)})
	for _, p := range rep.Audience {
		typ := store.InboxCreated
		switch {
		case revoked:
			typ = store.InboxRevoked
		case prev != nil && prev.VisibleTo(p):
			typ = store.InboxUpdated
		case prev != nil:
			typ = store.InboxShared
		}
		o.entries = append(o.entries, store.InboxEntry{Party: p, Type: typ, Report: rep.ID, VersionSeq: rep.Seq, At: at})
	}
	return nil
}

// flush writes the outbox's inbox entries, in order, then the deliveries
// that the subscriptions select, and empties it.
func (o *outbox) flush(ctx context.Context, tx store.Tx) error {
	seqs, err := appendInboxes(ctx, tx, o.entries)
	if err != nil {
		return err
	}
	var ds []store.Delivery
	for _, v := range o.versions {
		for i, p := range v.rep.Audience {
			e := o.entries[v.first+i]
			for k := range v.subs {
				s := &v.subs[k]
				if s.Party != p || !s.Filter.Matches(&v.rep, v.doc) {
					continue
				}
				ds = append(ds, store.Delivery{ID: webhookID(),
					Party: p, Endpoint: s.Endpoint, Subscription: s.ID, InboxSeq: seqs[v.first+i], Created: e.At, NextAttempt: e.At})
			}
		}
	}
	*o = outbox{}
	return insertDeliveries(ctx, tx, ds)
}

// appendInboxes appends the entries, in order, by the batch where the
// backend can, and returns their Seqs.
func appendInboxes(ctx context.Context, tx store.Tx, fs []store.InboxEntry) ([]int64, error) {
	if bt, ok := tx.(store.OutboxBatchTx); ok && len(fs) > 1 {
		return bt.AppendInboxes(ctx, fs)
	}
	seqs := make([]int64, len(fs))
	for i, f := range fs {
		var err error
		if seqs[i], err = tx.AppendInbox(ctx, f); err != nil {
			return nil, err
		}
	}
	return seqs, nil
}

// insertDeliveries inserts the deliveries, in order, by the batch where
// the backend can.
func insertDeliveries(ctx context.Context, tx store.Tx, ds []store.Delivery) error {
	if bt, ok := tx.(store.OutboxBatchTx); ok && len(ds) > 1 {
		return bt.InsertDeliveries(ctx, ds)
	}
	for _, d := range ds {
		if _, err := tx.InsertDelivery(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
