package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The search index (schema/postgres/00006_search.sql) holds each version's
// tokens as a tsvector: stem i at position i+1 with weight B, surface form
// i at position n+i+1 with weight A. PostgreSQL bounds a tsvector — a
// lexeme of at most 2046 bytes, positions up to 16383, at most 256
// positions per lexeme, 1 MiB in all — so a token too long becomes its
// digest (on both sides, so it still matches itself), and a document whose
// vector would pass 1 MiB is indexed up to that size. Past position 16383
// single words still match; phrases may not.

const (
	maxLexeme    = 2046
	maxPos       = 16383
	maxPositions = 256
	// maxVector keeps a vector well under PostgreSQL's 1 MiB.
	maxVector = 900 << 10
)

// lexeme is a token as it enters a tsvector or a tsquery.
func lexeme(tok string) string {
	if tok == "" || len(tok) > maxLexeme {
		sum := sha256.Sum256([]byte(tok))
		return "#" + hex.EncodeToString(sum[:])
	}
	return tok
}

// quote writes a lexeme in tsvector/tsquery syntax: quotes and
// backslashes doubled inside single quotes.
func quote(b *strings.Builder, lex string) {
	b.WriteByte('\'')
	for _, r := range lex {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

type position struct {
	pos    int
	weight byte
}

// tsvector returns the text form of doc's vector.
func tsvector(doc store.SearchDoc) string {
	n := len(doc.Stems)
	// Keep the tokens that fit the size budget.
	seen := map[string]bool{}
	size := 0
	for i := range n {
		for _, t := range []string{lexeme(doc.Stems[i]), lexeme(doc.Surface[i])} {
			if !seen[t] {
				seen[t] = true
				size += len(t) + 8
			}
			size += 2
		}
		if size > maxVector {
			n = i
			break
		}
	}
	lexes := map[string][]position{}
	add := func(tok string, pos int, w byte) {
		l := lexeme(tok)
		lexes[l] = append(lexes[l], position{min(pos, maxPos), w})
	}
	for i := range n {
		add(doc.Stems[i], i+1, 'B')
	}
	for i := range n {
		add(doc.Surface[i], n+i+1, 'A')
	}
	keys := make([]string, 0, len(lexes))
	for l := range lexes {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, l := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		quote(&b, l)
		b.WriteByte(':')
		ps := slices.CompactFunc(lexes[l], func(a, b position) bool { return a.pos == b.pos })
		if len(ps) > maxPositions {
			// Keep a surface position, so that the word still matches
			// as written.
			last := ps[len(ps)-1]
			ps = append(ps[:maxPositions-1], last)
		}
		for j, p := range ps {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p.pos))
			b.WriteByte(p.weight)
		}
	}
	return b.String()
}

// The index's row of a version holds, beside its analyzed text, its
// source, TLP, language and tags as lexemes without positions
// ("source=IQ"), so that a filtered search narrows the GIN index's
// matches before each is joined to the viewer's report_views, as the
// SQLite index's filters column does. ts_rank is given the text's query
// alone, so they weigh nothing in the ranking.
//
// insertSearch writes the row of version $1 from its analyzed text ($2),
// taking the filters from the version itself.
const insertSearch = `INSERT INTO search (seq, tsv)
	SELECT v.seq, $2::tsvector || array_to_tsvector(ARRAY['source=' || r.source, 'tlp=' || v.tlp, 'language=' || v.language]
		|| ARRAY(SELECT 'tag=' || t FROM jsonb_array_elements_text(v.tags::jsonb) t))
	FROM versions v JOIN reports r ON r.rid = v.rid WHERE v.seq = $1`

// tsFilterQuery is the tsquery of a search's filters on the index's
// filter lexemes ("" if none); the filters are applied to report_views
// too, which decides.
func tsFilterQuery(f store.SearchFilter) string {
	var b strings.Builder
	oneOf := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('(')
		for i, v := range values {
			if i > 0 {
				b.WriteString(" | ")
			}
			quote(&b, field+"="+v)
		}
		b.WriteByte(')')
	}
	oneOf("source", strs(f.Sources))
	oneOf("tlp", strs(f.TLPs))
	oneOf("language", f.Languages)
	oneOf("tag", f.Tags)
	return b.String()
}

// IndexVersion implements store.Tx.
func (t *tx) IndexVersion(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("postgres: index version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	// Sent with the next statement (the version's event, as the write path
	// goes), in the same savepoint, after the version's own row.
	t.later("index version", insertSearch, seq, tsvector(doc))
	return nil
}

// tsSeq is the tsquery of one Seq: a word matches its surface form (as a
// surface form or as a stem, as on SQLite) or its stem; a phrase matches
// its stems in order; a prefix matches every lexeme, surface form or
// stem, that starts with it.
func tsSeq(b *strings.Builder, s store.Seq) error {
	if len(s.Stems) == 0 || len(s.Surface) != len(s.Stems) {
		return fmt.Errorf("postgres: search: a sequence of %d surface forms and %d stems", len(s.Surface), len(s.Stems))
	}
	if err := s.CheckPrefix(); err != nil {
		return fmt.Errorf("postgres: search: %w", err)
	}
	b.WriteByte('(')
	switch {
	case s.Prefix:
		// A lexeme that long is stored hashed (lexeme), so no prefix
		// of it can be found; a query is shorter than that anyway.
		if len(s.Stems[0]) > maxLexeme {
			return fmt.Errorf("postgres: search: a prefix of %d bytes: %w", len(s.Stems[0]), center.ErrInvalid)
		}
		quote(b, s.Stems[0])
		b.WriteString(":*AB")
	case len(s.Stems) == 1:
		quote(b, lexeme(s.Surface[0]))
		b.WriteString(":AB | ")
		quote(b, lexeme(s.Stems[0]))
		b.WriteString(":B")
	default:
		for i, st := range s.Stems {
			if i > 0 {
				b.WriteString(" <-> ")
			}
			quote(b, lexeme(st))
			b.WriteString(":B")
		}
	}
	b.WriteByte(')')
	return nil
}

// tsQuery compiles a TextQuery into a tsquery's text.
func tsQuery(q store.TextQuery) (string, error) {
	if len(q.All) == 0 {
		return "", fmt.Errorf("postgres: search: a text query needs something to match: %w", center.ErrInvalid)
	}
	var b strings.Builder
	for i, alts := range q.All {
		if len(alts) == 0 {
			return "", fmt.Errorf("postgres: search: an empty group of alternatives: %w", center.ErrInvalid)
		}
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('(')
		for j, s := range alts {
			if j > 0 {
				b.WriteString(" | ")
			}
			if err := tsSeq(&b, s); err != nil {
				return "", err
			}
		}
		b.WriteByte(')')
	}
	for _, s := range q.None {
		b.WriteString(" & !")
		if err := tsSeq(&b, s); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// searchFilter appends the filter's SQL conditions on rv, the viewer's
// report_views rows, which carry every field a search filters by.
func searchFilter(f store.SearchFilter, where *strings.Builder, p *params) {
	if len(f.Sources) > 0 {
		where.WriteString(" AND rv.source = ANY(" + p.add(strs(f.Sources)) + ")")
	}
	if len(f.TLPs) > 0 {
		where.WriteString(" AND rv.tlp = ANY(" + p.add(strs(f.TLPs)) + ")")
	}
	if len(f.Languages) > 0 {
		where.WriteString(" AND rv.language = ANY(" + p.add(f.Languages) + ")")
	}
	if len(f.Tags) > 0 {
		where.WriteString(" AND EXISTS (SELECT 1 FROM version_tags t WHERE t.seq = rv.seq AND t.tag = ANY(" + p.add(f.Tags) + "))")
	}
	if !f.Since.IsZero() {
		where.WriteString(" AND rv.version >= " + p.add(micros(f.Since)))
	}
	if !f.Until.IsZero() {
		where.WriteString(" AND rv.version < " + p.add(micros(f.Until)))
	}
}

// Search implements store.Reader, as the SQLite backend does: every query
// starts from the viewer's report_views rows; with a window, the order is
// the newest Window matches by relevance, then the older ones.
func (s *Store) Search(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (store.SearchPage, error) {
	sq, err := s.searchSQL(viewer, q)
	if err != nil {
		return store.SearchPage{}, err
	}
	return store.RunSearch(ctx, sq, q)
}

// searchSQL returns the statement parts of a search.
func (s *Store) searchSQL(viewer center.PartyCode, q store.SearchQuery) (searchSQL, error) {
	sq := searchSQL{s: s, order: `ORDER BY rv.seq DESC`, score: `0::float8`}
	var where strings.Builder
	if q.Text.Empty() {
		sq.from = `report_views rv`
		where.WriteString(`rv.party = ` + sq.p.add(string(viewer)))
	} else {
		match, err := tsQuery(q.Text)
		if err != nil {
			return searchSQL{}, err
		}
		sq.from = `search JOIN report_views rv ON rv.party = ` + sq.p.add(string(viewer)) + ` AND rv.seq = search.seq`
		sq.query = sq.p.add(match) + `::tsquery`
		if fq := tsFilterQuery(q.Filter); fq != "" {
			where.WriteString(`search.tsv @@ (` + sq.query + ` && ` + sq.p.add(fq) + `::tsquery)`)
		} else {
			where.WriteString(`search.tsv @@ ` + sq.query)
		}
		if !q.Newest {
			sq.ranked = true
			sq.score = `ts_rank(search.tsv, ` + sq.query + `)::float8`
			sq.order = `ORDER BY 2 DESC, rv.seq DESC`
		}
	}
	searchFilter(q.Filter, &where, &sq.p)
	sq.where = where.String()
	return sq, nil
}

// searchSQL is a search's statement parts: the viewer's matches (from,
// where, with their parameters), the ranking, the tsquery parameter of a
// text search ("" if none), and whether the matches are ranked by it
// (not for a search without text or asked for the newest first). It is
// the backend's store.SearchSteps.
type searchSQL struct {
	s            *Store
	from, where  string
	p            params
	order, score string
	query        string
	ranked       bool
}

// RankWindow implements store.WindowRanker: the window's matches are
// found and joined to the viewer's report_views once, then counted, and
// only they are ranked. ts_rank reads and decompresses a match's whole
// tsvector, so it is computed for the window's rows alone, joined back to
// the index by seq, not for every match before the window's LIMIT.
func (sq searchSQL) RankWindow(ctx context.Context, window, n int) (store.SearchPage, int64, []int64, []float64, error) {
	lim := ""
	if window >= 0 {
		lim = ` LIMIT ` + strconv.Itoa(window)
	}
	ranked := `SELECT seq, 0::float8 AS score FROM w ORDER BY seq DESC`
	if sq.ranked {
		ranked = `SELECT w.seq, ts_rank(s.tsv, ` + sq.query + `)::float8 AS score FROM w JOIN search s ON s.seq = w.seq ORDER BY 2 DESC, 1 DESC`
	}
	rows, err := sq.s.pool.Query(ctx, `WITH w AS MATERIALIZED (SELECT rv.seq, rv.source, rv.tlp, rv.language FROM `+sq.from+
		` WHERE `+sq.where+` ORDER BY rv.seq DESC`+lim+`)
		SELECT 0, source, tlp, language, count(*), min(seq), 0::float8 FROM w GROUP BY 2, 3, 4
		UNION ALL
		SELECT 1, '', '', '', 0, seq, score FROM (`+ranked+` LIMIT `+strconv.Itoa(n)+`) r`, sq.p.args...)
	if err != nil {
		return store.SearchPage{}, 0, nil, nil, fmt.Errorf("postgres: search: %w", err)
	}
	defer rows.Close()
	c := store.NewFacetCount()
	var seqs []int64
	var scores []float64
	for rows.Next() {
		var kind, count int
		var src, tlp, language string
		var seq int64
		var score float64
		if err := rows.Scan(&kind, &src, &tlp, &language, &count, &seq, &score); err != nil {
			return store.SearchPage{}, 0, nil, nil, fmt.Errorf("postgres: search: %w", err)
		}
		if kind == 1 {
			seqs, scores = append(seqs, seq), append(scores, score)
			continue
		}
		c.Add(center.PartyCode(src), center.TLP(tlp), language, count, seq)
	}
	if err := rows.Err(); err != nil {
		return store.SearchPage{}, 0, nil, nil, fmt.Errorf("postgres: search: %w", err)
	}
	return c.Page, c.Oldest, seqs, scores, nil
}

// searchFacets counts the viewer's newest limit matches (-1: all) by
// source, TLP and language, and returns the oldest seq among them.
func (sq searchSQL) Facets(ctx context.Context, limit int) (store.SearchPage, int64, error) {
	lim := ""
	if limit >= 0 {
		lim = ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := sq.s.pool.Query(ctx, `SELECT source, tlp, language, count(*), min(seq) FROM (SELECT rv.seq, rv.source, rv.tlp, rv.language FROM `+sq.from+
		` WHERE `+sq.where+` ORDER BY rv.seq DESC`+lim+`) w GROUP BY 1, 2, 3`, sq.p.args...)
	if err != nil {
		return store.SearchPage{}, 0, fmt.Errorf("postgres: search facets: %w", err)
	}
	defer rows.Close()
	c := store.NewFacetCount()
	for rows.Next() {
		var src, tlp, language string
		var n int
		var low int64
		if err := rows.Scan(&src, &tlp, &language, &n, &low); err != nil {
			return store.SearchPage{}, 0, fmt.Errorf("postgres: search facets: %w", err)
		}
		c.Add(center.PartyCode(src), center.TLP(tlp), language, n, low)
	}
	if err := rows.Err(); err != nil {
		return store.SearchPage{}, 0, fmt.Errorf("postgres: search facets: %w", err)
	}
	return c.Page, c.Oldest, nil
}

// HasOlder reports whether a match is older than seq.
func (sq searchSQL) HasOlder(ctx context.Context, seq int64) (bool, error) {
	p := sq.p
	p.args = slices.Clone(p.args)
	var more bool
	err := sq.s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+sq.from+` WHERE `+sq.where+
		` AND rv.seq < `+p.add(seq)+`)`, p.args...).Scan(&more)
	if err != nil {
		return false, fmt.Errorf("postgres: search window: %w", err)
	}
	return more, nil
}

// Hits reads the versions of a page's hits, in the page's order.
func (sq searchSQL) Hits(ctx context.Context, seqs []int64, scores []float64) ([]store.SearchHit, error) {
	return sq.s.searchHits(ctx, seqs, scores)
}

// Rank returns the seqs and scores of one stretch of the ranking.
func (sq searchSQL) Rank(ctx context.Context, r store.SearchRange) ([]int64, []float64, error) {
	where, p := sq.where, sq.p
	p.args = slices.Clone(p.args)
	switch r.Segment {
	case store.FromBound:
		where += ` AND rv.seq >= ` + p.add(r.Bound)
	case store.BeforeBound:
		where += ` AND rv.seq < ` + p.add(r.Bound)
	}
	if k := r.After; k != nil {
		if sq.score == `0::float8` {
			where += ` AND rv.seq < ` + p.add(k.Seq)
		} else {
			sc := p.add(k.Score)
			where += ` AND (` + sq.score + ` < ` + sc + ` OR (` + sq.score + ` = ` + sc + ` AND rv.seq < ` + p.add(k.Seq) + `))`
		}
	}
	limit, offset := r.Limit, r.Offset
	rows, err := sq.s.pool.Query(ctx, `SELECT rv.seq, `+sq.score+` FROM `+sq.from+
		` WHERE `+where+` `+sq.order+` LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), p.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: search: %w", err)
	}
	defer rows.Close()
	var seqs []int64
	var scores []float64
	for rows.Next() {
		var seq int64
		var sc float64
		if err := rows.Scan(&seq, &sc); err != nil {
			return nil, nil, fmt.Errorf("postgres: search: %w", err)
		}
		seqs, scores = append(seqs, seq), append(scores, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("postgres: search: %w", err)
	}
	return seqs, scores, nil
}

// searchHits reads the versions of a page's hits, in the page's order.
func (s *Store) searchHits(ctx context.Context, seqs []int64, scores []float64) ([]store.SearchHit, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq = ANY($1)`, seqs)
	if err != nil {
		return nil, fmt.Errorf("postgres: search hits: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	return store.HitsInOrder(seqs, scores, found), nil
}
