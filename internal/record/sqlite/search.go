package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
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
func (s *Store) Search(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (store.SearchPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize || q.Offset < 0 {
		return store.SearchPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	var from, order, score string
	var where strings.Builder
	var args []any
	if q.Text.Empty() {
		from = `report_views rv`
		where.WriteString(`rv.party = ?`)
		args = append(args, viewer)
		order, score = `ORDER BY rv.seq DESC`, `0`
	} else {
		match, err := ftsMatch(q.Text)
		if err != nil {
			return store.SearchPage{}, err
		}
		from = `search JOIN report_views rv ON rv.party = ? AND rv.seq = search.rowid`
		where.WriteString(`search MATCH ?`)
		args = append(args, viewer, match)
		order, score = `ORDER BY bm25(search), rv.seq DESC`, `-bm25(search)`
	}
	searchFilter(q.Filter, &where, &args)

	// The total and the facets, over every visible hit or, past the
	// window, over the newest Window of them. The same statement finds
	// the oldest match in the window, the bound of the ranking.
	window := q.Window
	if window <= 0 || q.Offset+q.Limit > window {
		window = -1 // no LIMIT
	}
	newest := `rv.seq`
	if !q.Text.Empty() {
		newest = `search.rowid` // FTS5 walks its doclists backwards
	}
	page := store.SearchPage{TotalExact: true, Facets: store.Facets{Sources: map[center.PartyCode]int{}, TLPs: map[center.TLP]int{}, Languages: map[string]int{}}}
	frows, err := s.rd.QueryContext(ctx, `SELECT source, tlp, language, count(*), min(seq) FROM (SELECT rv.seq, rv.source, rv.tlp, rv.language FROM `+from+
		` WHERE `+where.String()+` ORDER BY `+newest+` DESC LIMIT ?) GROUP BY 1, 2, 3`, append(args, window)...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search facets: %w", err)
	}
	oldest := int64(-1)
	err = func() error {
		defer frows.Close()
		for frows.Next() {
			var src center.PartyCode
			var tlp center.TLP
			var language string
			var n int
			var low int64
			if err := frows.Scan(&src, &tlp, &language, &n, &low); err != nil {
				return err
			}
			page.Total += n
			page.Facets.Sources[src] += n
			page.Facets.TLPs[tlp] += n
			page.Facets.Languages[language] += n
			if oldest < 0 || low < oldest {
				oldest = low
			}
		}
		return frows.Err()
	}()
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search facets: %w", err)
	}
	if window > 0 && page.Total == window {
		// The window is full: is there an older match?
		var more int
		err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+where.String()+
			` AND `+newest+` < ? LIMIT 1)`, append(args, oldest)...).Scan(&more)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("sqlite: search window: %w", err)
		}
		if more > 0 {
			page.TotalExact = false
			where.WriteString(` AND ` + newest + ` >= ?`)
			args = append(args, oldest)
		}
	}

	// The page: seqs and scores first, then those versions.
	rows, err := s.rd.QueryContext(ctx, `SELECT rv.seq, `+score+` FROM `+from+
		` WHERE `+where.String()+` `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	var seqs []any
	scores := map[int64]float64{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var sc float64
			if err := rows.Scan(&seq, &sc); err != nil {
				return err
			}
			seqs = append(seqs, seq)
			scores[seq] = sc
		}
		return rows.Err()
	}()
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	if len(seqs) > 0 {
		vrows, err := s.r.QueryContext(ctx, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
			WHERE v.seq IN (`+strings.TrimSuffix(strings.Repeat("?,", len(seqs)), ",")+`)`, seqs...)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("sqlite: search hits: %w", err)
		}
		found, err := scanVersions(vrows)
		if err != nil {
			return store.SearchPage{}, err
		}
		bySeq := make(map[int64]center.Report, len(found))
		for _, r := range found {
			bySeq[r.Seq] = r
		}
		for _, seq := range seqs {
			if r, ok := bySeq[seq.(int64)]; ok {
				page.Hits = append(page.Hits, store.SearchHit{Report: r, Score: scores[r.Seq]})
			}
		}
	}

	return page, nil
}
