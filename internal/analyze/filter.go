package analyze

import (
	"sync"

	"github.com/tabadul/tabadul/internal/record/store"
)

// CompileFilter parses a search query for a subscription filter: its text
// condition analyzed as a search would analyze it (with the starter
// aliases), and its field filters. A subscription's filter then matches a
// new report the way a search would have found it; an order (sort:) means
// nothing to a filter and is left out. A malformed query is a
// *QueryError.
func CompileFilter(query string) (store.TextQuery, store.SearchFilter, error) {
	q, err := Parse(query)
	if err != nil {
		return store.TextQuery{}, store.SearchFilter{}, err
	}
	text, _ := filterSearcher().compile(q)
	return text, q.Filter, nil
}

// filterSearcher compiles filters with the starter aliases, built once.
var filterSearcher = sync.OnceValue(func() *Searcher { return &Searcher{aliases: StarterAliases()} })
