package tlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Authenticate resolves a request's credentials to the calling party. An
// error wrapping center.ErrUnauthenticated is answered 401; any other, 500.
type Authenticate func(r *http.Request) (center.PartyCode, error)

// Handler serves the log as c2sp.org/tlog-tiles under /log/:
//
//	GET /log/checkpoint              the latest published checkpoint, with its cosignatures
//	GET /log/tile/<L>/<N>[.p/<W>]    hash tiles
//	GET /log/tile/entries/<N>[.p/<W>] entry bundles
//
// It serves only what lies within the latest published checkpoint: a tile
// or bundle beyond it is 404, as is everything before the first
// publication. Full tiles never change and are cacheable for a year by the
// caller; they are marked private, because the log shows who acted when and
// only parties may read it: every request must authenticate (auth).
func Handler(r store.Reader, auth Authenticate, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &handler{r: r, auth: auth, log: logger}
}

type handler struct {
	r    store.Reader
	auth Authenticate
	log  *slog.Logger
}

// Cache-Control values: the checkpoint changes; tiles do not.
const (
	cacheCheckpoint  = "no-cache"
	cacheFullTile    = "private, max-age=31536000, immutable"
	cachePartialTile = "private, max-age=60"
)

func (h *handler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "tlog: method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if _, err := h.auth(req); err != nil {
		if errors.Is(err, center.ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer, Basic realm="tabadul log"`)
			http.Error(w, "tlog: the log is for the center's parties: authenticate with an API token", http.StatusUnauthorized)
			return
		}
		h.fail(w, req, err)
		return
	}
	path, ok := strings.CutPrefix(req.URL.Path, "/log/")
	if !ok {
		http.NotFound(w, req)
		return
	}
	ctx := req.Context()
	cp, err := h.r.LatestCheckpoint(ctx, true)
	if errors.Is(err, center.ErrNotFound) {
		http.Error(w, "tlog: no checkpoint has been published yet", http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, req, err)
		return
	}
	if path == "checkpoint" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", cacheCheckpoint)
		w.Write(cp.Signed())
		return
	}
	t, err := torchwood.ParseTilePath(path)
	if err != nil || torchwood.TilePath(t) != path {
		http.NotFound(w, req)
		return
	}
	if !withinTree(t, cp.Size) {
		http.Error(w, "tlog: beyond the latest published checkpoint", http.StatusNotFound)
		return
	}
	var data []byte
	if t.L == -1 {
		data, err = EntryBundle(ctx, h.r, t.N*torchwood.TileWidth, int64(t.W))
	} else {
		data, err = tlog.ReadTileData(t, HashReader(ctx, h.r))
	}
	if err != nil {
		h.fail(w, req, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if t.W == torchwood.TileWidth {
		w.Header().Set("Cache-Control", cacheFullTile)
	} else {
		w.Header().Set("Cache-Control", cachePartialTile)
	}
	w.Write(data)
}

// withinTree reports whether tile t lies within a tree of size n.
func withinTree(t tlog.Tile, n int64) bool {
	if t.H != torchwood.TileHeight || t.W < 1 || t.W > torchwood.TileWidth || t.N < 0 || t.N >= 1<<40 {
		return false
	}
	level := max(t.L, 0)
	end := t.N*torchwood.TileWidth + int64(t.W) // in units of 256^level entries
	if level > 0 && end > n>>(8*level) {
		return false
	}
	return end<<(8*level) <= n
}

// EntryBundle returns the entries at indexes [start, start+count) as a
// c2sp.org/tlog-tiles entry bundle.
// An index with no event row, or whose row cannot be encoded, is an error:
// the database was changed behind the write path's back.
func EntryBundle(ctx context.Context, r store.LogReader, start, count int64) ([]byte, error) {
	evs, err := r.LogEvents(ctx, start, start+count)
	if err != nil {
		return nil, err
	}
	var out []byte
	for i := range count {
		if int(i) >= len(evs) || evs[i].Index != start+i {
			return nil, fmt.Errorf("tlog: log entry %d has no event row", start+i)
		}
		b, err := EntryOf(evs[i].Event).Marshal()
		if err != nil {
			return nil, fmt.Errorf("tlog: log entry %d: %w", start+i, err)
		}
		if out, err = torchwood.AppendTileEntry(out, b); err != nil {
			return nil, fmt.Errorf("tlog: log entry %d: %w", start+i, err)
		}
	}
	return out, nil
}

func (h *handler) fail(w http.ResponseWriter, req *http.Request, err error) {
	h.log.ErrorContext(req.Context(), "tlog: serving the log", "path", req.URL.Path, "err", err)
	http.Error(w, fmt.Sprintf("tlog: internal error serving %s", req.URL.Path), http.StatusInternalServerError)
}
