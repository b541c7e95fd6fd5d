package analyze

import (
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Indexer analyzes reports for the search index, as the recorder's
// Analyzer: the title and body together, in the language the author gave
// or, failing that, the one detected.
type Indexer struct{}

var _ record.Analyzer = Indexer{}

// AnalyzeReport implements record.Analyzer.
func (i Indexer) AnalyzeReport(title, body, language string) (store.SearchDoc, string) {
	return i.analyze(title+"\n"+body, language)
}

func (Indexer) analyze(text, language string) (store.SearchDoc, string) {
	an := lang.Analyze(text, language)
	s := seqOf(an)
	return store.SearchDoc{Surface: s.Surface, Stems: s.Stems}, an.Language
}

// Analysis implements record.Analyzer.
func (Indexer) Analysis() string { return AnalysisID() }
