package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ar"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fa"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// bleveDir is the Bleve index's directory inside the output directory.
const bleveDir = "bleve"

// bleveIndex is the same corpus in a Bleve index, the way a Go project
// would set one up for four languages: one document type per language
// (chosen by the "lang" field), each mapping the text to a field of its
// own with that language's analyzer from analysis/lang, and the source,
// language and TLP as keyword fields for filters and facets.
type bleveIndex struct {
	idx       bleve.Index
	analyzers map[string]analysis.Analyzer
	// snippets: the text is stored and a query asks for highlighted
	// fragments of its hits, as Tabadul's search returns snippets.
	snippets bool
}

// bleveDoc is what Bleve indexes for a report: the type field "lang"
// chooses the document mapping, and so the analyzer.
func bleveDoc(d Doc) map[string]any {
	return map[string]any{"lang": d.Lang, "source": d.Source, "tlp": "GREEN", "text": d.Text()}
}

func textField(l string) string { return "text_" + l }

// bleveMapping maps the corpus; with snippets, the text is stored, as
// highlighting needs (Bleve's default for a text field).
func bleveMapping(snippets bool) *mapping.IndexMappingImpl {
	im := bleve.NewIndexMapping()
	im.TypeField = "lang"
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	im.DefaultMapping.Enabled = false
	keyword := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = true // facets read them
		return f
	}
	for _, l := range langs {
		dm := bleve.NewDocumentStaticMapping()
		text := bleve.NewTextFieldMapping()
		text.Name = textField(l)
		text.Analyzer = l
		text.Store = snippets
		text.IncludeInAll = false
		text.DocValues = false
		text.IncludeTermVectors = true // phrase queries need positions
		dm.AddFieldMappingsAt("text", text)
		dm.AddFieldMappingsAt("lang", keyword())
		dm.AddFieldMappingsAt("source", keyword())
		dm.AddFieldMappingsAt("tlp", keyword())
		im.AddDocumentMapping(l, dm)
	}
	return im
}

func (b *bleveIndex) loadAnalyzers() error {
	b.analyzers = map[string]analysis.Analyzer{}
	for _, l := range langs {
		a := b.idx.Mapping().AnalyzerNamed(l)
		if a == nil {
			return fmt.Errorf("bleve: no analyzer %q", l)
		}
		b.analyzers[l] = a
	}
	return nil
}

// createBleve creates a new index in dir.
func createBleve(dir string, snippets bool) (*bleveIndex, error) {
	idx, err := bleve.New(filepath.Join(dir, bleveDir), bleveMapping(snippets))
	if err != nil {
		return nil, fmt.Errorf("bleve: create: %w", err)
	}
	b := &bleveIndex{idx: idx, snippets: snippets}
	return b, b.loadAnalyzers()
}

// openBleve opens the index in dir.
func openBleve(dir string, snippets bool) (*bleveIndex, error) {
	idx, err := bleve.Open(filepath.Join(dir, bleveDir))
	if err != nil {
		return nil, fmt.Errorf("bleve: open: %w", err)
	}
	b := &bleveIndex{idx: idx, snippets: snippets}
	return b, b.loadAnalyzers()
}

func (b *bleveIndex) Close() error { return b.idx.Close() }

// index indexes docs in batches of batch. Each Batch call returns once
// its segment is persisted (Bleve's default, not unsafe_batch), so the
// figure is durable indexing, as Tabadul's is.
func (b *bleveIndex) index(docs []Doc, batch int) (time.Duration, error) {
	start := time.Now()
	bt := b.idx.NewBatch()
	for i, d := range docs {
		if err := bt.Index(strconv.Itoa(i), bleveDoc(d)); err != nil {
			return 0, fmt.Errorf("bleve: index document %d: %w", i, err)
		}
		if bt.Size() >= batch || i == len(docs)-1 {
			if err := b.idx.Batch(bt); err != nil {
				return 0, fmt.Errorf("bleve: batch: %w", err)
			}
			bt.Reset()
		}
	}
	return time.Since(start), nil
}

// query compiles q as an application would for a query whose language is
// unknown: each word is analyzed by each language's analyzer and looked up
// in that language's field (a term query, or a phrase query if the
// analyzer makes several tokens of it), the languages ORed; words the
// analyzers all drop as stop words are left out, as Tabadul leaves out
// lone stop words; the words are ANDed, and filters are term queries on
// keyword fields. A lang: filter keeps only that language's field.
func (b *bleveIndex) query(q Query) query.Query {
	ls := langs
	if q.Lang != "" {
		ls = []string{q.Lang}
	}
	var all []query.Query
	for _, t := range q.Terms {
		var any []query.Query
		for _, l := range ls {
			toks := b.analyzers[l].Analyze([]byte(t.Text))
			switch len(toks) {
			case 0:
				continue
			case 1:
				tq := bleve.NewTermQuery(string(toks[0].Term))
				tq.SetField(textField(l))
				any = append(any, tq)
			default:
				pq := bleve.NewMatchPhraseQuery(t.Text)
				pq.SetField(textField(l))
				pq.Analyzer = l
				any = append(any, pq)
			}
		}
		switch len(any) {
		case 0:
		case 1:
			all = append(all, any[0])
		default:
			all = append(all, bleve.NewDisjunctionQuery(any...))
		}
	}
	if len(all) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	if q.Source != "" {
		tq := bleve.NewTermQuery(q.Source)
		tq.SetField("source")
		all = append(all, tq)
	}
	if q.Lang != "" {
		tq := bleve.NewTermQuery(q.Lang)
		tq.SetField("lang")
		all = append(all, tq)
	}
	if len(all) == 1 {
		return all[0]
	}
	return bleve.NewConjunctionQuery(all...)
}

// search runs q for the first limit hits, with the total and facets by
// source, TLP and language, as Tabadul's search returns them, and with
// snippets, a highlighted fragment of each hit's text.
func (b *bleveIndex) search(ctx context.Context, q Query, limit int) (int, error) {
	req := bleve.NewSearchRequestOptions(b.query(q), limit, 0, false)
	for _, f := range []string{"source", "tlp", "lang"} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 10))
	}
	if b.snippets {
		req.Highlight = bleve.NewHighlight()
		for _, l := range langs {
			req.Highlight.AddField(textField(l))
		}
	}
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("bleve: %q: %w", q.String(), err)
	}
	return int(res.Total), nil
}

// all returns every document q finds.
func (b *bleveIndex) all(ctx context.Context, q Query, n int) (map[int]bool, error) {
	req := bleve.NewSearchRequestOptions(b.query(q), n, 0, false)
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve: %q: %w", q.String(), err)
	}
	found := map[int]bool{}
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil {
			return nil, fmt.Errorf("bleve: a hit %q that is no document of the corpus", h.ID)
		}
		found[i] = true
	}
	return found, nil
}

// contentWord reports whether Bleve's analyzer for l keeps word as one
// token.
func (b *bleveIndex) contentWord(l, word string) bool {
	return len(b.analyzers[l].Analyze([]byte(word))) == 1
}

// dirSize is the size of the files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
