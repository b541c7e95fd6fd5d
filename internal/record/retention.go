package record

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// metaRetention holds how many days after its revocation a report's text is
// kept, in decimal; "" or "0" keeps it for ever.
const metaRetention = "retention_revoked_days"

// MaxRetentionDays bounds the retention a chair may set: a century.
const MaxRetentionDays = 36500

// Retention returns how many days after its revocation a report's title and
// body are kept; 0 means for ever.
func (r *Recorder) Retention(ctx context.Context) (int, error) {
	return readRetention(ctx, r.store.Meta)
}

func readRetention(ctx context.Context, meta func(context.Context, string) (string, error)) (int, error) {
	v, err := meta(ctx, metaRetention)
	if err != nil || v == "" {
		return 0, err
	}
	days, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("record: retention %q: %w", v, err)
	}
	return days, nil
}

// SetRetention sets how many days after its revocation a report's title and
// body are kept (0: for ever). It is a chair power. Retention erases only
// text the source party itself withdrew; the version's other fields, its
// event and its log entry stay, so the history remains provable.
func (r *Recorder) SetRetention(ctx context.Context, who center.Principal, days int) error {
	if days < 0 || days > MaxRetentionDays {
		return center.Invalid("revoked_days", "must be from 0 (keep for ever) to %d", MaxRetentionDays)
	}
	return r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		if _, err := r.asChair(ctx, tx, who, now); err != nil {
			return err
		}
		if err := tx.SetMeta(ctx, metaRetention, strconv.Itoa(days)); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.RetentionSet, Party: who.Party(), User: who.User.Username, At: now, Subject: "retention"},
			struct{ RevokedDays int }{days})
	})
}

// purgeBatch bounds how many reports one PurgeExpired transaction erases.
const purgeBatch = 100

// PurgeExpired erases the title and body of reports revoked longer ago than
// the retention, up to purgeBatch of them, each with a report.purged event.
// It returns how many it purged; the caller repeats while that is a full
// batch. Run it periodically; with no retention set it does nothing.
func (r *Recorder) PurgeExpired(ctx context.Context) (int, error) {
	n := 0
	err := r.update(ctx, func(tx store.Tx) error {
		days, err := readRetention(ctx, tx.Meta)
		if err != nil || days == 0 {
			return err
		}
		now := r.now()
		ids, err := tx.ExpiredRevocations(ctx, now.Add(-time.Duration(days)*24*time.Hour), purgeBatch)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.PurgeReport(ctx, id, now); err != nil {
				return err
			}
			if err := appendEvent(ctx, tx, center.Event{Type: center.ReportPurged, At: now, Subject: id},
				struct {
					ID     string
					Purged time.Time
				}{id, now}); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
