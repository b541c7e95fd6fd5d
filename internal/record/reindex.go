package record

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/parallel"
	"github.com/tabadul/tabadul/internal/record/store"
)

// reindexBatch is how many versions one reindexing write replaces: enough
// to spread the analysis over every core, few enough that submissions
// wait for no more than one batch.
const reindexBatch = 500

// IndexStale reports whether the search index was built by another
// analysis than the recorder's — an older release's, or none recorded — so
// that queries, analyzed today, would miss what the old analysis wrote
// differently. It is false without an analyzer.
func (r *Recorder) IndexStale(ctx context.Context) (bool, error) {
	a := r.indexAnalyzer()
	if a == nil {
		return false, nil
	}
	v, err := r.store.Meta(ctx, store.MetaIndexAnalysis)
	if err != nil {
		return false, err
	}
	return v != a.Analysis(), nil
}

// indexAnalyzer returns the analyzer of the recorder's search documents:
// the extractor, when there is one (prepare uses it), else the analyzer;
// nil if the recorder indexes nothing.
func (r *Recorder) indexAnalyzer() Analyzer {
	if r.extractor != nil {
		return r.extractor
	}
	return r.analyzer
}

// Reindex analyzes every version that is not purged again and replaces
// its search entry, a batch to a write, so that the center goes on
// recording meanwhile (versions recorded meanwhile are analyzed by the
// recorder's own analysis already). Then it records the analysis the
// index is built with. progress, if not nil, is called after each batch
// with the versions done so far. It returns how many versions it
// reindexed.
func (r *Recorder) Reindex(ctx context.Context, progress func(done int)) (done int, err error) {
	a := r.indexAnalyzer()
	if a == nil {
		return 0, fmt.Errorf("record: reindex: the recorder has no analyzer")
	}
	if rb, ok := r.store.(store.IndexRebuilder); ok {
		if err := rb.StartIndexRebuild(ctx); err != nil {
			return 0, err
		}
		// Finished on every return: a failed rebuild leaves the index
		// as usual, with the entries replaced so far.
		defer func() {
			if ferr := rb.FinishIndexRebuild(context.WithoutCancel(ctx)); ferr != nil && err == nil {
				err = ferr
			}
		}()
	}
	for after := int64(0); ; {
		vs, err := r.store.IndexableVersions(ctx, after, reindexBatch)
		if err != nil {
			return done, err
		}
		if len(vs) == 0 {
			break
		}
		docs := make([]store.SearchDoc, len(vs))
		parallel.For(len(vs), minDraftsPerWorker, func(i int) {
			docs[i], _ = a.AnalyzeReport(vs[i].Title, vs[i].Body, vs[i].Language)
		})
		err = r.update(ctx, func(tx store.Tx) error {
			for i, v := range vs {
				if err := tx.ReplaceIndex(ctx, v.Seq, docs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(vs)
		after = vs[len(vs)-1].Seq
		if progress != nil {
			progress(done)
		}
	}
	err = r.update(ctx, func(tx store.Tx) error { return tx.SetMeta(ctx, store.MetaIndexAnalysis, a.Analysis()) })
	return done, err
}
