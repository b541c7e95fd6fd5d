package store

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
)

// A SearchDoc is what the search index holds for one report version: its
// text analyzed once, at write time, as two aligned token sequences — the
// normalized surface forms and their stems, the i-th stem belonging to the
// i-th surface form — so that a query word matches either and a phrase
// matches consecutive stems. Tokens never contain white space.
type SearchDoc struct {
	Surface []string
	Stems   []string
}

// A Seq is a sequence of analyzed tokens a document must hold in order: one
// token for a word, several for a phrase. Surface and Stems align as in
// SearchDoc.
//
// A Prefix Seq is one normalized word, not stemmed (Surface and Stems hold
// the same one token), that matches every token, surface form or stem,
// that starts with it.
type Seq struct {
	Surface []string
	Stems   []string
	Prefix  bool
}

// MinPrefixRunes is the shortest prefix a Seq may be. Each token a
// prefix expands to is one more list for the index to merge: at 100,000
// reports two Arabic letters (ال, the definite article) cost 0.2 s and
// one 0.6 s, three at most 40 ms, as much as the commonest words.
const MinPrefixRunes = 3

// CheckPrefix reports whether s is a well-formed Prefix Seq; backends
// call it before they compile one.
func (s Seq) CheckPrefix() error {
	if !s.Prefix {
		return nil
	}
	if len(s.Surface) != 1 || len(s.Stems) != 1 || s.Surface[0] != s.Stems[0] {
		return fmt.Errorf("store: a prefix is one token, its own stem: %q, %q: %w", s.Surface, s.Stems, center.ErrInvalid)
	}
	if utf8.RuneCountInString(s.Surface[0]) < MinPrefixRunes {
		return fmt.Errorf("store: prefix %q is shorter than %d letters: %w", s.Surface[0], MinPrefixRunes, center.ErrInvalid)
	}
	return nil
}

// Alternatives match a document that holds any one of them: a word and its
// aliases, or the two sides of an OR.
type Alternatives []Seq

// TextQuery is a backend-neutral full-text condition: every group of All
// must match, and no Seq of None may. A word (a one-token Seq) matches
// either its surface form or its stem; a phrase matches its stems in order.
// An empty All with an empty None means no text condition.
type TextQuery struct {
	All  []Alternatives
	None []Seq
}

// Empty reports whether q sets no text condition.
func (q TextQuery) Empty() bool { return len(q.All) == 0 && len(q.None) == 0 }

// SearchFilter narrows a search by recorded fields; each non-empty list
// matches any of its values.
type SearchFilter struct {
	Sources   []center.PartyCode
	TLPs      []center.TLP
	Languages []string
	Tags      []string
	// Since and Until bound the version time: Since <= Version < Until.
	Since, Until time.Time
}

// SearchQuery is one page of a search.
type SearchQuery struct {
	Text   TextQuery
	Filter SearchFilter
	// Offset skips that many hits of the ranking; Limit is 1..MaxPageSize.
	Offset, Limit int
	// After, if set, continues the order after the hit of an earlier
	// page's Next (with no Offset): what a client pages with.
	After *SearchKey
	// Window, if positive, bounds the work of a query that matches more
	// reports than that: only the newest Window matches are ranked and
	// counted, so Total is Window, TotalExact is false and the facets
	// count those Window. A word in most reports would otherwise have
	// every match scored to keep twenty. A page that reaches past the
	// window (Offset+Limit > Window) ranks and counts every match. 0 means
	// no window.
	Window int
	// Newest orders the matches newest first instead of by relevance, as
	// a query without text is: every hit's Score is then 0.
	Newest bool
}

// A SearchHit is one report version that matched, as the viewer sees it.
type SearchHit struct {
	Report center.Report
	// Score is the relevance, higher is better; 0 without a text
	// condition, where hits come newest first.
	Score float64
}

// Facets count the hits by a field's values.
type Facets struct {
	Sources   map[center.PartyCode]int `json:"source"`
	TLPs      map[center.TLP]int       `json:"tlp"`
	Languages map[string]int           `json:"language"`
}

// A SearchPage is one page of hits, with the total and facets over every
// hit the viewer may see — or over the newest SearchQuery.Window of them.
type SearchPage struct {
	Hits  []SearchHit
	Total int
	// TotalExact is false when the query matched more than its window:
	// Total is then a lower bound.
	TotalExact bool
	Facets     Facets
	// Next is the place of the page's last hit, for the next page's
	// SearchQuery.After; nil when no hit follows.
	Next *SearchKey
}
