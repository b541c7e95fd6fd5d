package tlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"filippo.io/torchwood"
)

// hashesFrom reads stored hashes through a store's LogHashes.
type hashesFrom interface {
	LogHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// HashReader returns a tlog.HashReader over the log's stored hashes.
func HashReader(ctx context.Context, r hashesFrom) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return r.LogHashes(ctx, indexes)
	})
}

// overlay reads the hashes of a batch being appended from memory and the
// rest from base. The batch's hashes are consecutive from first.
type overlay struct {
	base   tlog.HashReader
	first  int64
	hashes []tlog.Hash
}

func (o *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var at []int
	for i, id := range indexes {
		if id >= o.first && id < o.first+int64(len(o.hashes)) {
			out[i] = o.hashes[id-o.first]
		} else {
			missing = append(missing, id)
			at = append(at, i)
		}
	}
	if len(missing) > 0 {
		hs, err := o.base.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[at[j]] = h
		}
	}
	return out, nil
}

// memHashes is a whole tree's stored hashes in memory, by stored-hash
// index: what an audit recomputes.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, id := range indexes {
		if id < 0 || id >= int64(len(m)) {
			return nil, fmt.Errorf("tlog: stored hash %d is beyond the tree", id)
		}
		out[i] = m[id]
	}
	return out, nil
}

// SignCheckpoint returns the c2sp.org/tlog-checkpoint of a tree signed with
// signer, whose name is the origin.
func SignCheckpoint(signer note.Signer, tree tlog.Tree) ([]byte, error) {
	text := torchwood.Checkpoint{Origin: signer.Name(), Tree: tree}.String()
	b, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		return nil, fmt.Errorf("tlog: sign checkpoint: %w", err)
	}
	return b, nil
}
