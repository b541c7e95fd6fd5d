package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// IndexVersion implements store.Tx. The row is written by the index's
// committer once the update's batch commits (see searchDB).
func (t *tx) IndexVersion(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("sqlite: index version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	filters, ok := t.filters[seq]
	if !ok {
		var err error
		if filters, ok, err = t.versionFilters(ctx, seq); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("sqlite: index version %d: %w", seq, center.ErrNotFound)
		}
	}
	t.index = append(t.index, indexOp{seq: seq, doc: doc, filters: filters})
	return nil
}

// versionFilters reads the filter tokens of a recorded version that is
// not purged; ok is false if there is none.
func (t *tx) versionFilters(ctx context.Context, seq int64) (filters string, ok bool, err error) {
	var source, tlp, language, tagsJSON string
	err = t.QueryRowContext(ctx, `SELECT r.source, v.tlp, v.language, v.tags FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq = ? AND v.purged IS NULL`, seq).Scan(&source, &tlp, &language, &tagsJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("sqlite: index version %d: %w", seq, mapError(err))
	}
	var tags []string
	if err := json.Unmarshal([]byte(tagsJSON), &tags); err != nil {
		return "", false, fmt.Errorf("sqlite: index version %d: tags: %w", seq, err)
	}
	return ftsFilters(center.PartyCode(source), center.TLP(tlp), language, tags), true, nil
}

// The search table's filters column holds a version's source, TLP,
// language and tags as tokens, so that a filtered text search narrows the
// index's matches before each is joined to the viewer's report_views —
// a join per match is most of a search's cost. The filter is applied on
// report_views too: the tokens only spare work.
func filterToken(field, value string) string { return ftsToken(field + "=" + value) }

// ftsFilters is a version's filters column.
func ftsFilters(source center.PartyCode, tlp center.TLP, language string, tags []string) string {
	tokens := make([]string, 0, 3+len(tags))
	tokens = append(tokens, filterToken("source", string(source)), filterToken("tlp", string(tlp)), filterToken("language", language))
	for _, tag := range tags {
		tokens = append(tokens, filterToken("tag", tag))
	}
	return strings.Join(tokens, " ")
}

// ftsFilterMatch returns the MATCH clauses that narrow a text search to
// the filter's sources, TLPs, languages and tags ("" if none).
func ftsFilterMatch(f store.SearchFilter) string {
	var b strings.Builder
	oneOf := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		b.WriteString(" AND filters : (")
		for i, v := range values {
			if i > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(`"` + filterToken(field, v) + `"`)
		}
		b.WriteByte(')')
	}
	strs := func(n int, at func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	oneOf("source", strs(len(f.Sources), func(i int) string { return string(f.Sources[i]) }))
	oneOf("tlp", strs(len(f.TLPs), func(i int) string { return string(f.TLPs[i]) }))
	oneOf("language", f.Languages)
	oneOf("tag", f.Tags)
	return b.String()
}

// ftsToken is a token as FTS5's ascii tokenizer will keep it whole:
// itself if it holds no ASCII character but letters and digits, else "0x"
// and its hex bytes (an IP, a URL, a domain). The same encoding is applied
// to documents and queries, so both meet on the same bytes.
func ftsToken(t string) string {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < utf8.RuneSelf && !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return "0x" + hex.EncodeToString([]byte(t))
		}
	}
	return t
}

func ftsText(tokens []string) string {
	n := 0
	for _, t := range tokens {
		n += len(t) + 1
	}
	var b strings.Builder
	b.Grow(n) // a document's few hundred tokens, without regrowing
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ftsToken(t))
	}
	return b.String()
}

// ftsSurfaceText is a document's surface column: the surface forms that
// differ from their stems. A form that is its own stem (most words: the
// stemmers leave them, and names are never stemmed) is in the stems
// column already, where a query seeks every surface form too
// (ftsAlternatives); indexing it twice made FTS5 tokenize, hash and
// store a third more tokens for nothing. The column's positions are not
// the text's, which no query needs: phrases match the stems column.
func ftsSurfaceText(doc store.SearchDoc) string {
	ownStem := func(i int) bool { return i < len(doc.Stems) && doc.Surface[i] == doc.Stems[i] }
	n := 0
	for i, t := range doc.Surface {
		if !ownStem(i) {
			n += len(t) + 1
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range doc.Surface {
		if ownStem(i) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ftsToken(t))
	}
	return b.String()
}

// ftsPhrase quotes tokens as one FTS5 phrase.
func ftsPhrase(tokens []string) string {
	return `"` + ftsText(tokens) + `"`
}

// ftsAlternatives is the FTS5 expression of a group of alternatives: a
// word matches its surface form or its stem; a phrase matches its stems in
// order. A surface form is sought in both columns, since the surface
// column leaves out the forms that are their own stems (ftsSurfaceText);
// a stem in the stems column alone, a prefix in both (ftsPrefixes). Each
// distinct token becomes one phrase of the expression: bm25() scores
// every match once per phrase, and the spellings of one word often share
// their surface form or have a stem equal to it.
func ftsAlternatives(alts store.Alternatives) (string, error) {
	var order []string
	asSurface := map[string]bool{} // each distinct token: sought as a surface form too
	add := func(token string, surface bool) {
		was, ok := asSurface[token]
		if !ok {
			order = append(order, token)
		}
		asSurface[token] = was || surface
	}
	var phrases, prefixes []string
	for _, s := range alts {
		if len(s.Stems) == 0 || len(s.Surface) != len(s.Stems) {
			return "", fmt.Errorf("sqlite: search: a sequence of %d surface forms and %d stems", len(s.Surface), len(s.Stems))
		}
		if err := s.CheckPrefix(); err != nil {
			return "", fmt.Errorf("sqlite: search: %w", err)
		}
		if s.Prefix {
			for _, p := range ftsPrefixes(s.Stems[0]) {
				if !slices.Contains(prefixes, p) {
					prefixes = append(prefixes, p)
				}
			}
			continue
		}
		if len(s.Stems) > 1 {
			if p := ftsPhrase(s.Stems); !slices.Contains(phrases, p) {
				phrases = append(phrases, p)
			}
			continue
		}
		add(s.Surface[0], true)
		add(s.Stems[0], false)
	}
	terms := make([]string, 0, len(order)+len(phrases))
	for _, t := range order {
		column := "stems"
		if asSurface[t] {
			column = "{surface stems}"
		}
		terms = append(terms, column+" : "+ftsPhrase([]string{t}))
	}
	for _, p := range phrases {
		terms = append(terms, "stems : "+p)
	}
	for _, p := range prefixes {
		terms = append(terms, "{surface stems} : "+p+"*")
	}
	return "(" + strings.Join(terms, " OR ") + ")", nil
}

// ftsPrefixes are the FTS5 prefix phrases (to be followed by '*') that
// find the tokens starting with prefix: the prefix as ftsToken writes a
// token — hex when it holds punctuation, as the IPs, domains and CVE ids
// it begins are — and, when it holds none, in hex too, for the tokens
// with punctuation that begin with it (evil* finds evil.example). A plain
// token that happens to begin with those hex digits is found as well;
// ftsToken keeps such a word ("0x65766") only if it has no punctuation,
// and nothing real spells one.
func ftsPrefixes(prefix string) []string {
	t := ftsToken(prefix)
	if t != prefix {
		return []string{ftsPhrase([]string{t})}
	}
	return []string{ftsPhrase([]string{t}), ftsPhrase([]string{"0x" + hex.EncodeToString([]byte(prefix))})}
}

// ftsMatch compiles a TextQuery into an FTS5 MATCH expression.
func ftsMatch(q store.TextQuery) (string, error) {
	if len(q.All) == 0 {
		return "", fmt.Errorf("sqlite: search: a text query needs something to match: %w", center.ErrInvalid)
	}
	var b strings.Builder
	for i, alts := range q.All {
		if len(alts) == 0 {
			return "", fmt.Errorf("sqlite: search: an empty group of alternatives: %w", center.ErrInvalid)
		}
		if i > 0 {
			b.WriteString(" AND ")
		}
		e, err := ftsAlternatives(alts)
		if err != nil {
			return "", err
		}
		b.WriteString(e)
	}
	if len(q.None) > 0 {
		e, err := ftsAlternatives(q.None)
		if err != nil {
			return "", err
		}
		b.WriteString(" NOT " + e)
	}
	return b.String(), nil
}

// searchFilter appends the filter's SQL conditions on rv, the viewer's
// report_views rows, which carry every field a search filters by.
func searchFilter(f store.SearchFilter, where *strings.Builder, args *[]any) {
	in := func(col string, n int) {
		where.WriteString(" AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")")
	}
	if len(f.Sources) > 0 {
		in("rv.source", len(f.Sources))
		for _, s := range f.Sources {
			*args = append(*args, s)
		}
	}
	if len(f.TLPs) > 0 {
		in("rv.tlp", len(f.TLPs))
		for _, t := range f.TLPs {
			*args = append(*args, t)
		}
	}
	if len(f.Languages) > 0 {
		in("rv.language", len(f.Languages))
		for _, l := range f.Languages {
			*args = append(*args, l)
		}
	}
	if len(f.Tags) > 0 {
		where.WriteString(" AND EXISTS (SELECT 1 FROM version_tags t WHERE t.seq = rv.seq AND t.tag IN (" +
			strings.TrimSuffix(strings.Repeat("?,", len(f.Tags)), ",") + "))")
		for _, t := range f.Tags {
			*args = append(*args, t)
		}
	}
	if !f.Since.IsZero() {
		where.WriteString(" AND rv.version >= ?")
		*args = append(*args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where.WriteString(" AND rv.version < ?")
		*args = append(*args, micros(f.Until))
	}
}

// Search implements store.Reader. Every query starts from report_views
// filtered by the viewer: the visibility rule's stored decision. Ranking
// and counting read only the index and report_views; the versions, with
// their bodies, are read for the page's hits alone. store.RunSearch
// orders and pages it.
func (s *Store) Search(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (store.SearchPage, error) {
	sq, err := s.searchSQL(ctx, viewer, q)
	if err != nil {
		return store.SearchPage{}, err
	}
	return store.RunSearch(ctx, sq, q)
}

// searchSQL returns the statement parts of a search.
func (s *Store) searchSQL(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (searchSQL, error) {
	views, err := s.viewsOf(ctx, viewer)
	if err != nil {
		return searchSQL{}, err
	}
	sq := searchSQL{s: s, views: views, newest: `rv.view`, order: `ORDER BY rv.view DESC`, score: `0`}
	var where strings.Builder
	if q.Text.Empty() {
		sq.from = `report_views rv`
		where.WriteString(`rv.view > ? AND rv.view < ?`)
		sq.args = append(sq.args, views.base, views.end())
	} else {
		match, err := ftsMatch(q.Text)
		if err != nil {
			return searchSQL{}, err
		}
		// CROSS JOIN keeps the index's matches the outer loop: with a filter
		// on report_views, SQLite would otherwise walk the viewer's rows and
		// run the MATCH once for each (seconds for a common word).
		sq.from = `search CROSS JOIN report_views rv ON rv.view = ? | search.rowid`
		where.WriteString(`search MATCH ?`)
		sq.args = append(sq.args, views.base, "("+match+")"+ftsFilterMatch(q.Filter))
		// FTS5 walks its doclists backwards by rowid, the seq. The filters
		// column weighs nothing in the ranking.
		sq.newest, sq.order, sq.score = `search.rowid`, `ORDER BY bm25(search, 1, 1, 0), search.rowid DESC`, `-bm25(search, 1, 1, 0)`
		if q.Newest {
			sq.order, sq.score = `ORDER BY search.rowid DESC`, `0`
		}
	}
	searchFilter(q.Filter, &where, &sq.args)
	sq.where = where.String()
	return sq, nil
}

// searchSQL is a search's statement parts: the viewer's matches (from,
// where, args), the column that orders them newest first, and the
// ranking. It is the backend's store.SearchSteps.
type searchSQL struct {
	s            *Store
	views        viewKeys
	from         string
	where        string
	args         []any
	newest       string
	order, score string
}

// Facets counts the viewer's newest limit matches (-1: all) by source,
// TLP and language, and returns the oldest seq among them: windowFunc
// ranking none, so that no match is scored.
func (sq searchSQL) Facets(ctx context.Context, limit int) (store.SearchPage, int64, error) {
	page, oldest, _, _, err := sq.countWindow(ctx, limit, 0)
	return page, oldest, err
}

// RankWindow implements store.WindowRanker: one statement walks the
// window's matches once, joining each to the viewer's report_views and
// scoring it, and windowFunc counts and ranks them as they pass.
func (sq searchSQL) RankWindow(ctx context.Context, window, n int) (store.SearchPage, int64, []int64, []float64, error) {
	return sq.countWindow(ctx, window, n)
}

// countWindow counts the viewer's newest window matches and ranks the
// best n of them.
func (sq searchSQL) countWindow(ctx context.Context, window, n int) (store.SearchPage, int64, []int64, []float64, error) {
	runs, limits, err := sq.runWindow(ctx, window, n > 0)
	if err != nil {
		return store.SearchPage{}, 0, nil, nil, err
	}
	w := summary(runs, limits, n)
	c := store.NewFacetCount()
	for _, f := range w.Facets {
		c.Add(center.PartyCode(f.Source), center.TLP(f.TLP), f.Language, f.Count, f.Oldest)
	}
	return c.Page, c.Oldest, w.Seqs, w.Scores, nil
}

// windowQuery returns the statement that feeds the viewer's newest window
// matches to the windowRun registered as run, scored if any is to be
// ranked. The LIMIT is an expression (? + 0) as in Rank.
func (sq searchSQL) windowQuery(run int64, window int, scored bool) (string, []any) {
	score := sq.score
	if !scored {
		score = `0`
	}
	args := append([]any{run}, sq.args...)
	return `SELECT ` + windowFunc + `(? + 0, seq, score, source, tlp, language) FROM (SELECT rv.seq, rv.source, rv.tlp, rv.language, ` + score + ` AS score FROM ` + sq.from +
		` WHERE ` + sq.where + ` ORDER BY ` + sq.newest + ` DESC LIMIT ? + 0)`, append(args, window)
}

// at is seq as the newest column holds it: the seq itself, in the index's
// rowid, or the viewer's view of it, in report_views' key.
func (sq searchSQL) at(seq int64) int64 {
	if sq.newest == `rv.view` {
		return sq.views.of(seq)
	}
	return seq
}

// HasOlder reports whether a match is older than seq.
func (sq searchSQL) HasOlder(ctx context.Context, seq int64) (bool, error) {
	var more int
	err := sq.s.rd.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+sq.from+` WHERE `+sq.where+
		` AND `+sq.newest+` < ? LIMIT 1)`, append(slices.Clip(sq.args), sq.at(seq))...).Scan(&more)
	if err != nil {
		return false, fmt.Errorf("sqlite: search window: %w", err)
	}
	return more > 0, nil
}

// Rank returns the seqs and scores of one stretch of the ranking. Its
// LIMIT and OFFSET are expressions (? + 0) so that a new page size does
// not make SQLite prepare the statement again (see DueDeliveries).
func (sq searchSQL) Rank(ctx context.Context, r store.SearchRange) ([]int64, []float64, error) {
	query, args := sq.rankQuery(r)
	rows, err := sq.s.rd.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: search: %w", err)
	}
	defer rows.Close()
	var seqs []int64
	var scores []float64
	for rows.Next() {
		var seq int64
		var sc float64
		if err := rows.Scan(&seq, &sc); err != nil {
			return nil, nil, fmt.Errorf("sqlite: search: %w", err)
		}
		seqs, scores = append(seqs, seq), append(scores, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("sqlite: search: %w", err)
	}
	return seqs, scores, nil
}

// rankQuery returns Rank's statement and its arguments.
func (sq searchSQL) rankQuery(r store.SearchRange) (string, []any) {
	where, args := sq.where, slices.Clip(sq.args)
	switch r.Segment {
	case store.FromBound:
		where += ` AND ` + sq.newest + ` >= ?`
		args = append(args, sq.at(r.Bound))
	case store.BeforeBound:
		where += ` AND ` + sq.newest + ` < ?`
		args = append(args, sq.at(r.Bound))
	}
	if k := r.After; k != nil {
		if sq.score == `0` {
			where += ` AND ` + sq.newest + ` < ?`
			args = append(args, sq.at(k.Seq))
		} else {
			where += ` AND (` + sq.score + ` < ? OR (` + sq.score + ` = ? AND ` + sq.newest + ` < ?))`
			args = append(args, k.Score, k.Score, sq.at(k.Seq))
		}
	}
	return `SELECT rv.seq, ` + sq.score + ` FROM ` + sq.from + ` WHERE ` + where + ` ` + sq.order +
		` LIMIT ? + 0 OFFSET ? + 0`, append(args, r.Limit, r.Offset)
}

// Hits reads the versions of a page's hits, in the page's order.
func (sq searchSQL) Hits(ctx context.Context, seqs []int64, scores []float64) ([]store.SearchHit, error) {
	return sq.s.searchHits(ctx, seqs, scores)
}

// searchHits reads the versions of a page's hits, in the page's order.
func (s *Store) searchHits(ctx context.Context, seqs []int64, scores []float64) ([]store.SearchHit, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	// One statement for any page size, prepared once: the seqs go in as
	// a JSON array.
	list, err := json.Marshal(seqs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search hits: %w", err)
	}
	rows, err := s.rd.QueryContext(ctx, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("sqlite: search hits: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	return store.HitsInOrder(seqs, scores, found), nil
}
