package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"
)

func ms(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// thousands renders n with thousands separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// Markdown renders the run's results.
func (r *Result) Markdown() string {
	var b strings.Builder
	c := r.Config
	count := map[string]int{}
	for _, q := range r.Queries {
		count[q.Query.Cat]++
	}
	fmt.Fprintf(&b, "%s documents (%s of text, a quarter each in ar, fa, ru, en; seed %d), %d queries timed %d times each after a warm-up, top %d hits; GOMAXPROCS=%d, %s.\n\n",
		thousands(c.Docs), mb(r.CorpusBytes), c.Seed, len(r.Queries), c.Rounds, c.TopK, runtime.GOMAXPROCS(0), r.Started.UTC().Format("2006-01-02"))

	t, bl := r.T, r.B
	tAll, bAll := t.All(), bl.All()
	bleveJob := "index only, ids returned"
	if c.BleveSnippets {
		bleveJob = "text stored, hits highlighted"
	}
	fmt.Fprintf(&b, "| | Tabadul (%s) | Bleve v2.6.3 (%s) | Tabadul vs Bleve |\n|---|---|---|---|\n", backendName(c.Backend), bleveJob)
	if !c.QueryOnly {
		tr, br := rate(c.Docs, t.Index), rate(c.Docs, bl.Index)
		fmt.Fprintf(&b, "| indexing, docs/s (durable) | %s | %s | %s |\n", thousands(int(tr)), thousands(int(br)), ratio(tr, br))
		fmt.Fprintf(&b, "| indexing, wall time | %.1f s | %.1f s | |\n", t.Index.Seconds(), bl.Index.Seconds())
	}
	tp50, bp50 := percentile(tAll, 0.5), percentile(bAll, 0.5)
	tp99, bp99 := percentile(tAll, 0.99), percentile(bAll, 0.99)
	fmt.Fprintf(&b, "| query p50, all %d queries | %s | %s | %s |\n", len(r.Queries), ms(tp50), ms(bp50), ratio(float64(tp50), float64(bp50)))
	fmt.Fprintf(&b, "| query p99, all %d queries | %s | %s | %s |\n", len(r.Queries), ms(tp99), ms(bp99), ratio(float64(tp99), float64(bp99)))
	// Each query's median over its rounds, then the p99 of those: a
	// figure that a passing stall of the machine moves less.
	var medT, medB []time.Duration
	for _, q := range r.Queries {
		medT = append(medT, percentile(q.LatT, 0.5))
		medB = append(medB, percentile(q.LatB, 0.5))
	}
	mt, mbl := percentile(medT, 0.99), percentile(medB, 0.99)
	fmt.Fprintf(&b, "| query p99 of the per-query medians | %s | %s | %s |\n", ms(mt), ms(mbl), ratio(float64(mt), float64(mbl)))
	for _, k := range []string{kindVariant, kindEntity, kindObservable} {
		if c.NoRecall {
			break
		}
		fmt.Fprintf(&b, "| %s recall (%d queries, %s expected hits) | %.4f | %.4f | |\n", k, count[k], thousands(t.Want[k]), t.Recall(k), bl.Recall(k))
	}
	fmt.Fprintf(&b, "| size on disk | %s | %s | %s |\n", mb(t.Size), mb(bl.Size), ratio(float64(t.Size), float64(bl.Size)))
	if t.FTSSize >= 0 {
		fmt.Fprintf(&b, "| of which the full-text index | %s | %s | %s |\n", mb(t.FTSSize), mb(bl.FTSSize), ratio(float64(t.FTSSize), float64(bl.FTSSize)))
	}

	b.WriteString("\nLatency by category (top " + fmt.Sprint(c.TopK) + "):\n\n")
	b.WriteString("| category | queries | Tabadul p50 | Tabadul p99 | Bleve p50 | Bleve p99 |\n|---|---|---|---|---|---|\n")
	for _, k := range cats {
		if count[k] == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s |\n", k, count[k],
			ms(percentile(t.Lat[k], 0.5)), ms(percentile(t.Lat[k], 0.99)),
			ms(percentile(bl.Lat[k], 0.5)), ms(percentile(bl.Lat[k], 0.99)))
	}

	// The queries that missed ground-truth documents.
	var missT, missB []*QueryResult
	for _, q := range r.Queries {
		if q.Query.Group == nil {
			continue
		}
		if q.FoundT < q.Want {
			missT = append(missT, q)
		}
		if q.FoundB < q.Want {
			missB = append(missB, q)
		}
	}
	miss := func(name string, qs []*QueryResult, found func(*QueryResult) int) {
		fmt.Fprintf(&b, "\n%s missed ground-truth documents on %d of the %d queries with ground truth", name, len(qs), count[kindVariant]+count[kindEntity]+count[kindObservable])
		if len(qs) == 0 {
			b.WriteString(".\n")
			return
		}
		b.WriteString(":\n\n| query | kind | found / planted |\n|---|---|---|\n")
		slices.SortStableFunc(qs, func(a, b *QueryResult) int {
			ra, rb := float64(found(a))/float64(a.Want), float64(found(b))/float64(b.Want)
			switch {
			case ra < rb:
				return -1
			case ra > rb:
				return 1
			}
			return 0
		})
		for i, q := range qs {
			if i == 40 {
				fmt.Fprintf(&b, "| … and %d more | | |\n", len(qs)-i)
				break
			}
			fmt.Fprintf(&b, "| `%s` | %s | %d / %d |\n", q.Query.String(), q.Query.Cat, found(q), q.Want)
		}
	}
	if c.NoRecall {
		return b.String()
	}
	miss("Tabadul", missT, func(q *QueryResult) int { return q.FoundT })
	miss("Bleve", missB, func(q *QueryResult) int { return q.FoundB })
	return b.String()
}

// TSV renders one line per query: its category, text, each engine's
// total hits and median latency, and the ground truth found.
func (r *Result) TSV() string {
	var b strings.Builder
	b.WriteString("cat\tquery\ttabadul_total\tbleve_total\ttabadul_p50_ms\tbleve_p50_ms\tplanted\ttabadul_found\tbleve_found\n")
	for _, q := range r.Queries {
		fmt.Fprintf(&b, "%s\t%s\t%d\t%d\t%.3f\t%.3f\t%d\t%d\t%d\n", q.Query.Cat, q.Query.String(), q.TotalT, q.TotalB,
			float64(percentile(q.LatT, 0.5))/1e6, float64(percentile(q.LatB, 0.5))/1e6, q.Want, q.FoundT, q.FoundB)
	}
	return b.String()
}

// backendName is how the report names a store.
func backendName(backend string) string {
	if backend == backendPostgres {
		return "PostgreSQL"
	}
	return "SQLite"
}
