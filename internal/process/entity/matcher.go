package entity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

// A Matcher finds the aliases of a set of entities in analyzed text. It is
// immutable once built and safe for concurrent use.
type Matcher struct {
	root    *node
	aliases int // patterns loaded, for benchmarks and logs
}

// node is a state of the trie over token stems.
type node struct {
	next map[string]*node
	out  []target // the aliases that end here
}

// target is an alias ending at a node.
type target struct {
	entity string
	key    string // the alias's key: its stems joined by spaces
	// exact, if set, is the only way the text may write a short alias
	// (UN, EU): a match elsewhere ("un" in French, "eu" in Portuguese) is
	// not one.
	exact string
}

// NewMatcher builds a matcher of the accepted aliases of the accepted
// entities in es. A name that several entities share finds each of them.
func NewMatcher(es []store.Entity) *Matcher {
	m := &Matcher{root: &node{}}
	for _, e := range es {
		if e.Status != store.Accepted {
			continue
		}
		for _, a := range e.Aliases {
			if a.Status == store.Accepted {
				m.add(e.ID, a)
			}
		}
	}
	return m
}

// Len returns how many alias patterns the matcher holds.
func (m *Matcher) Len() int { return m.aliases }

// hints are the language hints an alias is analyzed under: its own, none,
// and for Arabic script the other of Arabic and Persian, so that it meets
// the text whichever the detector decided.
func hints(l string) []string {
	switch l {
	case "ar":
		return []string{"ar", "fa", ""}
	case "fa":
		return []string{"fa", "ar", ""}
	}
	return []string{l, ""}
}

// Key returns the key of a name as the matcher and the registry index it:
// its stems, analyzed in its language, joined by spaces.
func Key(l, name string) string {
	an := lang.Analyze(name, l)
	stems := make([]string, len(an.Tokens))
	for i, t := range an.Tokens {
		stems[i] = t.Stem
	}
	return strings.Join(stems, " ")
}

func (m *Matcher) add(entity string, a store.Alias) {
	key := Key(a.Lang, a.Name)
	for _, h := range hints(a.Lang) {
		toks := lang.Analyze(a.Name, h).Tokens
		if len(toks) == 0 {
			continue
		}
		var exact string
		if len(toks) == 1 {
			t := toks[0]
			if lang.IsStopWord(t.Lang, t.Surface) || lang.IsStopWord(a.Lang, t.Surface) {
				continue
			}
			if utf8.RuneCountInString(t.Surface) < 3 {
				w := strings.TrimSpace(a.Name)
				if !isUpper(w) {
					continue // a two-letter word is too often something else
				}
				exact = w
			}
		}
		n := m.root
		for _, t := range toks {
			if n.next == nil {
				n.next = map[string]*node{}
			}
			c, ok := n.next[t.Stem]
			if !ok {
				c = &node{}
				n.next[t.Stem] = c
			}
			n = c
		}
		dup := false
		for _, o := range n.out {
			if o.entity == entity && o.exact == exact {
				dup = true
			}
		}
		if !dup {
			n.out = append(n.out, target{entity: entity, key: key, exact: exact})
			m.aliases++
		}
	}
}

func isUpper(s string) bool {
	has := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		has = has || unicode.IsUpper(r)
	}
	return has
}

// Match returns the mentions of entities in the analyzed text (tokens from
// lang.Analyze of text): at each token, the longest alias starting there;
// then the scan resumes after it. Offsets are bytes of text.
func (m *Matcher) Match(text string, toks []lang.Token) []store.Mention {
	if m == nil || m.root.next == nil {
		return nil
	}
	var out []store.Mention
	for i := 0; i < len(toks); {
		end, hits := m.longest(text, toks, i)
		if end < 0 {
			i++
			continue
		}
		for _, h := range hits {
			out = append(out, store.Mention{Entity: h.entity, Alias: h.key, Start: toks[i].Start, End: toks[end].End})
		}
		i = end + 1
	}
	return out
}

// longest walks the trie from token i and returns the last token of the
// longest alias found and its targets, or -1.
func (m *Matcher) longest(text string, toks []lang.Token, i int) (int, []target) {
	n := m.root
	best := -1
	var hits []target
	for j := i; j < len(toks); j++ {
		t := toks[j]
		if t.Kind != lang.Word && t.Kind != lang.Number {
			break
		}
		c, ok := n.next[t.Stem]
		if !ok && t.Surface != t.Stem {
			c, ok = n.next[t.Surface]
		}
		if !ok {
			// The light stemmer keeps a lone proclitic ب, ل, ك or ف on a
			// word it does not know (لكتيبة); a name may still follow it.
			if rest, cut := cutProclitic(t.Stem); cut {
				c, ok = n.next[rest]
			}
		}
		if !ok {
			break
		}
		n = c
		if len(n.out) > 0 {
			var found []target
			for _, o := range n.out {
				if o.exact != "" && text[toks[i].Start:t.End] != o.exact {
					continue
				}
				if !containsEntity(found, o.entity) {
					found = append(found, o)
				}
			}
			if len(found) > 0 {
				best, hits = j, found
			}
		}
		if n.next == nil {
			break
		}
	}
	return best, hits
}

func containsEntity(ts []target, e string) bool {
	for _, t := range ts {
		if t.entity == e {
			return true
		}
	}
	return false
}

// Observables returns the observables of analyzed text, refanged and in
// canonical form as package lang keeps them.
func Observables(toks []lang.Token) []store.Observable {
	var out []store.Observable
	for _, t := range toks {
		if t.Kind.IsObservable() {
			out = append(out, store.Observable{Kind: t.Kind.String(), Value: t.Surface, Start: t.Start, End: t.End})
		}
	}
	return out
}

// cutProclitic cuts one Arabic-script proclitic letter off a stem of at
// least four letters.
func cutProclitic(stem string) (string, bool) {
	r, size := utf8.DecodeRuneInString(stem)
	switch r {
	case 'ب', 'ل', 'ك', 'ف', 'و':
		if utf8.RuneCountInString(stem) >= 4 {
			return stem[size:], true
		}
	}
	return "", false
}
