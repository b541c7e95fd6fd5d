package record

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// PublishBulletin records a notice of the chair to every party. It is a
// chair power: only officers of the party chairing now may publish.
func (r *Recorder) PublishBulletin(ctx context.Context, who center.Principal, title, body, language string) (center.Bulletin, error) {
	title, language = strings.TrimSpace(title), strings.ToLower(strings.TrimSpace(language))
	if err := center.ValidateBulletin(title, body, language, r.limits); err != nil {
		return center.Bulletin{}, err
	}
	var b center.Bulletin
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		if _, err := r.asChair(ctx, tx, who, now); err != nil {
			return err
		}
		b = center.Bulletin{ID: "bulletin--" + uuid.NewString(), Party: who.Party(), Author: who.User.Username,
			Title: title, Body: body, Language: language, Published: now}
		if err := tx.InsertBulletin(ctx, b); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: center.BulletinPublished, Party: who.Party(), User: who.User.Username, At: now, Subject: b.ID}, b)
	})
	return b, err
}
