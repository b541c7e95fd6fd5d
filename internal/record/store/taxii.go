package store

import (
	"context"
	"time"

	"github.com/tabadul/tabadul/internal/center"
)

// A TAXIIRemote is a remote TAXII 2.1 collection a party subscribes to:
// what its pulls fetch, as whom, where they stopped, and how the objects
// they bring are shared.
type TAXIIRemote struct {
	ID string `json:"id"` // "taxii-remote--<uuid>"
	// Party records what is pulled; Distribution and DefaultTLP share it
	// as for any import.
	Party        center.PartyCode    `json:"party"`
	Distribution center.Distribution `json:"distribution"`
	DefaultTLP   center.TLP          `json:"default_tlp"`
	// APIRoot is the remote API root's URL (ending in "/"); Collection
	// the collection's id there.
	APIRoot    string `json:"api_root"`
	Collection string `json:"collection"`
	// Username and SealedSecret are the credentials: HTTP Basic with the
	// username, or a bearer token when it is empty. The secret is sealed
	// with the center's collector key and never leaves the store in the
	// clear.
	Username     string     `json:"username,omitempty"`
	SealedSecret []byte     `json:"-"`
	Created      time.Time  `json:"created"`
	Removed      *time.Time `json:"removed,omitempty"`
}

// TAXIICursor is where a remote's pulls stand: the last page's
// X-TAXII-Date-Added-Last, sent back as added_after, exactly as the
// server wrote it.
type TAXIICursor struct {
	ID          string
	AddedAfter  string
	LastPoll    time.Time
	LastSuccess time.Time
	LastError   string
	Objects     int64 // objects received, ever
}

// TAXIITx records TAXII subscriptions. Only package record calls it.
type TAXIITx interface {
	// PutTAXIIRemote stores a remote, replacing one with its ID.
	PutTAXIIRemote(ctx context.Context, r TAXIIRemote) error
	// TAXIIRemoteByID returns a remote, removed ones included, or
	// center.ErrNotFound.
	TAXIIRemoteByID(ctx context.Context, id string) (TAXIIRemote, error)
	// PutTAXIICursor stores a remote's cursor.
	PutTAXIICursor(ctx context.Context, c TAXIICursor) error
}

// TAXIIReader reads TAXII subscriptions. Their URLs and usernames are
// their party's business: callers show a party only its own.
type TAXIIReader interface {
	// TAXIIRemotes returns the remotes not removed, oldest first, with
	// their cursors.
	TAXIIRemotes(ctx context.Context) ([]TAXIIRemote, []TAXIICursor, error)
}
