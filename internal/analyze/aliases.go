package analyze

import (
	_ "embed"
	"strings"

	"github.com/tabadul/tabadul/internal/process/lang"
	"github.com/tabadul/tabadul/internal/record/store"
)

//go:embed aliases.txt
var starterAliases string

// Aliases expands a query's words and phrases to every name of the same
// thing, in any of the four languages. The zero value expands nothing.
type Aliases struct {
	names [][]store.Seq  // per thing, its names analyzed
	index map[string]int // a name's stems, space-joined → its thing
}

// StarterAliases returns the aliases the center ships with: the groups and
// organizations named in the seed. The entity registry adds its own with
// Add.
func StarterAliases() *Aliases {
	a := &Aliases{index: map[string]int{}}
	for _, line := range strings.Split(starterAliases, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		a.Add(strings.Split(line, "|")...)
	}
	return a
}

// Add records names of one thing. A name already known joins its thing's
// other names with these.
func (a *Aliases) Add(names ...string) {
	if a.index == nil {
		a.index = map[string]int{}
	}
	thing := -1
	var seqs []store.Seq
	for _, n := range names {
		s := seqOf(lang.Analyze(strings.TrimSpace(n), ""))
		if len(s.Stems) == 0 {
			continue
		}
		if t, ok := a.index[key(s)]; ok && thing < 0 {
			thing = t
		}
		seqs = append(seqs, s)
	}
	if len(seqs) == 0 {
		return
	}
	if thing < 0 {
		thing = len(a.names)
		a.names = append(a.names, nil)
	}
	for _, s := range seqs {
		if _, ok := a.index[key(s)]; ok {
			continue
		}
		a.index[key(s)] = thing
		a.names[thing] = append(a.names[thing], s)
	}
}

// Expand returns s and every other name of the thing s names.
func (a *Aliases) Expand(s store.Seq) []store.Seq {
	if a == nil {
		return []store.Seq{s}
	}
	thing, ok := a.index[key(s)]
	if !ok {
		return []store.Seq{s}
	}
	out := []store.Seq{s}
	for _, n := range a.names[thing] {
		if key(n) != key(s) {
			out = append(out, n)
		}
	}
	return out
}

func key(s store.Seq) string {
	if s.Prefix {
		return strings.Join(s.Stems, " ") + "*"
	}
	return strings.Join(s.Stems, " ")
}

// seqOf turns an analysis into the aligned sequences the index holds.
func seqOf(an lang.Analysis) store.Seq {
	s := store.Seq{Surface: make([]string, len(an.Tokens)), Stems: make([]string, len(an.Tokens))}
	for i, t := range an.Tokens {
		s.Surface[i], s.Stems[i] = t.Surface, t.Stem
	}
	return s
}
