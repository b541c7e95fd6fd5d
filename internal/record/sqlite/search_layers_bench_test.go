package sqlite

import (
	"bufio"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

var (
	layersDB      = flag.String("layers.db", "", "BenchmarkSearchLayers: a store the search benchmark (bench/search) built")
	layersQueries = flag.String("layers.queries", "", "BenchmarkSearchLayers: the queries.tsv the search benchmark wrote")
	layersPrefix  = flag.Int("layers.prefix", 0, "BenchmarkSearchLayers: if > 0, time prefix queries instead: the first this many letters of each one-word query, and '*'")
	layersNewest  = flag.Bool("layers.newest", false, "BenchmarkSearchLayers: ask each query for its matches newest first (sort:newest)")
	layersParts   = flag.Int("layers.parts", 0, "BenchmarkSearchLayers: the store's Options.SearchParts")
)

// BenchmarkSearchLayers times the layers of a search, each over the whole
// query set of the search benchmark in shuffled rounds, as that benchmark
// runs them, and reports each layer's p50 and p99: FTS5's MATCH alone,
// then with bm25(), with the join to the viewer's report_views, both, the
// first page's ranking (its statement, split into parts when that pays,
// and the count and ranking in Go), the store's whole search (with the
// page's hits), and the whole search with the query's analysis and the
// snippets. It shows how much of a query is FTS5's own work. Run it on
// the store of a run of bench/search:
//
//	go test -run '^$' -bench SearchLayers -benchtime 1404x ./internal/record/sqlite/ \
//	    -args -layers.db DIR/tabadul.db -layers.queries DIR/queries.tsv
//
// With -layers.prefix N it times prefix queries instead: the first N
// letters of each of the set's one-word queries, and '*'; with
// -layers.newest, each query asks for its matches newest first; with
// -layers.parts N, the store splits a ranking into N parts (1: never).
func BenchmarkSearchLayers(b *testing.B) {
	ctx := context.Background()
	s, queries := openLayers(b, Options{SearchParts: *layersParts})
	if *layersPrefix > 0 {
		queries = prefixQueries(queries, *layersPrefix)
		b.Logf("%d prefix queries", len(queries))
	}
	if *layersNewest {
		for i := range queries {
			queries[i] += " sort:newest"
		}
	}
	const viewer center.PartyCode = "IQ" // the benchmark's viewer, who sees every report
	searcher := analyze.NewSearcher(s, analyze.StarterAliases())
	// statement runs one statement built from a query's MATCH expression
	// and its statement parts.
	statement := func(build func(match string, sq searchSQL) (string, []any)) func(string) error {
		return func(query string) error {
			sq, ok, err := compiledSearch(s, viewer, query)
			if !ok || err != nil {
				return err
			}
			// The MATCH expression, as searchSQL binds it.
			q, args := build(sq.args[1].(string), sq)
			rows, err := s.rd.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			return rows.Close()
		}
	}
	const window = `ORDER BY search.rowid DESC LIMIT 5000`
	for _, layer := range []struct {
		name string
		run  func(string) error
	}{
		{"match", statement(func(m string, _ searchSQL) (string, []any) {
			return `SELECT count(*) FROM (SELECT rowid FROM search WHERE search MATCH ? ` + window + `)`, []any{m}
		})},
		{"match+bm25", statement(func(m string, _ searchSQL) (string, []any) {
			return `SELECT sum(s) FROM (SELECT bm25(search, 1, 1, 0) s FROM search WHERE search MATCH ? ` + window + `)`, []any{m}
		})},
		{"match+bm25+top20", statement(func(m string, _ searchSQL) (string, []any) {
			return `SELECT * FROM (SELECT rowid, bm25(search, 1, 1, 0) s FROM search WHERE search MATCH ? ` + window + `) ORDER BY s LIMIT 20`, []any{m}
		})},
		{"match+join", statement(func(_ string, sq searchSQL) (string, []any) {
			return `SELECT count(*) FROM (SELECT rv.seq FROM ` + sq.from + ` WHERE ` + sq.where + ` ` + window + `)`, sq.args
		})},
		{"match+join+bm25", statement(func(_ string, sq searchSQL) (string, []any) {
			return `SELECT sum(s) FROM (SELECT ` + sq.score + ` s FROM ` + sq.from + ` WHERE ` + sq.where + ` ` + window + `)`, sq.args
		})},
		{"window", func(q string) error {
			sq, ok, err := compiledSearch(s, viewer, q)
			if !ok || err != nil {
				return err
			}
			_, _, _, _, err = sq.countWindow(ctx, 5000, 21)
			return err
		}},
		{"store", func(q string) error {
			// The store's whole search (ranking, facets, the page's
			// hits) without the query's analysis and the snippets.
			text, filter, err := analyze.CompileFilter(q)
			if err != nil || text.Empty() {
				return err
			}
			_, err = s.Search(ctx, viewer, store.SearchQuery{Text: text, Filter: filter, Window: analyze.DefaultWindow, Limit: 20})
			return err
		}},
		{"search", func(q string) error {
			_, err := searcher.Search(ctx, viewer, q, 0, 20)
			return err
		}},
	} {
		b.Run(layer.name, func(b *testing.B) {
			for _, q := range queries { // a warm-up round
				if err := layer.run(q); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
			}
			order := slices.Clone(queries)
			var took []time.Duration
			for i := 0; b.Loop(); i++ {
				if i%len(order) == 0 {
					rand.New(rand.NewPCG(1, uint64(i))).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				}
				start := time.Now()
				if err := layer.run(order[i%len(order)]); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// openLayers opens the store and reads the queries of -layers.db and
// -layers.queries, and skips the benchmark without them.
func openLayers(b *testing.B, opts Options) (*Store, []string) {
	b.Helper()
	if *layersDB == "" || *layersQueries == "" {
		b.Skip("needs -layers.db and -layers.queries")
	}
	s, err := Open(context.Background(), *layersDB, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	queries, err := readLayerQueries(*layersQueries)
	if err != nil {
		b.Fatal(err)
	}
	return s, queries
}

// compiledSearch returns the statement parts of viewer's query, and
// false for a query without text, which no index layer times.
func compiledSearch(s *Store, viewer center.PartyCode, query string) (searchSQL, bool, error) {
	text, filter, err := analyze.CompileFilter(query)
	if err != nil || text.Empty() {
		return searchSQL{}, false, err
	}
	sq, err := s.searchSQL(context.Background(), viewer, store.SearchQuery{Text: text, Filter: filter})
	return sq, err == nil, err
}

// prefixQueries turns each one-word query of more than n letters into
// the prefix query of its first n letters, once each; marks and tatweel,
// which the analysis drops, are taken along.
func prefixQueries(queries []string, n int) []string {
	var out []string
	for _, q := range queries {
		r := []rune(q)
		if strings.ContainsAny(q, ` "*:`) || !unicode.IsLetter(r[0]) {
			continue
		}
		for end := n; end < len(r); end++ {
			p := string(r[:end]) + "*"
			if _, err := analyze.Parse(p); err != nil {
				continue // fewer than n letters as analyzed
			}
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
			break
		}
	}
	return out
}

// readLayerQueries reads the query column of the search benchmark's
// queries.tsv.
func readLayerQueries(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if cols := strings.Split(sc.Text(), "\t"); !first && len(cols) > 1 {
			out = append(out, cols[1])
		}
	}
	return out, sc.Err()
}

// BenchmarkSearchParts times each query's first-page ranking (countWindow)
// in one statement and split as the store splits it, in turn, and reports
// the mean of each by how many matches the query has: the split pays
// where the matches are many but fewer than the window, and should cost
// nothing elsewhere. Run it on the store of a run of bench/search:
//
//	go test -run '^$' -bench SearchParts -benchtime 5x ./internal/record/sqlite/ \
//	    -args -layers.db DIR/tabadul.db -layers.queries DIR/queries.tsv
func BenchmarkSearchParts(b *testing.B) {
	ctx := context.Background()
	s, queries := openLayers(b, Options{})
	parts := s.searchParts
	if parts < 2 {
		b.Skip("the store splits no ranking on one core")
	}
	type ranking struct {
		sq    searchSQL
		total int
	}
	var rankings []ranking
	for _, q := range queries {
		sq, ok, err := compiledSearch(s, "IQ", q)
		if err != nil {
			b.Fatal(err)
		}
		if !ok {
			continue
		}
		page, _, _, _, err := sq.countWindow(ctx, analyze.DefaultWindow, 21)
		if err != nil {
			b.Fatal(err)
		}
		rankings = append(rankings, ranking{sq, page.Total})
	}
	type band struct {
		name  string
		below int // matches
	}
	bands := []band{{"lt100", 100}, {"lt500", 500}, {"lt1000", 1000}, {"lt5000", analyze.DefaultWindow}, {"full", analyze.DefaultWindow + 1}}
	bandOf := func(total int) int { return slices.IndexFunc(bands, func(x band) bool { return total < x.below }) }
	one, split := make([]time.Duration, len(bands)), make([]time.Duration, len(bands))
	count := make([]int, len(bands))
	for b.Loop() {
		for _, r := range rankings {
			i := bandOf(r.total)
			count[i]++
			for _, p := range []int{1, parts} {
				s.searchParts = p
				start := time.Now()
				if _, _, _, _, err := r.sq.countWindow(ctx, analyze.DefaultWindow, 21); err != nil {
					b.Fatal(err)
				}
				if p == 1 {
					one[i] += time.Since(start)
				} else {
					split[i] += time.Since(start)
				}
			}
		}
	}
	for i, x := range bands {
		if count[i] > 0 {
			b.ReportMetric(float64(one[i].Microseconds())/1000/float64(count[i]), x.name+"-one-ms")
			b.ReportMetric(float64(split[i].Microseconds())/1000/float64(count[i]), x.name+"-split-ms")
		}
	}
}
