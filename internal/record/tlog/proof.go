package tlog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// An event's status in the log.
const (
	StatusPending  = "pending"  // not yet sequenced
	StatusIncluded = "included" // has an index, not yet in a published checkpoint
	StatusCosigned = "cosigned" // in a checkpoint the witness quorum cosigned
)

// A Proof is what a party keeps to show that an event was logged: the
// entry, and once it is in a published checkpoint, a c2sp.org/tlog-proof
// that verifies offline against the pinned policy. Salt, given only to a
// party entitled to the content, lets it check the entry's digest against
// the content it holds. It is the JSON of the API's proof endpoints and
// what `tabadul verify --receipt` reads.
type Proof struct {
	EventID string `json:"event_id"`
	// Index is the entry's index in the log; null while pending.
	Index *int64 `json:"index"`
	// Entry is the log entry's exact bytes (see the package doc).
	Entry  string `json:"entry"`
	Status string `json:"status"`
	// Checkpoint is the published checkpoint the proof is against, with
	// its cosignatures; empty unless cosigned.
	Checkpoint string             `json:"checkpoint,omitempty"`
	CosignedBy []center.PartyCode `json:"cosigned_by"`
	// Proof is the c2sp.org/tlog-proof@v1 text; empty unless cosigned.
	Proof string `json:"proof,omitempty"`
	// Salt is the hex salt of the entry's digest, for entitled parties
	// only.
	Salt string `json:"salt,omitempty"`
	// Content is the exact content the entry's digest commits to, for
	// entitled parties, where the center shows it: a report version's JSON
	// as recorded (ReportContent), absent once retention erased its text.
	// Like everything from the center it is a claim: with the salt, it
	// proves itself against the logged digest.
	Content string `json:"content,omitempty"`
}

// A Status is where an event stands in the log, without its proof: what a
// report's page shows.
type Status struct {
	Status     string             `json:"status" enum:"pending,included,cosigned"`
	Index      *int64             `json:"index,omitempty"`
	CosignedBy []center.PartyCode `json:"cosigned_by,omitempty"`
}

// StatusOf returns the status of an event.
func StatusOf(ctx context.Context, r store.Reader, e store.LogEvent) (Status, error) {
	st := Status{Status: StatusPending}
	if e.Index < 0 {
		return st, nil
	}
	st.Status, st.Index = StatusIncluded, &e.Index
	cp, err := r.LatestCheckpoint(ctx, true)
	if errors.Is(err, center.ErrNotFound) || err == nil && cp.Size <= e.Index {
		return st, nil
	}
	if err != nil {
		return Status{}, err
	}
	st.Status, st.CosignedBy = StatusCosigned, slices.Clone(cp.CosignedBy)
	return st, nil
}

// Prove returns the proof of an event, with its salt if withSalt.
func Prove(ctx context.Context, r store.Reader, e store.LogEvent, withSalt bool) (Proof, error) {
	entry, err := EntryOf(e.Event).Marshal()
	if err != nil {
		return Proof{}, err
	}
	p := Proof{EventID: e.ID, Entry: string(entry), Status: StatusPending, CosignedBy: []center.PartyCode{}}
	if withSalt {
		p.Salt = hex.EncodeToString(e.Salt)
	}
	if e.Index < 0 {
		return p, nil
	}
	p.Index = &e.Index
	p.Status = StatusIncluded
	cp, err := r.LatestCheckpoint(ctx, true)
	if errors.Is(err, center.ErrNotFound) || err == nil && cp.Size <= e.Index {
		return p, nil
	}
	if err != nil {
		return Proof{}, err
	}
	rp, err := tlog.ProveRecord(cp.Size, e.Index, HashReader(ctx, r))
	if err != nil {
		return Proof{}, fmt.Errorf("tlog: prove entry %d in tree %d: %w", e.Index, cp.Size, err)
	}
	signed := cp.Signed()
	p.Status = StatusCosigned
	p.Checkpoint = string(signed)
	p.CosignedBy = slices.Clone(cp.CosignedBy)
	p.Proof = string(torchwood.FormatProof(e.Index, rp, signed))
	return p, nil
}

// VerifyProof checks a proof offline against a pinned policy: the entry is
// canonical and names the event, its record hash is at the index in a
// checkpoint the policy accepts (center key and witness quorum), and, if
// content is given with the salt, the entry's digest commits to it. With
// content nil, the proof's own Content, if any, is checked instead.
func VerifyProof(p Proof, policy torchwood.Policy, content []byte) (Entry, error) {
	e, err := ParseEntry([]byte(p.Entry))
	if err != nil {
		return Entry{}, err
	}
	if e.ID != p.EventID {
		return Entry{}, fmt.Errorf("tlog: the entry is of %s, not %s", e.ID, p.EventID)
	}
	if p.Proof == "" {
		return Entry{}, fmt.Errorf("tlog: event %s is %s: no proof of inclusion yet", p.EventID, p.Status)
	}
	if err := torchwood.VerifyProof(policy, tlog.RecordHash([]byte(p.Entry)), []byte(p.Proof)); err != nil {
		return Entry{}, fmt.Errorf("tlog: proof of %s: %w", p.EventID, err)
	}
	if content == nil && p.Content != "" {
		content = []byte(p.Content)
	}
	if content != nil {
		if p.Salt == "" {
			return Entry{}, errors.New("tlog: the proof carries no salt to check the content with")
		}
		salt, err := hex.DecodeString(p.Salt)
		if err != nil {
			return Entry{}, fmt.Errorf("tlog: salt: %w", err)
		}
		if d := record.Commitment(salt, content); string(d) != string(e.Digest) {
			return Entry{}, fmt.Errorf("tlog: the content does not match the logged digest of %s", p.EventID)
		}
	}
	return e, nil
}

// ReportContent is the content a report version's entry commits to: the
// version's JSON as recorded, before any revocation.
func ReportContent(rep center.Report) ([]byte, error) {
	rep.Revoked, rep.Purged = nil, nil
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("tlog: report content: %w", err)
	}
	return b, nil
}
