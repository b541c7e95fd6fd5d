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

func (t *tx) IndexVersion(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("sqlite: index version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	return t.exec(ctx, "index version",
		`INSERT INTO search (rowid, surface, stems) VALUES (?, ?, ?)`, seq, ftsText(doc.Surface), ftsText(doc.Stems))
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

// searchFilter appends the filter's SQL conditions on rv, v and r.
func searchFilter(f store.SearchFilter, where *strings.Builder, args *[]any) {
	in := func(col string, n int) {
		where.WriteString(" AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")")
	}
	if len(f.Sources) > 0 {
		in("r.source", len(f.Sources))
		for _, s := range f.Sources {
			*args = append(*args, s)
		}
	}
	if len(f.TLPs) > 0 {
		in("v.tlp", len(f.TLPs))
		for _, t := range f.TLPs {
			*args = append(*args, t)
		}
	}
	if len(f.Languages) > 0 {
		in("v.language", len(f.Languages))
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
		where.WriteString(" AND v.version >= ?")
		*args = append(*args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where.WriteString(" AND v.version < ?")
		*args = append(*args, micros(f.Until))
	}
}

// Search implements store.Reader. Every query starts from report_views
// filtered by the viewer: the visibility rule's stored decision.
func (s *Store) Search(ctx context.Context, viewer center.PartyCode, q store.SearchQuery) (store.SearchPage, error) {
	if q.Limit < 1 || q.Limit > store.MaxPageSize || q.Offset < 0 {
		return store.SearchPage{}, center.Invalid("limit", "must be between 1 and %d", store.MaxPageSize)
	}
	var from, order string
	var where strings.Builder
	var args []any
	if q.Text.Empty() {
		from = `report_views rv`
		where.WriteString(`rv.party = ?`)
		args = append(args, viewer)
		order = `ORDER BY rv.seq DESC`
	} else {
		match, err := ftsMatch(q.Text)
		if err != nil {
			return store.SearchPage{}, err
		}
		from = `search JOIN report_views rv ON rv.seq = search.rowid AND rv.party = ?`
		where.WriteString(`search MATCH ?`)
		args = append(args, viewer, match)
		order = `ORDER BY bm25(search), rv.seq DESC`
	}
	searchFilter(q.Filter, &where, &args)
	joins := ` JOIN versions v ON v.seq = rv.seq JOIN reports r ON r.rid = rv.rid `

	score := `0`
	if !q.Text.Empty() {
		score = `-bm25(search)`
	}
	rows, err := s.rd.QueryContext(ctx, `SELECT `+versionColumns+`, `+score+` FROM `+from+joins+
		`WHERE `+where.String()+` `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}
	var page store.SearchPage
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var hit store.SearchHit
			rep, err := scanVersionAnd(rows, &hit.Score)
			if err != nil {
				return err
			}
			hit.Report = rep
			page.Hits = append(page.Hits, hit)
		}
		return rows.Err()
	}()
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search: %w", err)
	}

	// The total and the facets, over every visible hit.
	page.Facets = store.Facets{Sources: map[center.PartyCode]int{}, TLPs: map[center.TLP]int{}, Languages: map[string]int{}}
	frows, err := s.rd.QueryContext(ctx, `SELECT r.source, v.tlp, v.language, count(*) FROM `+from+joins+
		`WHERE `+where.String()+` GROUP BY 1, 2, 3`, args...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("sqlite: search facets: %w", err)
	}
	defer frows.Close()
	for frows.Next() {
		var src center.PartyCode
		var tlp center.TLP
		var language string
		var n int
		if err := frows.Scan(&src, &tlp, &language, &n); err != nil {
			return store.SearchPage{}, fmt.Errorf("sqlite: search facets: %w", err)
		}
		page.Total += n
		page.Facets.Sources[src] += n
		page.Facets.TLPs[tlp] += n
		page.Facets.Languages[language] += n
	}
	return page, frows.Err()
}
