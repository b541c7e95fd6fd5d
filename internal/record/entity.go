package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The entity registry's events.
const (
	EntitiesSeeded center.EventType = "entity.seeded"
	EntityProposed center.EventType = "entity.proposed"
	AliasProposed  center.EventType = "entity.alias.proposed"
	EntityCurated  center.EventType = "entity.curated"
)

// metaEntitiesSeeded is set once the registry has been seeded.
const metaEntitiesSeeded = "entities_seeded"

// MetaRegistryGeneration counts the changes of the accepted registry
// (seed, curations): each one raises it in its own transaction, so that
// a node that did not make the change sees that its registry is stale
// (analyze.Registry.Follow) and reloads it.
const MetaRegistryGeneration = "entities_generation"

// registryChanged raises the registry's generation in tx.
func registryChanged(ctx context.Context, tx store.Tx) error {
	v, err := tx.Meta(ctx, MetaRegistryGeneration)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return tx.SetMeta(ctx, MetaRegistryGeneration, strconv.FormatInt(n+1, 10))
}

// An Extractor analyzes a report version's text once, before the write
// transaction, for both the search index and the entity links, and keys
// the registry's names the way it matches them. With one (ExtractWith),
// the recorder links every version it records to its mentions,
// observables and near-duplicates in the version's own transaction.
type Extractor interface {
	// An Extractor is an Analyzer too: AnalyzeReport makes the search
	// document alone, as ExtractReport does, for reindexing.
	Analyzer
	// ExtractReport returns the search document, the detected language
	// and the extraction of title + "\n" + body.
	ExtractReport(title, body, language string) (doc store.SearchDoc, detected string, x store.Extraction)
	// KeyName returns a name's normalized form and its key (its stems
	// joined by spaces); an empty key means nothing in it can match.
	KeyName(lang, name string) (norm, key string)
	// Refresh is called after each committed change of the registry, so
	// that the next versions are matched against it.
	Refresh(ctx context.Context) error
}

// ExtractWith makes the recorder analyze versions with x (which then
// serves as the search analyzer too) and link them to what x extracts.
// Call it before the recorder is used.
func (r *Recorder) ExtractWith(x Extractor) *Recorder {
	r.extractor = x
	return r
}

// Extracts reports whether the recorder links entities (ExtractWith).
func (r *Recorder) Extracts() bool { return r.extractor != nil }

// maxDupCandidates bounds the versions a new one is compared with.
const maxDupCandidates = 500

// prepare analyzes a normalized draft before the transaction: the search
// document and, with an extractor, the extraction.
func (r *Recorder) prepare(d *center.Draft) (*store.SearchDoc, *store.Extraction) {
	if r.extractor == nil {
		return r.analyze(d), nil
	}
	if len(d.Body) > r.limits.MaxBodyBytes {
		return nil, nil
	}
	doc, detected, x := r.extractor.ExtractReport(d.Title, d.Body, d.Language)
	if d.Language == "" {
		d.Language = detected
	}
	return &doc, &x
}

// link writes a recorded version's extraction, with the near-duplicates
// found among the versions recorded before it (of other reports,
// whoever may see them: the links are read back only through each
// viewer's own reports).
func link(ctx context.Context, tx store.Tx, rep center.Report, x *store.Extraction) error {
	if x == nil {
		return nil
	}
	var edges []store.DupEdge
	if len(x.Bands) > 0 {
		cands, err := tx.DupCandidates(ctx, x.Bands, maxDupCandidates)
		if err != nil {
			return err
		}
		for _, c := range cands {
			if c.ReportID == rep.ID {
				continue
			}
			if sim := store.Similarity(x.Signature, c.Signature); sim >= store.NearDuplicateThreshold {
				edges = append(edges, store.DupEdge{Seq: c.Seq, Similarity: sim})
			}
		}
	}
	return tx.PutExtraction(ctx, rep.Seq, *x, edges)
}

// refresh tells the extractor the registry changed.
func (r *Recorder) refresh(ctx context.Context) error {
	if r.extractor == nil {
		return nil
	}
	return r.extractor.Refresh(ctx)
}

// keyAliases fills in the aliases' normalized forms and keys, refusing
// one that has nothing to match.
func (r *Recorder) keyAliases(as []store.Alias) error {
	if r.extractor == nil {
		return errors.New("record: entities need an extractor (ExtractWith)")
	}
	for i := range as {
		as[i].Norm, as[i].Key = r.extractor.KeyName(as[i].Lang, as[i].Name)
		if as[i].Key == "" {
			return center.Invalid(fmt.Sprintf("aliases[%d].name", i), "has no letters or digits to match")
		}
	}
	return nil
}

// Limits on what a party may propose.
const (
	MaxEntityNameBytes = 200
	MaxEntityAliases   = 64
)

var entityLanguages = []string{"ar", "fa", "ru", "en"}

func checkName(field, name string) error {
	switch {
	case !utf8.ValidString(name):
		return center.Invalid(field, "is not valid UTF-8")
	case strings.TrimSpace(name) == "":
		return center.Invalid(field, "is empty")
	case len(name) > MaxEntityNameBytes:
		return center.Invalid(field, "is longer than %d bytes", MaxEntityNameBytes)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return center.Invalid(field, "holds a control character")
	}
	return nil
}

func checkAliases(as []store.Alias) error {
	if len(as) > MaxEntityAliases {
		return center.Invalid("aliases", "more than %d names", MaxEntityAliases)
	}
	for i, a := range as {
		if !slices.Contains(entityLanguages, a.Lang) {
			return center.Invalid(fmt.Sprintf("aliases[%d].lang", i), "must be one of ar, fa, ru, en")
		}
		if err := checkName(fmt.Sprintf("aliases[%d].name", i), a.Name); err != nil {
			return err
		}
	}
	return nil
}

// SeedEntities puts the registry's starting entities in a center once: a
// second call, or one on a center already seeded, changes nothing and
// returns false. The seed is one transaction and one event, which commits
// to the whole seed, so that the log shows what the registry started from.
func (r *Recorder) SeedEntities(ctx context.Context, es []store.Entity) (bool, error) {
	seed := make([]store.Entity, len(es))
	for i, e := range es {
		e.Aliases = slices.Clone(e.Aliases)
		if err := r.keyAliases(e.Aliases); err != nil {
			return false, fmt.Errorf("record: seed entity %s: %w", e.ID, err)
		}
		seed[i] = e
	}
	done := false
	err := r.update(ctx, func(tx store.Tx) error {
		if v, err := tx.Meta(ctx, metaEntitiesSeeded); err != nil || v != "" {
			return err
		}
		now := r.now()
		for i := range seed {
			seed[i].Status, seed[i].Created, seed[i].Updated = store.Accepted, now, now
			for j := range seed[i].Aliases {
				seed[i].Aliases[j].Status = store.Accepted
			}
			if err := tx.PutEntity(ctx, seed[i]); err != nil {
				return err
			}
		}
		if err := tx.SetMeta(ctx, metaEntitiesSeeded, now.Format(time.RFC3339Nano)); err != nil {
			return err
		}
		if err := registryChanged(ctx, tx); err != nil {
			return err
		}
		done = true
		return appendEvent(ctx, tx, center.Event{Type: EntitiesSeeded, At: now, Subject: "registry"}, seed)
	})
	if err != nil || !done {
		return false, err
	}
	return true, r.refresh(ctx)
}

// ProposeEntity records a party's proposal of a new entity. Any user of
// any party may propose; the chair's officers curate. Until accepted, only
// the proposing party and the chair see it.
func (r *Recorder) ProposeEntity(ctx context.Context, who center.Principal, t store.EntityType, name string, aliases []store.Alias) (store.Entity, error) {
	if !slices.Contains(store.EntityTypes, t) {
		return store.Entity{}, center.Invalid("type", "must be one of location, organization, group, person, event")
	}
	name = strings.TrimSpace(name)
	if err := checkName("name", name); err != nil {
		return store.Entity{}, err
	}
	if len(aliases) == 0 {
		return store.Entity{}, center.Invalid("aliases", "an entity needs at least one name to be found by")
	}
	if err := checkAliases(aliases); err != nil {
		return store.Entity{}, err
	}
	as := make([]store.Alias, 0, len(aliases))
	for _, a := range aliases {
		a = store.Alias{Lang: a.Lang, Name: strings.TrimSpace(a.Name), Status: store.Proposed, ProposedBy: who.Party()}
		if !slices.ContainsFunc(as, func(b store.Alias) bool { return b.Lang == a.Lang && b.Name == a.Name }) {
			as = append(as, a)
		}
	}
	if err := r.keyAliases(as); err != nil {
		return store.Entity{}, err
	}
	var e store.Entity
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		e = store.Entity{ID: string(t) + "--" + uuid.NewString(), Type: t, Name: name, Status: store.Proposed,
			ProposedBy: who.Party(), Created: now, Updated: now, Aliases: as}
		if err := tx.PutEntity(ctx, e); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: EntityProposed, Party: who.Party(), User: who.User.Username, At: now, Subject: e.ID}, e)
	})
	return e, err
}

// ProposeAlias records a party's proposal of another name for an entity
// it may see. A name the entity has already is a conflict.
func (r *Recorder) ProposeAlias(ctx context.Context, who center.Principal, id string, a store.Alias) (store.Entity, error) {
	a = store.Alias{Lang: a.Lang, Name: strings.TrimSpace(a.Name), Status: store.Proposed, ProposedBy: who.Party()}
	if err := checkAliases([]store.Alias{a}); err != nil {
		return store.Entity{}, err
	}
	as := []store.Alias{a}
	if err := r.keyAliases(as); err != nil {
		return store.Entity{}, err
	}
	var e store.Entity
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		var err error
		if e, err = r.visibleEntity(ctx, tx, who, id, now); err != nil {
			return err
		}
		if e.Status != store.Accepted && e.Status != store.Proposed {
			return center.Refuse(center.ErrConflict, "entity %s is %s; it takes no new names", id, statusWord(e.Status))
		}
		if slices.ContainsFunc(e.Aliases, func(b store.Alias) bool { return b.Lang == a.Lang && b.Name == as[0].Name }) {
			return center.Refuse(center.ErrConflict, "entity %s has that name already", id)
		}
		if len(e.Aliases) >= MaxEntityAliases*4 {
			return center.Refuse(center.ErrConflict, "entity %s has too many names", id)
		}
		e.Aliases = append(e.Aliases, as[0])
		e.Updated = now
		if err := tx.PutEntity(ctx, e); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: AliasProposed, Party: who.Party(), User: who.User.Username, At: now, Subject: id}, as[0])
	})
	return e, err
}

// visibleEntity returns an entity the principal's party may see, or
// center.ErrNotFound.
func (r *Recorder) visibleEntity(ctx context.Context, tx store.Tx, who center.Principal, id string, now time.Time) (store.Entity, error) {
	e, err := tx.Entity(ctx, id)
	if err != nil {
		return e, err
	}
	chair := center.PartyCode("")
	if e.Status == store.Proposed || e.Status == store.Rejected {
		g, err := r.loadGovernance(ctx, tx, now)
		if err != nil {
			return e, err
		}
		chair = center.PartyCode(g.term.Party)
	}
	if !store.EntityVisibleTo(e, who.Party(), chair) {
		return store.Entity{}, fmt.Errorf("record: entity %s: %w", id, center.ErrNotFound)
	}
	return e, nil
}

// ChairParty returns the party chairing now, "" before the first term: the
// one besides a proposer that sees pending proposals.
func (r *Recorder) ChairParty(ctx context.Context) (center.PartyCode, error) {
	g, err := ReadGovernance(ctx, r.store)
	if err != nil {
		return "", err
	}
	term, err := g.Chair(r.now())
	if err != nil && !errors.Is(err, govern.ErrNotStarted) {
		return "", err
	}
	return center.PartyCode(term.Party), nil
}

// CurationAction is what the chair's officers do with an entity.
type CurationAction string

// The curation actions.
const (
	// Accept accepts a proposed entity with every pending name, or, with
	// Aliases, those pending names of an entity.
	Accept CurationAction = "accept"
	// Reject rejects a proposed entity, or, with Aliases, deletes those
	// pending names.
	Reject CurationAction = "reject"
	// Rename gives an entity a new canonical name (and, with Type, type).
	Rename CurationAction = "rename"
	// Merge makes the entity one with Into: its names and mentions move
	// there, and it remains as a pointer.
	Merge CurationAction = "merge"
	// Split moves the listed Aliases, and the mentions made through them,
	// to a new accepted entity called Name (of Type, or the same type).
	Split CurationAction = "split"
)

// A Curation is one act of the chair's officers on the registry.
type Curation struct {
	Action  CurationAction   `json:"action"`
	Name    string           `json:"name,omitempty"`
	Type    store.EntityType `json:"type,omitempty"`
	Into    string           `json:"into,omitempty"`
	Aliases []store.Alias    `json:"aliases,omitempty"`
}

// Curate applies a curation to an entity. It is a chair power: only
// officers of the party chairing now may. It returns the entity as it now
// stands and, for a split, the new entity.
func (r *Recorder) Curate(ctx context.Context, who center.Principal, id string, c Curation) (store.Entity, *store.Entity, error) {
	if err := checkCuration(&c); err != nil {
		return store.Entity{}, nil, err
	}
	var e store.Entity
	var made *store.Entity
	err := r.update(ctx, func(tx store.Tx) error {
		now := r.now()
		if _, err := r.asChair(ctx, tx, who, now); err != nil {
			return err
		}
		var err error
		if e, err = tx.Entity(ctx, id); err != nil {
			return err
		}
		if made, err = r.curate(ctx, tx, &e, c, now); err != nil {
			return err
		}
		e.Updated = now
		if err := tx.PutEntity(ctx, e); err != nil {
			return err
		}
		if err := registryChanged(ctx, tx); err != nil {
			return err
		}
		return appendEvent(ctx, tx, center.Event{Type: EntityCurated, Party: who.Party(), User: who.User.Username, At: now, Subject: id},
			struct {
				Curation Curation
				Entity   store.Entity
				New      *store.Entity `json:",omitempty"`
			}{c, e, made})
	})
	if err != nil {
		return store.Entity{}, nil, err
	}
	return e, made, r.refresh(ctx)
}

func checkCuration(c *Curation) error {
	c.Name = strings.TrimSpace(c.Name)
	switch c.Action {
	case Accept, Reject:
	case Rename:
		if err := checkName("name", c.Name); err != nil {
			return err
		}
	case Merge:
		if c.Into == "" {
			return center.Invalid("into", "a merge needs the entity to merge into")
		}
	case Split:
		if err := checkName("name", c.Name); err != nil {
			return err
		}
		if len(c.Aliases) == 0 {
			return center.Invalid("aliases", "a split needs the names to split off")
		}
	default:
		return center.Invalid("action", "must be one of accept, reject, rename, merge, split")
	}
	if c.Type != "" && !slices.Contains(store.EntityTypes, c.Type) {
		return center.Invalid("type", "must be one of location, organization, group, person, event")
	}
	return checkAliases(c.Aliases)
}

// named reports whether as lists a's language and name.
func named(as []store.Alias, a store.Alias) bool {
	return slices.ContainsFunc(as, func(b store.Alias) bool { return b.Lang == a.Lang && b.Name == strings.TrimSpace(a.Name) })
}

// curate changes e in place as c says; the caller stores it.
func (r *Recorder) curate(ctx context.Context, tx store.Tx, e *store.Entity, c Curation, now time.Time) (*store.Entity, error) {
	for _, a := range c.Aliases {
		if !named(e.Aliases, a) {
			return nil, center.Invalid("aliases", "%s has no name %q in %s", e.ID, a.Name, a.Lang)
		}
	}
	live := e.Status == store.Accepted || e.Status == store.Proposed
	switch c.Action {
	case Accept:
		if !live {
			return nil, center.Refuse(center.ErrConflict, "entity %s is %s", e.ID, statusWord(e.Status))
		}
		if len(c.Aliases) == 0 {
			e.Status = store.Accepted
		}
		for i := range e.Aliases {
			if len(c.Aliases) == 0 || named(c.Aliases, e.Aliases[i]) {
				e.Aliases[i].Status = store.Accepted
			}
		}
	case Reject:
		if len(c.Aliases) == 0 {
			if e.Status != store.Proposed {
				return nil, center.Refuse(center.ErrConflict, "only a proposed entity may be rejected; %s is %s", e.ID, statusWord(e.Status))
			}
			e.Status = store.Rejected
			return nil, nil
		}
		e.Aliases = slices.DeleteFunc(e.Aliases, func(a store.Alias) bool { return a.Status == store.Proposed && named(c.Aliases, a) })
	case Rename:
		if !live {
			return nil, center.Refuse(center.ErrConflict, "entity %s is %s", e.ID, statusWord(e.Status))
		}
		e.Name = c.Name
		if c.Type != "" {
			e.Type = c.Type
		}
	case Merge:
		if e.Status != store.Accepted || c.Into == e.ID {
			return nil, center.Refuse(center.ErrConflict, "only an accepted entity merges into another")
		}
		into, err := tx.Entity(ctx, c.Into)
		if err != nil {
			return nil, err
		}
		if into.Status != store.Accepted {
			return nil, center.Refuse(center.ErrConflict, "entity %s is %s; merge into an accepted entity", into.ID, statusWord(into.Status))
		}
		moved := e.Aliases
		e.Status, e.MergedInto, e.Aliases = store.Merged, into.ID, []store.Alias{}
		// The merged entity's names leave it first, so that they may join
		// the other without conflict.
		if err := tx.PutEntity(ctx, *e); err != nil {
			return nil, err
		}
		for _, a := range moved {
			if !named(into.Aliases, a) {
				into.Aliases = append(into.Aliases, a)
			}
		}
		into.Updated = now
		if err := tx.PutEntity(ctx, into); err != nil {
			return nil, err
		}
		return nil, tx.MoveLinks(ctx, e.ID, into.ID, nil)
	case Split:
		if e.Status != store.Accepted {
			return nil, center.Refuse(center.ErrConflict, "only an accepted entity may be split")
		}
		t := c.Type
		if t == "" {
			t = e.Type
		}
		n := store.Entity{ID: string(t) + "--" + uuid.NewString(), Type: t, Name: c.Name, Status: store.Accepted,
			ProposedBy: e.ProposedBy, Source: e.Source, Created: now, Updated: now}
		var keys []string
		keep := e.Aliases[:0:0]
		for _, a := range e.Aliases {
			if named(c.Aliases, a) {
				n.Aliases = append(n.Aliases, a)
				keys = append(keys, a.Key)
			} else {
				keep = append(keep, a)
			}
		}
		if len(keep) == 0 {
			return nil, center.Refuse(center.ErrConflict, "a split must leave %s a name; rename it instead", e.ID)
		}
		e.Aliases = keep
		if err := tx.PutEntity(ctx, *e); err != nil {
			return nil, err
		}
		if err := tx.PutEntity(ctx, n); err != nil {
			return nil, err
		}
		// A key the entity keeps through another name stays with it.
		var moving []string
		for _, k := range keys {
			if !slices.ContainsFunc(keep, func(a store.Alias) bool { return a.Key == k }) {
				moving = append(moving, k)
			}
		}
		if len(moving) > 0 {
			if err := tx.MoveLinks(ctx, e.ID, n.ID, moving); err != nil {
				return nil, err
			}
		}
		return &n, nil
	}
	return nil, nil
}

// statusWord is an entity's status as a word of a refusal, which an
// interface says in its reader's language.
func statusWord(st store.EntityStatus) any {
	switch st {
	case store.Proposed:
		return center.Phrasef("proposed")
	case store.Accepted:
		return center.Phrasef("accepted")
	case store.Rejected:
		return center.Phrasef("rejected")
	case store.Merged:
		return center.Phrasef("merged")
	}
	return st
}
