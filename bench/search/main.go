// Command search compares Tabadul's search with Bleve v2 on the same
// reproducible multilingual corpus: indexing throughput, query latency,
// recall on spelling variants with known ground truth, and size on disk.
//
//	cd bench && go run ./search -docs 100000 -out /tmp/searchbench
//
// The corpus: documents of about 1 KB, a quarter each in Arabic, Persian,
// Russian and English, generated with a fixed seed by a Markov walk over
// real text read at run time — the UDHR in the four languages
// (shared/testdata/lang/corpus, MIT) and the seed article — with planted
// spelling variants (hamza and alef forms, ة/ه, ى/ي, tashkeel, tatweel,
// proclitics, Arabic-Indic digits, Persian ی/ي ک/ك and ZWNJ, Russian ё/е,
// English case), rare names and observables (IPs, domains, hashes, CVE
// ids), each planted into a known set of documents.
//
// Tabadul indexes through its real write path: a durable SQLite store,
// reports submitted by Recorder.SubmitReport from 32 goroutines or, with
// -tabadul-batch N (the published runs use 1000, as Bleve's batches), by
// Recorder.SubmitReports of N reports from two goroutines, analyzed by
// analyze.Indexer. Bleve indexes the same text in batches (durable, its
// default), one document type per language with that language's analyzer
// from bleve's analysis/lang.
//
// Each query is run once to warm up, then timed -rounds times on each
// engine, asking for the top 20 hits with the total and the facets;
// recall counts the planted documents found in the whole result set. The
// results go to OUT/results.md (Markdown) and OUT/queries.tsv (one line
// per query), and are printed. A -query-only run writes
// results-query-only.md and queries-query-only.tsv instead.
//
// -query-only reuses the indexes in OUT from an earlier run of the same
// corpus, to time or profile queries again (-cpuprofile profiles the
// timed query rounds, each sample labeled with its engine;
// -index-cpuprofile, Tabadul's indexing; -bleve-index-cpuprofile,
// Bleve's). scripts/pgo.sh builds the profiles that Go's profile-guided
// optimization compiles this program and Tabadul with from these.
//
// The timed rounds take turns: each runs the same shuffled queries on one
// engine and then on the other, the first alternating from round to
// round, so that a slow spell of a shared machine falls on both alike.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	var cfg Config
	flag.IntVar(&cfg.Docs, "docs", 5000, "documents to generate (5000 is the smoke run)")
	flag.StringVar(&cfg.Out, "out", "", "directory for the indexes and the results (required)")
	flag.Uint64Var(&cfg.Seed, "seed", 20261201, "the corpus's random seed")
	flag.IntVar(&cfg.DocBytes, "doc-bytes", 1000, "about how long a document is, in bytes")
	flag.IntVar(&cfg.Rounds, "rounds", 5, "timed runs of each query on each engine, after a warm-up")
	flag.IntVar(&cfg.TopK, "top", 20, "hits a timed query asks for")
	flag.IntVar(&cfg.BleveBatch, "batch", 1000, "documents per Bleve batch")
	flag.BoolVar(&cfg.BleveSnippets, "bleve-snippets", true, "Bleve stores the text and returns highlighted fragments, as Tabadul returns snippets; false: Bleve keeps the index alone and returns ids")
	flag.IntVar(&cfg.TabadulBatch, "tabadul-batch", 0, "reports per Tabadul write (Recorder.SubmitReports); 0: one SubmitReport per report from 32 goroutines")
	flag.BoolVar(&cfg.QueryOnly, "query-only", false, "reuse the indexes in -out from an earlier run of the same corpus")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the timed query rounds to this file, each sample labeled engine=tabadul or engine=bleve (go tool pprof -tagfocus engine=tabadul)")
	flag.StringVar(&cfg.IndexCPUProfile, "index-cpuprofile", "", "write a CPU profile of Tabadul's indexing to this file")
	flag.StringVar(&cfg.IndexTrace, "index-trace", "", "write an execution trace of Tabadul's indexing to this file (go tool trace)")
	flag.StringVar(&cfg.BleveIndexCPUProfile, "bleve-index-cpuprofile", "", "write a CPU profile of Bleve's indexing to this file")
	flag.BoolVar(&cfg.NoRecall, "no-recall", false, "skip the recall pass (for profiling runs)")
	flag.StringVar(&cfg.Backend, "backend", backendSQLite, "the store Tabadul runs on: sqlite, or postgres (a throwaway durable server of Debian's postgresql package, started for the run)")
	flag.StringVar(&cfg.Sources.UDHR, "udhr", "", "the UDHR corpus (default: shared/testdata/lang/corpus/udhr_ar_fa_ru_en.tsv beside the repository)")
	flag.StringVar(&cfg.Sources.Article, "article", "", "the seed article (default: internal/demo/article-ar.txt in the repository)")
	flag.Parse()
	if cfg.Out == "" || cfg.Docs < len(langs) || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run ./search -docs N -out DIR [flags]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if err := defaultSources(&cfg.Sources); err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
	cfg.Log = os.Stderr
	res, err := Run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "search:", err)
		os.Exit(1)
	}
	md := res.Markdown()
	fmt.Print(md)
	// A query-only run keeps the full run's results.
	suffix := ""
	if cfg.QueryOnly {
		suffix = "-query-only"
	}
	for name, text := range map[string]string{"results" + suffix + ".md": md, "queries" + suffix + ".tsv": res.TSV()} {
		if err := os.WriteFile(filepath.Join(cfg.Out, name), []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "search:", err)
			os.Exit(1)
		}
	}
}

// defaultSources fills in the paths of the source text from the
// repository's root, found by walking up from the working directory.
func defaultSources(s *Sources) error {
	if s.UDHR != "" && s.Article != "" {
		return nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(string(mod), "module github.com/tabadul/tabadul\n") {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return fmt.Errorf("not inside the tabadul repository; set -udhr and -article")
		}
		dir = parent
	}
	if s.UDHR == "" {
		s.UDHR = filepath.Join(dir, "..", "shared", "testdata", "lang", "corpus", "udhr_ar_fa_ru_en.tsv")
	}
	if s.Article == "" {
		s.Article = filepath.Join(dir, "internal", "demo", "article-ar.txt")
	}
	return nil
}
