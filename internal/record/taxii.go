package record

import (
	"context"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// TAXIIRemoteAdded is the event of a party subscribing to a remote TAXII
// collection. Its content holds no credential.
const TAXIIRemoteAdded center.EventType = "taxii.remote.added"

// AddTAXIIRemote subscribes the principal's party to a remote TAXII 2.1
// collection; only its officers may. The secret must already be sealed.
func (r *Recorder) AddTAXIIRemote(ctx context.Context, who center.Principal, rem store.TAXIIRemote) (store.TAXIIRemote, error) {
	if !who.IsOfficer() {
		return store.TAXIIRemote{}, center.Refuse(center.ErrForbidden, "only officers subscribe their party to remote collections")
	}
	e := &center.InvalidError{}
	if u, err := url.Parse(rem.APIRoot); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.Fields = append(e.Fields, center.FieldError{Field: "api_root", Message: "must be an http or https URL"})
	}
	if !strings.HasSuffix(rem.APIRoot, "/") {
		rem.APIRoot += "/"
	}
	if rem.Collection == "" || strings.ContainsAny(rem.Collection, "/?#") {
		e.Fields = append(e.Fields, center.FieldError{Field: "collection", Message: "must be a collection id"})
	}
	if rem.DefaultTLP == "" {
		rem.DefaultTLP = center.TLPAmber
	}
	if len(e.Fields) > 0 {
		return store.TAXIIRemote{}, e
	}
	err := r.update(ctx, func(tx store.Tx) error {
		dir, err := tx.Directory(ctx)
		if err != nil {
			return err
		}
		d := center.Draft{Title: "-", Body: "-", TLP: rem.DefaultTLP, Distribution: rem.Distribution}
		d.Normalize()
		if err := d.Validate(r.limits, dir); err != nil {
			return err
		}
		now := r.now()
		rem.ID, rem.Party, rem.Created, rem.Removed = "taxii-remote--"+uuid.NewString(), who.Party(), now, nil
		rem.Distribution = d.Distribution
		if err := tx.PutTAXIIRemote(ctx, rem); err != nil {
			return err
		}
		if err := tx.PutTAXIICursor(ctx, store.TAXIICursor{ID: rem.ID}); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: TAXIIRemoteAdded, Party: who.Party(), User: who.User.Username, At: now, Subject: rem.ID}, rem)
	})
	return rem, err
}

// RecordTAXIICursor stores where a remote's pulls stand.
func (r *Recorder) RecordTAXIICursor(ctx context.Context, c store.TAXIICursor) error {
	return r.update(ctx, func(tx store.Tx) error {
		if _, err := tx.TAXIIRemoteByID(ctx, c.ID); err != nil {
			return err
		}
		return tx.PutTAXIICursor(ctx, c)
	})
}
