package tlog

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// auditReceipts checks the delivery receipts against their events, both
// ways. Every delivered delivery must name the event that records its
// receipt. A delivery.receipts event lists the receipts of one recorded
// batch: its digest must commit to the list rebuilt from the rows that
// name it (so a receipt row edited, deleted, or pointed at another event
// shows), and an event that no row names lost its rows. A receipt
// recorded before receipts were batched has its own delivery.receipt
// event, whose subject is the webhook-id. The rows are read party by
// party, for every party of the directory.
func auditReceipts(ctx context.Context, r store.Reader, events []center.Event,
	name func(center.Event) string, digest func(string, center.Event, any), add func(string, string, ...any)) error {
	byID := map[string]center.Event{}
	for _, e := range events {
		if e.Type == record.DeliveryReceipts || e.Type == record.DeliveryReceipt {
			byID[e.ID] = e
		}
	}
	dir, err := r.Directory(ctx)
	if err != nil {
		return err
	}
	named := map[string][]record.Receipt{} // by event id, in delivery order
	for _, p := range dir.Parties {
		q := store.DeliveryQuery{State: store.Delivered, Limit: store.MaxPageSize}
		for {
			ds, err := r.Deliveries(ctx, p.Code, q)
			if err != nil {
				return err
			}
			for _, d := range ds {
				rec := "delivery " + d.ID
				rc, _ := record.ReceiptOf(d)
				e, ok := byID[d.ReceiptEvent]
				switch {
				case d.ReceiptEvent == "":
					add(rec, "delivered, but it names no event that records its receipt")
				case !ok:
					add(rec, "its receipt's event %s is not a receipt event of the log: a row was edited or an event deleted", d.ReceiptEvent)
				case e.Type == record.DeliveryReceipt:
					if e.Subject != d.ID {
						add(rec, "names %s, the receipt event of another delivery", name(e))
						continue
					}
					digest(rec, e, struct {
						ID, Endpoint, Report, Type string
						Status, Attempts           int
					}{d.ID, d.Endpoint, d.Report, d.Type, d.LastStatus, d.Attempts})
					named[e.ID] = append(named[e.ID], rc)
				default:
					named[e.ID] = append(named[e.ID], rc)
				}
			}
			if len(ds) < q.Limit {
				break
			}
			q.Before = ds[len(ds)-1].Seq
		}
	}
	for _, e := range events {
		if _, ok := byID[e.ID]; !ok {
			continue
		}
		rs := named[e.ID]
		if len(rs) == 0 {
			add(name(e), "no delivered delivery names it: the rows of the receipts it records were deleted or edited")
			continue
		}
		if e.Type != record.DeliveryReceipts {
			continue
		}
		// Deliveries were listed newest first, party by party; the event
		// lists them in the order of their rows.
		slices.SortFunc(rs, record.CompareReceipts)
		rec := "the receipts of " + name(e)
		if b, err := json.Marshal(record.ReceiptsContent{Receipts: rs}); err != nil || string(record.Commitment(e.Salt, b)) != string(e.Digest) {
			add(rec, "the %d receipts whose rows name it do not match its digest: a receipt row was edited, deleted or moved to another event", len(rs))
		}
	}
	return nil
}
