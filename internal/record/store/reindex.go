package store

import "context"

// MetaIndexAnalysis is the meta key naming the analysis the search index
// was built with (see record.Recorder.IndexStale). A backend that finds
// its index may have missed a change deletes it, so that the index is
// rebuilt.
const MetaIndexAnalysis = "index_analysis"

// An IndexableVersion is a version's text as the search index analyzes it.
type IndexableVersion struct {
	Seq                   int64
	Title, Body, Language string
}

// ReindexTx rebuilds the search index when the analysis changes: the
// index holds each version's text as the analysis of its day read it, and
// a query is analyzed by today's.
type ReindexTx interface {
	// ReplaceIndex replaces a version's entry in the search index with
	// doc. For a purged version it does nothing: purging took its text
	// out of the index for good.
	ReplaceIndex(ctx context.Context, seq int64, doc SearchDoc) error
}

// ReindexReader reads the versions to analyze again.
type ReindexReader interface {
	// IndexableVersions returns up to limit versions that are not purged
	// with Seq > after, lowest Seq first.
	IndexableVersions(ctx context.Context, after int64, limit int) ([]IndexableVersion, error)
}

// An IndexRebuilder is a store that rebuilds its search index faster for
// knowing that every entry is about to be replaced. Recorder.Reindex
// calls StartIndexRebuild before its first batch and FinishIndexRebuild
// after its last, when the store has them. A store must come back to its
// usual state on its own after a start that was never finished: a
// process stopped in the middle.
type IndexRebuilder interface {
	StartIndexRebuild(ctx context.Context) error
	FinishIndexRebuild(ctx context.Context) error
}
