package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// indexRow is a version's row of the search table, waiting for the end of
// its batch.
type indexRow struct {
	seq            int64
	surface, stems string
}

// IndexVersion implements store.Tx. The row is written when the update's
// batch commits, in the same transaction (see Store.commit).
func (t *tx) IndexVersion(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("sqlite: index version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	t.index = append(t.index, indexRow{seq: seq, surface: ftsText(doc.Surface), stems: ftsText(doc.Stems)})
	return nil
}

// ftsToken is a token as FTS5's unicode61 tokenizer will keep it whole:
// itself if it is all letters and digits, else "0x" and its hex bytes
// (an IP, a URL, a word with a joiner). The same encoding is applied to
// documents and queries, so both meet on the same bytes.
func ftsToken(t string) string {
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return "0x" + hex.EncodeToString([]byte(t))
		}
	}
	return t
}

func ftsText(tokens []string) string {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
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

// ftsSeq is the FTS5 expression of one Seq: a word matches its surface
// form or its stem; a phrase matches its stems in order.
func ftsSeq(s store.Seq) (string, error) {
	if len(s.Stems) == 0 || len(s.Surface) != len(s.Stems) {
		return "", fmt.Errorf("sqlite: search: a sequence of %d surface forms and %d stems", len(s.Surface), len(s.Stems))
	}
	if len(s.Stems) == 1 {
		return "(surface : " + ftsPhrase(s.Surface) + " OR stems : " + ftsPhrase(s.Stems) + ")", nil
	}
	return "stems : " + ftsPhrase(s.Stems), nil
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
		b.WriteByte('(')
		for j, s := range alts {
			if j > 0 {
				b.WriteString(" OR ")
			}
			e, err := ftsSeq(s)
			if err != nil {
				return "", err
			}
			b.WriteString(e)
		}
		b.WriteByte(')')
	}
	for _, s := range q.None {
		e, err := ftsSeq(s)
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
// their bodies, are read for the page's hits alone.
//
// With a window, the order is the newest Window matches by relevance, then
// the older ones by relevance: the first pages cost a bounded amount,
// and paging on past the window neither repeats nor skips a report.
func (s *Store) Search(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (store.SearchPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize || q.Offset < 0 {
		return store.SearchPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	sq := searchSQL{newest: `rv.seq`, order: `ORDER BY rv.seq DESC`, score: `0`}
	var where strings.Builder
	if q.Text.Empty() {
		sq.from = `report_views rv`
		where.WriteString(`rv.party = ?`)
		sq.args = append(sq.args, viewer)
	} else {
		match, err := ftsMatch(q.Text)
		if err != nil {
			return store.SearchPage{}, err
		}
		sq.from = `search JOIN report_views rv ON rv.party = ? AND rv.seq = search.rowid`
		where.WriteString(`search MATCH ?`)
		sq.args = append(sq.args, viewer, match)
		// FTS5 walks its doclists backwards by rowid, the seq.
		sq.newest, sq.order, sq.score = `search.rowid`, `ORDER BY bm25(search), rv.seq DESC`, `-bm25(search)`
	}
	searchFilter(q.Filter, &where, &sq.args)
	sq.where = where.String()

	window := q.Window
	if window <= 0 {
		window = -1 // no LIMIT
	}
	page, oldest, err := s.searchFacets(ctx, sq, window)
	if err != nil {
		return store.SearchPage{}, err
	}
	full := window > 0 && page.Total == window
	if full {
		// The window is full: is there an older match?
		var more int
		err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+sq.from+` WHERE `+sq.where+
			` AND `+sq.newest+` < ? LIMIT 1)`, append(sq.args, oldest)...).Scan(&more)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("sqlite: search window: %w", err)
		}
		full = more > 0
	}

	var seqs []int64
	var scores []float64
	switch {
	case !full:
		seqs, scores, err = s.searchRank(ctx, sq, "", 0, q.Offset, q.Limit)
	case q.Offset+q.Limit <= window:
		page.TotalExact = false
		seqs, scores, err = s.searchRank(ctx, sq, `>=`, oldest, q.Offset, q.Limit)
	default:
		// A page past the window: count every match, then take the rest
		// of the window and the head of the older matches.
		if page, _, err = s.searchFacets(ctx, sq, -1); err != nil {
			return store.SearchPage{}, err
		}
		if q.Offset < window {
			seqs, scores, err = s.searchRank(ctx, sq, `>=`, oldest, q.Offset, window-q.Offset)
		}
		if err == nil && len(seqs) < q.Limit {
			var older []int64
			var olderScores []float64
			older, olderScores, err = s.searchRank(ctx, sq, `<`, oldest, max(0, q.Offset-window), q.Limit-len(seqs))
			seqs, scores = append(seqs, older...), append(scores, olderScores...)
		}
	}
	if err != nil {
		return store.SearchPage{}, err
	}
	if page.Hits, err = s.searchHits(ctx, seqs, scores); err != nil {
		return store.SearchPage{}, err
	}
	return page, nil
}

// searchSQL is a search's statement parts: the viewer's matches (from,
// where, args), the column that orders them newest first, and the
// ranking.
type searchSQL struct {
	from         string
	where        string
	args         []any
	newest       string
	order, score string
}

// searchFacets counts the viewer's newest limit matches (-1: all) by
// source, TLP and language, and returns the oldest seq among them.
func (s *Store) searchFacets(ctx context.Context, sq searchSQL, limit int) (store.SearchPage, int64, error) {
	page := store.SearchPage{TotalExact: true, Facets: store.Facets{Sources: map[center.PartyCode]int{}, TLPs: map[center.TLP]int{}, Languages: map[string]int{}}}
	rows, err := s.rd.QueryContext(ctx, `SELECT source, tlp, language, count(*), min(seq) FROM (SELECT rv.seq, rv.source, rv.tlp, rv.language FROM `+sq.from+
		` WHERE `+sq.where+` ORDER BY `+sq.newest+` DESC LIMIT ?) GROUP BY 1, 2, 3`, append(sq.args, limit)...)
	if err != nil {
		return store.SearchPage{}, 0, fmt.Errorf("sqlite: search facets: %w", err)
	}
	defer rows.Close()
	oldest := int64(-1)
	for rows.Next() {
		var src center.PartyCode
		var tlp center.TLP
		var language string
		var n int
		var low int64
		if err := rows.Scan(&src, &tlp, &language, &n, &low); err != nil {
			return store.SearchPage{}, 0, fmt.Errorf("sqlite: search facets: %w", err)
		}
		page.Total += n
		page.Facets.Sources[src] += n
		page.Facets.TLPs[tlp] += n
		page.Facets.Languages[language] += n
		if oldest < 0 || low < oldest {
			oldest = low
		}
	}
	if err := rows.Err(); err != nil {
		return store.SearchPage{}, 0, fmt.Errorf("sqlite: search facets: %w", err)
	}
	return page, oldest, nil
}

// searchRank returns the seqs and scores of one stretch of the ranking,
// of the matches whose seq is op bound ("" for all).
func (s *Store) searchRank(ctx context.Context, sq searchSQL, op string, bound int64, offset, limit int) ([]int64, []float64, error) {
	where, args := sq.where, sq.args
	if op != "" {
		where += ` AND ` + sq.newest + ` ` + op + ` ?`
		args = append(slices.Clip(args), bound)
	}
	rows, err := s.rd.QueryContext(ctx, `SELECT rv.seq, `+sq.score+` FROM `+sq.from+
		` WHERE `+where+` `+sq.order+` LIMIT ? OFFSET ?`, append(args, limit, offset)...)
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

// searchHits reads the versions of a page's hits, in the page's order.
func (s *Store) searchHits(ctx context.Context, seqs []int64, scores []float64) ([]store.SearchHit, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	args := make([]any, len(seqs))
	for i, seq := range seqs {
		args[i] = seq
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
		WHERE v.seq IN (`+strings.TrimSuffix(strings.Repeat("?,", len(seqs)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: search hits: %w", err)
	}
	found, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	bySeq := make(map[int64]center.Report, len(found))
	for _, r := range found {
		bySeq[r.Seq] = r
	}
	hits := make([]store.SearchHit, 0, len(seqs))
	for i, seq := range seqs {
		if r, ok := bySeq[seq]; ok {
			hits = append(hits, store.SearchHit{Report: r, Score: scores[i]})
		}
	}
	return hits, nil
}
