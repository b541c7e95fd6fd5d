package analyze

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tabadul/tabadul/internal/process/entity"
	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
)

// Registry is the live entity registry as analysis uses it: the matcher of
// every accepted alias, for extraction at write time, and the aliases
// search expands a query's names with. It is the recorder's Extractor:
// after each change of the registry the recorder calls Refresh, which
// rebuilds both from the store; readers keep using the previous ones until
// the new ones are swapped in.
type Registry struct {
	store store.Reader
	state atomic.Pointer[registryState]
}

type registryState struct {
	matcher *entity.Matcher
	aliases *Aliases
	// generation is the store's registry generation (record.
	// MetaRegistryGeneration) read before the entities were: a change
	// committed after it raises the stored one past it.
	generation string
}

var _ record.Extractor = (*Registry)(nil)
var _ record.Analyzer = (*Registry)(nil)

// NewRegistry returns a registry over r, empty until Refresh.
func NewRegistry(r store.Reader) *Registry {
	g := &Registry{store: r}
	g.state.Store(&registryState{matcher: entity.NewMatcher(nil), aliases: StarterAliases()})
	return g
}

// Refresh implements record.Extractor: it rebuilds the matcher and the
// aliases from the accepted entities.
func (g *Registry) Refresh(ctx context.Context) error {
	gen, err := g.store.Meta(ctx, record.MetaRegistryGeneration)
	if err != nil {
		return fmt.Errorf("analyze: registry generation: %w", err)
	}
	es, err := g.store.Entities(ctx, store.EntityQuery{Status: store.Accepted})
	if err != nil {
		return fmt.Errorf("analyze: registry: %w", err)
	}
	g.load(es, gen)
	return nil
}

// Follow keeps the registry up to date with changes another process
// makes (another node on the same PostgreSQL database): every interval
// it reads the stored registry generation, one small read, and refreshes
// when it moved. A curation on one node is thus matched and searched by
// every node within about one interval; the node that made it refreshes
// at once. Follow returns when ctx ends; errors go to onError and the
// next tick tries again.
func (g *Registry) Follow(ctx context.Context, interval time.Duration, onError func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := g.refreshIfStale(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
	}
}

// refreshIfStale refreshes the registry if the stored generation is not
// the one it was loaded at.
func (g *Registry) refreshIfStale(ctx context.Context) error {
	gen, err := g.store.Meta(ctx, record.MetaRegistryGeneration)
	if err != nil {
		return fmt.Errorf("analyze: registry generation: %w", err)
	}
	if gen == g.state.Load().generation {
		return nil
	}
	return g.Refresh(ctx)
}

// Load makes es the registry's entities. They come from no stored
// generation: a running Follow replaces them with the store's.
func (g *Registry) Load(es []store.Entity) { g.load(es, "") }

func (g *Registry) load(es []store.Entity, generation string) {
	al := StarterAliases()
	for _, e := range es {
		var names []string
		for _, a := range e.Aliases {
			if a.Status == store.Accepted {
				names = append(names, a.Name)
			}
		}
		al.Add(names...)
	}
	g.state.Store(&registryState{matcher: entity.NewMatcher(es), aliases: al, generation: generation})
}

// Matcher returns the current matcher.
func (g *Registry) Matcher() *entity.Matcher { return g.state.Load().matcher }

// Aliases returns the current aliases, the starter table's and every
// accepted entity's.
func (g *Registry) Aliases() *Aliases { return g.state.Load().aliases }

// AnalyzeReport implements record.Analyzer: the search document alone,
// as ExtractReport makes it, without the extraction.
func (g *Registry) AnalyzeReport(title, body, language string) (store.SearchDoc, string) {
	return Indexer{}.AnalyzeReport(title, body, language)
}

// Analysis implements record.Analyzer: the registry's analysis is the
// Indexer's.
func (g *Registry) Analysis() string { return AnalysisID() }

// ExtractReport implements record.Extractor: one analysis serves the
// search index and the extraction.
func (g *Registry) ExtractReport(title, body, language string) (store.SearchDoc, string, store.Extraction) {
	text := title + "\n" + body
	an := lang.Analyze(text, language)
	s := seqOf(an)
	return store.SearchDoc{Surface: s.Surface, Stems: s.Stems}, an.Language, entity.Extract(g.Matcher(), text, an.Tokens)
}

// KeyName implements record.Extractor.
func (g *Registry) KeyName(l, name string) (string, string) {
	return lang.Normalize(strings.TrimSpace(name)), entity.Key(l, name)
}

// lookupNames returns the forms an entity lookup matches aliases by: the
// query normalized and its key in each language's analysis.
func lookupNames(q string) []string {
	q = strings.TrimSpace(q)
	out := []string{lang.Normalize(q)}
	for _, l := range []string{"", "ar", "fa", "ru", "en"} {
		if k := entity.Key(l, q); k != "" && !contains(out, k) {
			out = append(out, k)
		}
	}
	if out[0] == "" {
		out = out[1:]
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
