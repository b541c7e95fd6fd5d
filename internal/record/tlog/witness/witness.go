// Package witness is a party's transparency-log witness: an HTTP server
// implementing c2sp.org/tlog-witness for the center's log. It pins the
// log's origin and verifier key, keeps the newest checkpoint it cosigned in
// its own small SQLite file (fsync'd before it answers), and cosigns a new
// checkpoint only if it is consistent with that one, with its own Ed25519
// key (c2sp.org/tlog-cosignature).
//
// Each party runs its own witness, so that the center — or its chair —
// cannot show different parties different histories, nor roll its history
// back, without the parties' witnesses refusing.
//
// POST /add-checkpoint answers, as the specification says:
//
//	200 the cosignature line(s)
//	400 a malformed request, or an old size above the checkpoint's
//	403 no signature by the pinned log key
//	404 a checkpoint of another origin
//	409 the old size is not the size last cosigned (the body is that size,
//	    Content-Type text/x.tlog.size), or the same size with another hash
//	422 the consistency proof does not verify
package witness

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Config configures a Witness.
type Config struct {
	// Name is the witness's key name, such as "witness/IQ"; no spaces or
	// '+'.
	Name string
	// Key is the witness's Ed25519 private key.
	Key crypto.Signer
	// StatePath is the witness's SQLite file, created if missing.
	StatePath string
	// LogKey is the log's c2sp.org/signed-note verifier key; its name is
	// the log's origin, the only one this witness serves.
	LogKey string
	// Logger receives one line per refused request; nil discards.
	Logger *slog.Logger
}

// Witness is a running witness. It is safe for concurrent use.
type Witness struct {
	signer *torchwood.CosignatureSigner
	log    note.Verifier
	db     *sql.DB
	logger *slog.Logger
	mux    *http.ServeMux

	mu sync.Mutex // serializes check-and-update of the state
}

// maxRequest bounds an add-checkpoint body: 63 proof lines and a
// checkpoint with a few signatures fit in far less.
const maxRequest = 64 << 10

// New opens the witness's state and returns the witness.
func New(ctx context.Context, cfg Config) (*Witness, error) {
	signer, err := torchwood.NewCosignatureSigner(cfg.Name, cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("witness: key: %w", err)
	}
	lv, err := note.NewVerifier(cfg.LogKey)
	if err != nil {
		return nil, fmt.Errorf("witness: log key %q: %w", cfg.LogKey, err)
	}
	db, err := openState(ctx, cfg.StatePath)
	if err != nil {
		return nil, err
	}
	w := &Witness{signer: signer, log: lv, db: db, logger: cfg.Logger, mux: http.NewServeMux()}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	w.mux.HandleFunc("POST /add-checkpoint", w.serveAddCheckpoint)
	return w, nil
}

func openState(ctx context.Context, path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("witness: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS log (
			origin TEXT PRIMARY KEY,
			size   INTEGER NOT NULL,
			hash   BLOB NOT NULL,
			note   BLOB NOT NULL -- the checkpoint last cosigned, as received
		) STRICT`); err != nil {
		db.Close()
		return nil, fmt.Errorf("witness: state %s: %w", path, err)
	}
	return db, nil
}

// Close closes the witness's state.
func (w *Witness) Close() error { return w.db.Close() }

// ServeHTTP serves the witness's HTTP interface.
func (w *Witness) ServeHTTP(rw http.ResponseWriter, r *http.Request) { w.mux.ServeHTTP(rw, r) }

// VerifierKey is the witness's c2sp.org/tlog-cosignature verifier key.
func (w *Witness) VerifierKey() string { return w.signer.Verifier().String() }

// Origin is the origin of the log the witness serves.
func (w *Witness) Origin() string { return w.log.Name() }

// Latest returns the size and hash of the checkpoint the witness last
// cosigned; size 0 if none.
func (w *Witness) Latest(ctx context.Context) (int64, tlog.Hash, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	size, hash, _, err := w.latest(ctx, w.db)
	return size, hash, err
}

// The refusals, with their status codes.
var (
	errBadRequest = errors.New("witness: malformed request")
	errOldSize    = errors.New("witness: old size above the checkpoint size")
	errUnknownLog = errors.New("witness: unknown log origin")
	errSignature  = errors.New("witness: no valid signature by the log's key")
	errProof      = errors.New("witness: consistency proof does not verify")
)

// conflictError is a 409: the old size is not the size last cosigned, or
// the size matches with another hash.
type conflictError struct {
	size int64
	fork bool
}

func (e *conflictError) Error() string {
	if e.fork {
		return fmt.Sprintf("witness: size %d was cosigned with another tree hash", e.size)
	}
	return fmt.Sprintf("witness: last cosigned size is %d", e.size)
}

func (w *Witness) serveAddCheckpoint(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxRequest))
	if err != nil {
		http.Error(rw, "witness: request too large or unreadable", http.StatusBadRequest)
		return
	}
	cosig, err := w.AddCheckpoint(r.Context(), body)
	var conflict *conflictError
	switch {
	case err == nil:
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write(cosig)
		return
	case errors.As(err, &conflict):
		w.logger.Warn("witness: refused a checkpoint", "err", err)
		rw.Header().Set("Content-Type", "text/x.tlog.size")
		rw.WriteHeader(http.StatusConflict)
		fmt.Fprintf(rw, "%d\n", conflict.size)
		return
	}
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, errOldSize):
		code = http.StatusBadRequest
	case errors.Is(err, errSignature):
		code = http.StatusForbidden
	case errors.Is(err, errUnknownLog):
		code = http.StatusNotFound
	case errors.Is(err, errProof):
		code = http.StatusUnprocessableEntity
	}
	w.logger.Warn("witness: refused a checkpoint", "status", code, "err", err)
	http.Error(rw, err.Error(), code)
}

// AddCheckpoint processes an add-checkpoint request body and returns the
// cosignature line(s), or an error that ServeHTTP maps to its status.
func (w *Witness) AddCheckpoint(ctx context.Context, body []byte) ([]byte, error) {
	head, signed, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return nil, fmt.Errorf("%w: no blank line before the checkpoint", errBadRequest)
	}
	lines := strings.Split(string(head), "\n")
	sizeText, ok := strings.CutPrefix(lines[0], "old ")
	oldSize, err := strconv.ParseInt(sizeText, 10, 64)
	if !ok || err != nil || oldSize < 0 || strconv.FormatInt(oldSize, 10) != sizeText {
		return nil, fmt.Errorf("%w: bad old size line %q", errBadRequest, lines[0])
	}
	if len(lines)-1 > 63 {
		return nil, fmt.Errorf("%w: more than 63 proof lines", errBadRequest)
	}
	proof := make(tlog.TreeProof, len(lines)-1)
	for i, l := range lines[1:] {
		if proof[i], err = tlog.ParseHash(l); err != nil {
			return nil, fmt.Errorf("%w: bad proof line %d", errBadRequest, i+1)
		}
	}
	origin, _, _ := strings.Cut(string(signed), "\n")
	if origin != w.log.Name() {
		return nil, fmt.Errorf("%w: %q", errUnknownLog, origin)
	}
	n, err := note.Open(signed, note.VerifierList(w.log))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return nil, fmt.Errorf("%w: %w", errSignature, err)
		}
		return nil, fmt.Errorf("%w: %w", errBadRequest, err)
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || c.Origin != w.log.Name() {
		return nil, fmt.Errorf("%w: checkpoint: %w", errBadRequest, err)
	}
	if oldSize > c.N {
		return nil, fmt.Errorf("%w: old %d, checkpoint %d", errOldSize, oldSize, c.N)
	}
	if oldSize == 0 && len(proof) > 0 {
		return nil, fmt.Errorf("%w: a proof from size 0", errBadRequest)
	}

	// Check and update atomically: two requests racing must not roll the
	// state back.
	w.mu.Lock()
	defer w.mu.Unlock()
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	defer tx.Rollback()
	knownSize, knownHash, found, err := w.latest(ctx, tx)
	if err != nil {
		return nil, err
	}
	switch {
	case knownSize != oldSize:
		return nil, &conflictError{size: knownSize}
	case oldSize == c.N:
		if found && knownHash != c.Hash {
			return nil, &conflictError{size: knownSize, fork: true}
		}
		if !found && c.Hash != emptyTreeHash {
			return nil, fmt.Errorf("%w: a tree of size 0 with a hash that is not the empty tree's", errProof)
		}
	case oldSize > 0:
		if err := tlog.CheckTree(proof, c.N, c.Hash, oldSize, knownHash); err != nil {
			return nil, fmt.Errorf("%w: from %d to %d", errProof, oldSize, c.N)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO log (origin, size, hash, note) VALUES (?, ?, ?, ?)
		ON CONFLICT (origin) DO UPDATE SET size = excluded.size, hash = excluded.hash, note = excluded.note`,
		c.Origin, c.N, c.Hash[:], signed); err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	cosigned, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
	if err != nil {
		return nil, fmt.Errorf("witness: cosign: %w", err)
	}
	i := bytes.LastIndex(cosigned, []byte("\n\n"))
	return cosigned[i+2:], nil
}

// emptyTreeHash is the hash of the tree of size 0: SHA-256 of nothing.
var emptyTreeHash = func() tlog.Hash {
	h, _ := tlog.TreeHash(0, nil)
	return h
}()

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (w *Witness) latest(ctx context.Context, q querier) (size int64, hash tlog.Hash, found bool, err error) {
	var h []byte
	err = q.QueryRowContext(ctx, `SELECT size, hash FROM log WHERE origin = ?`, w.log.Name()).Scan(&size, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, tlog.Hash{}, false, nil
	}
	if err != nil {
		return 0, tlog.Hash{}, false, fmt.Errorf("witness: state: %w", err)
	}
	if len(h) != tlog.HashSize {
		return 0, tlog.Hash{}, false, fmt.Errorf("witness: state: a hash of %d bytes", len(h))
	}
	return size, tlog.Hash(h), true, nil
}

// LoadOrCreateKey reads an Ed25519 key from path (its 32-byte seed in
// base64), creating the file with mode 0600 and a new key if it does not
// exist.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("witness: generate key: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("witness: key file: %w", err)
		}
		if _, err := f.WriteString(base64.StdEncoding.EncodeToString(priv.Seed()) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("witness: key file: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("witness: key file: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("witness: key file: %w", err)
		}
		return priv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: key file: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("witness: key file %s does not hold a base64 Ed25519 seed", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
