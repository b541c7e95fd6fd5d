package sqlrow

import (
	"encoding/binary"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The entity registry's rows, the links extraction made from versions,
// and near-duplicate signatures.

// EntityColumns orders an entity row for [Entity].
const EntityColumns = `id, type, name, status, coalesce(merged_into, ''), proposed_by, source, created, updated`

// Entity scans a row of EntityColumns; its aliases are read apart.
func Entity(sc Scanner) (store.Entity, error) {
	var e store.Entity
	var typ, status, by string
	var created, updated int64
	err := sc.Scan(&e.ID, &typ, &e.Name, &status, &e.MergedInto, &by, &e.Source, &created, &updated)
	e.Type, e.Status, e.ProposedBy = store.EntityType(typ), store.EntityStatus(status), center.PartyCode(by)
	e.Created, e.Updated = Time(created), Time(updated)
	return e, err
}

// AliasColumns orders an alias row for [Alias].
const AliasColumns = `lang, name, norm, key, status, proposed_by`

// Alias scans a row of AliasColumns.
func Alias(sc Scanner) (store.Alias, error) {
	var a store.Alias
	err := sc.Scan(aliasDest(&a)...)
	return a, err
}

// EntityAlias scans a row of the alias's entity id followed by
// AliasColumns.
func EntityAlias(sc Scanner) (string, store.Alias, error) {
	var id string
	var a store.Alias
	err := sc.Scan(append([]any{&id}, aliasDest(&a)...)...)
	return id, a, err
}

func aliasDest(a *store.Alias) []any {
	return []any{&a.Lang, &a.Name, &a.Norm, &a.Key, (*string)(&a.Status), (*string)(&a.ProposedBy)}
}

// Mention scans a row of (entity, alias, start, end).
func Mention(sc Scanner) (store.Mention, error) {
	var m store.Mention
	err := sc.Scan(&m.Entity, &m.Alias, &m.Start, &m.End)
	return m, err
}

// Observable scans a row of (kind, value, start, end).
func Observable(sc Scanner) (store.Observable, error) {
	var o store.Observable
	err := sc.Scan(&o.Kind, &o.Value, &o.Start, &o.End)
	return o, err
}

// DupNeighbor scans a row of (report id, source, similarity).
func DupNeighbor(sc Scanner) (store.DupNeighbor, error) {
	var n store.DupNeighbor
	err := sc.Scan(&n.ReportID, (*string)(&n.Source), &n.Similarity)
	return n, err
}

// DupCandidate scans a row of (seq, report id, signature).
func DupCandidate(sc Scanner) (store.DupCandidate, error) {
	var c store.DupCandidate
	var sig []byte
	err := sc.Scan(&c.Seq, &c.ReportID, &sig)
	c.Signature = DecodeSignature(sig)
	return c, err
}

// EncodeSignature stores a near-duplicate signature: each value as 4
// little-endian bytes.
func EncodeSignature(sig []uint32) []byte {
	b := make([]byte, 4*len(sig))
	for i, v := range sig {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// DecodeSignature reads a signature EncodeSignature stored.
func DecodeSignature(b []byte) []uint32 {
	sig := make([]uint32, len(b)/4)
	for i := range sig {
		sig[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return sig
}

// SplitItem splits an item key ("kind:value") into its kind and value.
func SplitItem(key string) store.Item {
	k, v, _ := strings.Cut(key, ":")
	return store.Item{Key: key, Kind: k, Value: v}
}

// DayCount scans a row of (day, count).
func DayCount(sc Scanner) (store.DayCount, error) {
	var d store.DayCount
	err := sc.Scan(&d.Day, &d.Count)
	return d, err
}

// ItemCount scans a row of (item key, count).
func ItemCount(sc Scanner) (store.ItemCount, error) {
	var key string
	var n int
	err := sc.Scan(&key, &n)
	return store.ItemCount{Item: SplitItem(key), Count: n}, err
}

// EntitiesByID returns the entities of ids, in order, from the rows of
// entities (EntityColumns) and then of aliases (the alias's entity id,
// then AliasColumns, in each entity's order); rows of other entities are
// passed over, and an id without a row yields a zero entity.
func EntitiesByID(b Backend, ids []string, entities, aliases func() Cursor) ([]store.Entity, error) {
	want := make(map[string]int, len(ids))
	for i, id := range ids {
		want[id] = i
	}
	out := make([]store.Entity, len(ids))
	err := entities().Each(b, "entities", func(sc Scanner) error {
		e, err := Entity(sc)
		if err != nil {
			return err
		}
		e.Aliases = []store.Alias{}
		if i, ok := want[e.ID]; ok {
			out[i] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = aliases().Each(b, "aliases", func(sc Scanner) error {
		id, a, err := EntityAlias(sc)
		if err != nil {
			return err
		}
		if i, ok := want[id]; ok {
			out[i].Aliases = append(out[i].Aliases, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EntityActivity assembles what the viewer's reports say of an item from
// its three queries, run in turn: timeline (DayCount rows: the days of at
// most store.MaxTimeline+1 of the newest reports), coOccurring (ItemCount
// rows: the entities most often in the newest window reports) and recent
// (the newest reports' ids).
func EntityActivity(b Backend, window int, timeline, coOccurring, recent func() Cursor) (store.EntityActivity, error) {
	act := store.EntityActivity{Timeline: []store.DayCount{}, CoOccurring: []store.ItemCount{}, Recent: []string{}}
	days, err := All(b, "timeline", timeline(), DayCount)
	if err != nil {
		return act, err
	}
	for _, d := range days {
		act.Reports += d.Count
		act.Timeline = append(act.Timeline, d)
	}
	if act.Reports > store.MaxTimeline {
		// One report too many was read to know there are more; it is the
		// oldest, so it comes off the first day.
		act.Reports, act.Capped = store.MaxTimeline, true
		act.Timeline[0].Count--
		if act.Timeline[0].Count == 0 {
			act.Timeline = act.Timeline[1:]
		}
	}
	act.Window = min(window, act.Reports)
	if act.CoOccurring, err = AppendAll(act.CoOccurring, b, "co-occurrences", coOccurring(), ItemCount); err != nil {
		return act, err
	}
	if act.Recent, err = AppendAll(act.Recent, b, "recent", recent(), Text); err != nil {
		return act, err
	}
	return act, nil
}

// AddPosting counts report rid among p's postings, keeping the first
// perItem ids.
func AddPosting(p *store.ItemPostings, rid string, perItem int) {
	p.Count++
	if len(p.Reports) < perItem {
		p.Reports = append(p.Reports, rid)
	}
}
