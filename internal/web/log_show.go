package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/tabadul/tabadul/internal/center"
)

// logView is the transparency log's state: its size, the latest published
// checkpoint and the witnesses that cosigned it.
type logView struct {
	Size         string
	HasPublished bool
	Checkpoint   string
	Published    string
	PublishedISO string
	// Pending counts entries not yet in a published checkpoint.
	Pending   int
	Witnesses []witnessRow
}

type witnessRow struct {
	Party    string
	Key      string
	URL      string
	Cosigned bool
}

// showLog shows where the transparency log stands. It shows who acted
// when, never content, like the log itself.
func (s *Server) showLog(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	size, err := s.store.LogSize(ctx)
	if err != nil {
		return err
	}
	view := logView{Size: v.L.Num(int(size))}
	cp, err := s.store.LatestCheckpoint(ctx, true)
	switch {
	case errors.Is(err, center.ErrNotFound):
		view.Pending = int(size)
	case err != nil:
		return err
	default:
		view.HasPublished = true
		view.Checkpoint = string(cp.Signed())
		view.Published = v.L.DateTime(cp.Published)
		view.PublishedISO = ISO(cp.Published)
		view.Pending = int(size - cp.Size)
	}
	dir, err := s.store.Directory(ctx)
	if err != nil {
		return err
	}
	ws, err := s.store.Witnesses(ctx)
	if err != nil {
		return err
	}
	for _, wt := range ws {
		view.Witnesses = append(view.Witnesses, witnessRow{
			Party: partyName(dir, v.L, wt.Party), Key: wt.VKey, URL: wt.URL,
			Cosigned: view.HasPublished && slices.Contains(cp.CosignedBy, wt.Party),
		})
	}
	return s.render(w, r, v, http.StatusOK, "log", v.L.T("log.title"), view)
}
