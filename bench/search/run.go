package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strings"
	"time"
)

// Config is one run of the comparison.
type Config struct {
	Docs     int    // documents to generate
	Seed     uint64 // the corpus's seed
	DocBytes int    // about how long a document is
	Out      string // directory for the indexes and the report
	// Rounds is how many times each query is timed on each engine, after
	// one untimed warm-up run.
	Rounds int
	// TopK is how many hits a timed query asks for.
	TopK int
	// BleveBatch is how many documents go in one Bleve batch.
	BleveBatch int
	// BleveSnippets makes Bleve store the text and answer each query with
	// highlighted fragments of its hits, the job Tabadul's search does
	// (it stores every report and returns snippets); without it, Bleve
	// keeps only the index and returns ids.
	BleveSnippets bool
	// TabadulBatch, if positive, indexes Tabadul's reports in batches of
	// that many per write (Recorder.SubmitReports, from tabadulBatchers
	// goroutines) instead of one SubmitReport call per report from
	// tabadulWriters goroutines.
	TabadulBatch int
	// QueryOnly reuses the indexes a previous run with the same corpus
	// left in Out instead of building them.
	QueryOnly bool
	// CPUProfile, if set, is where a CPU profile of both engines' timed
	// query rounds is written; each sample is labeled engine=tabadul or
	// engine=bleve (go tool pprof -tagfocus engine=tabadul).
	CPUProfile string
	// IndexCPUProfile, if set, is where a CPU profile of Tabadul's
	// indexing is written.
	IndexCPUProfile string
	// BleveIndexCPUProfile is the same of Bleve.
	BleveIndexCPUProfile string
	// IndexTrace, if set, is where an execution trace of Tabadul's
	// indexing goes: which goroutine waits, and for what.
	IndexTrace string
	// NoRecall skips the recall pass (for profiling runs).
	NoRecall bool
	// Backend is the store Tabadul runs on: "sqlite" (the default) or
	// "postgres", a throwaway durable server started for the run.
	Backend string
	Sources Sources
	Log     io.Writer
}

// Engine is one engine's figures.
type Engine struct {
	Index   time.Duration // wall time to index the corpus
	Size    int64         // bytes on disk
	FTSSize int64         // of which the full-text index, -1 if unknown
	// Lat holds every timed query's latency, by category.
	Lat map[string][]time.Duration
	// Found and Want count, per category of query with ground truth, the
	// ground-truth documents found and expected over all its queries.
	Found, Want map[string]int
}

// QueryResult is one query's figures on both engines.
type QueryResult struct {
	Query                Query
	TotalT, TotalB       int
	LatT, LatB           []time.Duration
	FoundT, FoundB, Want int
}

// Result is a whole run.
type Result struct {
	Config      Config
	CorpusBytes int64
	Started     time.Time
	T, B        Engine
	Queries     []*QueryResult
}

func (c *Config) defaults() {
	if c.Seed == 0 {
		c.Seed = 20261201
	}
	if c.DocBytes == 0 {
		c.DocBytes = 1000
	}
	if c.Rounds == 0 {
		c.Rounds = 5
	}
	if c.TopK == 0 {
		c.TopK = 20
	}
	if c.BleveBatch == 0 {
		c.BleveBatch = 1000
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Backend == "" {
		c.Backend = backendSQLite
	}
}

func (c Config) params() string {
	return fmt.Sprintf("docs=%d seed=%d docbytes=%d bleve-snippets=%v\n", c.Docs, c.Seed, c.DocBytes, c.BleveSnippets)
}

// Run generates the corpus, indexes it in both engines (unless
// QueryOnly), times the query set on each and measures recall.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg.defaults()
	res := &Result{Config: cfg, Started: time.Now()}
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Log, format+"\n", args...) }

	t0 := time.Now()
	corpus, err := Generate(cfg.Sources, cfg.Docs, cfg.Seed, cfg.DocBytes)
	if err != nil {
		return nil, err
	}
	res.CorpusBytes = corpus.Bytes
	logf("generated %d documents, %.1f MB, in %v", len(corpus.Docs), float64(corpus.Bytes)/1e6, time.Since(t0).Round(time.Millisecond))

	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	paramsFile := filepath.Join(cfg.Out, "params.txt")
	if cfg.QueryOnly && cfg.Backend != backendSQLite {
		return nil, fmt.Errorf("-query-only reuses a SQLite store; the %s store lives as long as its run", cfg.Backend)
	}
	if cfg.QueryOnly {
		if p, err := os.ReadFile(paramsFile); err != nil || string(p) != cfg.params() {
			return nil, fmt.Errorf("%s holds no indexes of this corpus (%s); run without -query-only first", cfg.Out, strings.TrimSpace(cfg.params()))
		}
	} else {
		for _, p := range []string{tabadulDB, tabadulDB + "-wal", tabadulDB + "-shm", tabadulIDs, bleveDir, "params.txt"} {
			if err := os.RemoveAll(filepath.Join(cfg.Out, p)); err != nil {
				return nil, err
			}
		}
	}

	// Tabadul.
	tb, err := openTabadul(ctx, cfg.Out, cfg.Backend)
	if err != nil {
		return nil, err
	}
	defer tb.Close()
	if cfg.QueryOnly {
		if err := tb.loadIDs(cfg.Out); err != nil {
			return nil, err
		}
	} else {
		runtime.GC()
		if cfg.TabadulBatch > 0 {
			logf("tabadul: indexing %d documents in batches of %d from %d goroutines…", cfg.Docs, cfg.TabadulBatch, tabadulBatchers)
		} else {
			logf("tabadul: indexing %d documents from %d goroutines, one report a write…", cfg.Docs, tabadulWriters)
		}
		stop, err := startProfile(cfg.IndexCPUProfile)
		if err != nil {
			return nil, err
		}
		stopTrace, err := startTrace(cfg.IndexTrace)
		if err != nil {
			stop()
			return nil, err
		}
		res.T.Index, err = tb.index(ctx, cfg.Out, corpus.Docs, cfg.TabadulBatch)
		stopTrace()
		stop()
		if err != nil {
			return nil, err
		}
		logf("tabadul: indexed in %v (%.0f docs/s)", res.T.Index.Round(time.Millisecond), rate(cfg.Docs, res.T.Index))
	}
	if res.T.Size, res.T.FTSSize, err = tb.size(ctx); err != nil {
		return nil, err
	}

	// Bleve.
	var bl *bleveIndex
	if cfg.QueryOnly {
		bl, err = openBleve(cfg.Out, cfg.BleveSnippets)
	} else {
		runtime.GC()
		if bl, err = createBleve(cfg.Out, cfg.BleveSnippets); err != nil {
			return nil, err
		}
		logf("bleve: indexing %d documents in batches of %d…", cfg.Docs, cfg.BleveBatch)
		stop, err := startProfile(cfg.BleveIndexCPUProfile)
		if err != nil {
			bl.Close()
			return nil, err
		}
		res.B.Index, err = bl.index(corpus.Docs, cfg.BleveBatch)
		stop()
		if err != nil {
			bl.Close()
			return nil, err
		}
		logf("bleve: indexed in %v (%.0f docs/s)", res.B.Index.Round(time.Millisecond), rate(cfg.Docs, res.B.Index))
		c0 := time.Now()
		if err := bl.Close(); err != nil {
			return nil, err
		}
		logf("bleve: closed in %v", time.Since(c0).Round(time.Millisecond))
		bl, err = openBleve(cfg.Out, cfg.BleveSnippets)
	}
	if err != nil {
		return nil, err
	}
	defer bl.Close()
	if res.B.Size, err = dirSize(filepath.Join(cfg.Out, bleveDir)); err != nil {
		return nil, err
	}
	res.B.FTSSize = res.B.Size
	if !cfg.QueryOnly {
		if err := os.WriteFile(paramsFile, []byte(cfg.params()), 0o644); err != nil {
			return nil, err
		}
	}

	// The query set.
	qs := Queries(corpus, func(l, w string) bool { return tabadulContentWord(l, w) && bl.contentWord(l, w) })
	for _, q := range qs {
		qr := &QueryResult{Query: q}
		if q.Group != nil {
			qr.Want = len(q.Group.Docs)
		}
		res.Queries = append(res.Queries, qr)
	}
	logf("%d queries, %d timed rounds each after a warm-up, top %d", len(qs), cfg.Rounds, cfg.TopK)

	type engine struct {
		name   string
		search func(context.Context, Query, int) (int, error)
		lat    func(*QueryResult) *[]time.Duration
		total  func(*QueryResult) *int
		took   time.Duration
	}
	engines := []*engine{
		{name: "tabadul", search: tb.search, lat: func(r *QueryResult) *[]time.Duration { return &r.LatT }, total: func(r *QueryResult) *int { return &r.TotalT }},
		{name: "bleve", search: bl.search, lat: func(r *QueryResult) *[]time.Duration { return &r.LatB }, total: func(r *QueryResult) *int { return &r.TotalB }},
	}
	// The warm-up round, which also counts each query's matches.
	for _, e := range engines {
		runtime.GC()
		for _, qr := range res.Queries {
			n, err := e.search(ctx, qr.Query, cfg.TopK)
			if err != nil {
				return nil, err
			}
			*e.total(qr) = n
		}
	}
	// The timed rounds take turns: each round runs the same shuffled
	// queries on one engine and then on the other, the first engine
	// alternating, so that a slow spell of a shared machine falls on both
	// engines alike rather than on whichever ran then.
	stop, err := startProfile(cfg.CPUProfile)
	if err != nil {
		return nil, err
	}
	order := slices.Clone(res.Queries)
	for r := range cfg.Rounds {
		rand.New(rand.NewPCG(cfg.Seed, uint64(r))).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for k := range engines {
			e := engines[(r+k)%len(engines)]
			runtime.GC()
			var err error
			pprof.Do(ctx, pprof.Labels("engine", e.name), func(ctx context.Context) {
				start := time.Now()
				for _, qr := range order {
					t := time.Now()
					if _, err = e.search(ctx, qr.Query, cfg.TopK); err != nil {
						return
					}
					*e.lat(qr) = append(*e.lat(qr), time.Since(t))
				}
				e.took += time.Since(start)
			})
			if err != nil {
				stop()
				return nil, err
			}
		}
	}
	stop()
	for _, e := range engines {
		logf("%s: %d timed queries in %v", e.name, cfg.Rounds*len(qs), e.took.Round(time.Millisecond))
	}

	// Recall over the whole result set.
	for _, qr := range res.Queries {
		g := qr.Query.Group
		if g == nil || cfg.NoRecall {
			continue
		}
		ft, err := tb.all(ctx, qr.Query)
		if err != nil {
			return nil, err
		}
		fb, err := bl.all(ctx, qr.Query, cfg.Docs)
		if err != nil {
			return nil, err
		}
		for _, d := range g.Docs {
			if ft[d] {
				qr.FoundT++
			}
			if fb[d] {
				qr.FoundB++
			}
		}
	}
	res.T.Lat, res.B.Lat = map[string][]time.Duration{}, map[string][]time.Duration{}
	res.T.Found, res.T.Want = map[string]int{}, map[string]int{}
	res.B.Found, res.B.Want = map[string]int{}, map[string]int{}
	for _, qr := range res.Queries {
		c := qr.Query.Cat
		res.T.Lat[c] = append(res.T.Lat[c], qr.LatT...)
		res.B.Lat[c] = append(res.B.Lat[c], qr.LatB...)
		if qr.Query.Group != nil {
			res.T.Found[c] += qr.FoundT
			res.B.Found[c] += qr.FoundB
			res.T.Want[c] += qr.Want
			res.B.Want[c] += qr.Want
		}
	}
	return res, nil
}

// startProfile starts a CPU profile to path, if path is set, and returns
// the function that stops it.
func startProfile(path string) (stop func(), err error) {
	return startRecording(path, pprof.StartCPUProfile, pprof.StopCPUProfile)
}

// startTrace starts an execution trace to path, if path is set, and
// returns the function that stops it.
func startTrace(path string) (stop func(), err error) {
	return startRecording(path, trace.Start, trace.Stop)
}

// startRecording creates path and starts writing to it with start, if
// path is set, and returns the function that stops and closes it.
func startRecording(path string, start func(io.Writer) error, stop func()) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { stop(); f.Close() }, nil
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// Recall is the share of the ground-truth documents found by the queries
// of category c.
func (e Engine) Recall(c string) float64 {
	if e.Want[c] == 0 {
		return 0
	}
	return float64(e.Found[c]) / float64(e.Want[c])
}

// All is every latency of every category.
func (e Engine) All() []time.Duration {
	var all []time.Duration
	for _, c := range cats {
		all = append(all, e.Lat[c]...)
	}
	return all
}

// percentile returns the p-quantile (0 < p ≤ 1) of ds, nearest rank.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}
