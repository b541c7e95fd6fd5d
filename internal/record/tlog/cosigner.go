package tlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// CosignerConfig configures a Cosigner.
type CosignerConfig struct {
	Store store.Store
	Key   Key
	// Clock stamps publication times.
	Clock center.Clock
	// Client sends the witness requests; nil means a client with a
	// 10-second timeout.
	Client *http.Client
	// Logger receives each refusal and failure; nil discards.
	Logger *slog.Logger
	// Refresh is how old the oldest cosignature of the latest published
	// checkpoint may grow before the cosigner asks the witnesses again, so
	// that an idle log's checkpoint stays fresh; 0 means 10 minutes.
	Refresh time.Duration
	// OnPublish, if set, is called after a checkpoint is published.
	OnPublish func(store.Checkpoint)
}

// Cosigner collects witness cosignatures (c2sp.org/tlog-witness) on the
// log's newest checkpoint and publishes it once the witness policy is met.
// It sends each witness the checkpoint with a consistency proof from the
// size that witness last cosigned; a witness that answers 409 says what
// that size is, and the cosigner retries from it. Only the newest
// checkpoint is sent: witnesses may skip sizes.
type Cosigner struct {
	cfg  CosignerConfig
	wake chan struct{}

	mu    sync.Mutex       // guards known
	known map[string]int64 // witness vkey -> size it last cosigned

	runMu  sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewCosigner checks cfg and returns a stopped Cosigner.
func NewCosigner(cfg CosignerConfig) (*Cosigner, error) {
	if cfg.Store == nil || cfg.Key.Verifier == nil || cfg.Clock == nil {
		return nil, errors.New("tlog: cosigner needs a store, the log key and a clock")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 10 * time.Minute
	}
	return &Cosigner{cfg: cfg, wake: make(chan struct{}, 1), known: map[string]int64{}}, nil
}

// Notify tells the cosigner a new checkpoint is waiting. It never blocks.
func (c *Cosigner) Notify() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Start runs the cosigner in the background until Stop or ctx ends.
func (c *Cosigner) Start(ctx context.Context) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.done != nil {
		return
	}
	ctx, c.cancel = context.WithCancel(ctx)
	c.done = make(chan struct{})
	go c.run(ctx, c.done)
}

// Stop stops the cosigner and waits for a round in flight.
func (c *Cosigner) Stop() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.done == nil {
		return
	}
	c.cancel()
	<-c.done
	c.done = nil
}

// retryAfter is how soon a round that did not publish is tried again.
const retryAfter = 2 * time.Second

func (c *Cosigner) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var backoff time.Duration
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		case <-timer.C:
		}
		next := c.cfg.Refresh / 4
		res, err := c.Round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.cfg.Logger.Warn("tlog: cosigning round failed", "err", err)
		}
		if err != nil || !res.Published {
			// Back off while the quorum is out of reach, up to a minute.
			backoff = min(max(2*backoff, retryAfter), time.Minute)
			next = backoff
		} else {
			backoff = 0
		}
		timer.Reset(next)
	}
}

// RoundResult says what one cosigning round did.
type RoundResult struct {
	Size      int64
	Asked     bool // false: nothing needed asking
	Published bool // the checkpoint is published (now or already)
	// CosignedBy lists the parties whose witnesses' cosignatures the
	// checkpoint now carries; Refused maps a party to its witness's error.
	CosignedBy []center.PartyCode
	Refused    map[center.PartyCode]error
}

// Round asks every registered witness to cosign the newest checkpoint, if
// it is unpublished or its cosignatures are older than Refresh, stores
// what they returned, and publishes the checkpoint if the policy is met.
func (c *Cosigner) Round(ctx context.Context) (RoundResult, error) {
	cp, err := c.cfg.Store.LatestCheckpoint(ctx, false)
	if errors.Is(err, center.ErrNotFound) {
		return RoundResult{}, nil
	}
	if err != nil {
		return RoundResult{}, err
	}
	res := RoundResult{Size: cp.Size, Refused: map[center.PartyCode]error{}}
	witnesses, err := c.cfg.Store.Witnesses(ctx)
	if err != nil {
		return res, err
	}
	policy, err := ReadWitnessPolicy(ctx, c.cfg.Store)
	if err != nil {
		return res, err
	}
	if len(witnesses) == 0 {
		// Nothing to ask; a policy of no witnesses is never met.
		return res, nil
	}
	have := c.cosignatures(cp, witnesses)
	if !cp.Published.IsZero() && c.fresh(have) {
		res.Published = true
		res.CosignedBy = cp.CosignedBy
		return res, nil
	}
	res.Asked = true
	type answer struct {
		party center.PartyCode
		line  []byte
		err   error
	}
	answers := make(chan answer, len(witnesses))
	changed := false
	for _, w := range witnesses {
		go func() {
			line, err := c.add(ctx, w, cp)
			answers <- answer{w.Party, line, err}
		}()
	}
	for range witnesses {
		a := <-answers
		if a.err != nil {
			res.Refused[a.party] = a.err
			c.cfg.Logger.Warn("tlog: witness did not cosign", "party", a.party, "size", cp.Size, "err", a.err)
			continue
		}
		have[a.party] = cosig{line: a.line}
		changed = true
	}
	var lines []byte
	for _, w := range witnesses {
		if s, ok := have[w.Party]; ok {
			lines = append(lines, s.line...)
			res.CosignedBy = append(res.CosignedBy, w.Party)
		}
	}
	cp.Cosignatures, cp.CosignedBy = lines, res.CosignedBy
	if policy.Met(cp.CosignedBy) {
		if cp.Published.IsZero() {
			cp.Published = c.cfg.Clock.Now().UTC().Truncate(time.Microsecond)
		}
		res.Published = true
	}
	if !changed {
		return res, nil
	}
	if err := c.cfg.Store.Update(ctx, func(tx store.Tx) error { return tx.PutCheckpoint(ctx, cp) }); err != nil {
		return res, err
	}
	if res.Published && c.cfg.OnPublish != nil {
		c.cfg.OnPublish(cp)
	}
	return res, nil
}

// cosig is one witness's cosignature line on a checkpoint.
type cosig struct {
	line []byte
	at   int64 // its timestamp, Unix seconds
}

// cosignatures returns the valid stored cosignatures of cp by party.
func (c *Cosigner) cosignatures(cp store.Checkpoint, witnesses []store.Witness) map[center.PartyCode]cosig {
	out := map[center.PartyCode]cosig{}
	if len(cp.Cosignatures) == 0 {
		return out
	}
	for _, w := range witnesses {
		v, err := torchwood.NewCosignatureVerifier(w.VKey)
		if err != nil {
			continue
		}
		n, err := note.Open(cp.Signed(), note.VerifierList(c.cfg.Key.Verifier, v))
		if err != nil {
			continue
		}
		for _, s := range n.Sigs {
			if s.Name == v.Name() && s.Hash == v.KeyHash() {
				at, err := torchwood.CosignatureTimestamp(s)
				if err == nil {
					out[w.Party] = cosig{line: sigLine(s), at: at}
				}
			}
		}
	}
	return out
}

// fresh reports whether every cosignature is younger than Refresh.
func (c *Cosigner) fresh(have map[center.PartyCode]cosig) bool {
	oldest := c.cfg.Clock.Now().Add(-c.cfg.Refresh).Unix()
	for _, s := range have {
		if s.at < oldest {
			return false
		}
	}
	return true
}

func sigLine(s note.Signature) []byte {
	return []byte("\u2014 " + s.Name + " " + s.Base64 + "\n")
}

// ConflictError is a witness's 409: it last cosigned a tree of Size that
// the checkpoint offered does not extend from the old size given.
type ConflictError struct{ Size int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("tlog: the witness answered 409 Conflict: it last cosigned size %d", e.Size)
}

// maxConflictRetries bounds how often add retries after a 409.
const maxConflictRetries = 3

// add asks one witness to cosign cp and returns its cosignature line.
func (c *Cosigner) add(ctx context.Context, w store.Witness, cp store.Checkpoint) ([]byte, error) {
	v, err := torchwood.NewCosignatureVerifier(w.VKey)
	if err != nil {
		return nil, fmt.Errorf("tlog: witness of %s: bad key: %w", w.Party, err)
	}
	c.mu.Lock()
	old := c.known[w.VKey]
	c.mu.Unlock()
	var lastErr error
	for range maxConflictRetries {
		if old > cp.Size {
			err := fmt.Errorf("tlog: witness of %s refuses: it has cosigned size %d, beyond this log's %d: was the database rolled back?", w.Party, old, cp.Size)
			if lastErr != nil {
				err = fmt.Errorf("%w (%w)", err, lastErr)
			}
			return nil, err
		}
		line, err := c.post(ctx, w, v, cp, old)
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			if conflict.Size == old {
				// Same size, different tree: a fork.
				return nil, fmt.Errorf("tlog: witness of %s refuses size %d from size %d, which it cosigned with another tree hash: %w", w.Party, cp.Size, old, err)
			}
			old, lastErr = conflict.Size, err
			continue
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.known[w.VKey] = cp.Size
		c.mu.Unlock()
		return line, nil
	}
	return nil, lastErr
}

// post makes one add-checkpoint request.
func (c *Cosigner) post(ctx context.Context, w store.Witness, v *torchwood.CosignatureVerifier, cp store.Checkpoint, old int64) ([]byte, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	if old > 0 && old < cp.Size {
		proof, err := tlog.ProveTree(cp.Size, old, HashReader(ctx, c.cfg.Store))
		if err != nil {
			return nil, fmt.Errorf("tlog: consistency proof %d to %d: %w", old, cp.Size, err)
		}
		for _, h := range proof {
			body.WriteString(h.String() + "\n")
		}
	}
	body.WriteString("\n")
	body.Write(cp.Note)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(w.URL, "/")+"/add-checkpoint", &body)
	if err != nil {
		return nil, fmt.Errorf("tlog: witness of %s: %w", w.Party, err)
	}
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("tlog: witness of %s: %w", w.Party, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("tlog: witness of %s: %w", w.Party, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		n, err := strconv.ParseInt(strings.TrimSuffix(string(b), "\n"), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("tlog: witness of %s: 409 with a bad size %q", w.Party, b)
		}
		return nil, &ConflictError{Size: n}
	default:
		return nil, fmt.Errorf("tlog: witness of %s: %s: %s", w.Party, resp.Status, strings.TrimSpace(string(b)))
	}
	n, err := note.Open(append(slices.Clone(cp.Note), b...), note.VerifierList(c.cfg.Key.Verifier, v))
	if err != nil {
		return nil, fmt.Errorf("tlog: witness of %s: its answer does not verify: %w", w.Party, err)
	}
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			return sigLine(s), nil
		}
	}
	return nil, fmt.Errorf("tlog: witness of %s returned no cosignature of its key", w.Party)
}
