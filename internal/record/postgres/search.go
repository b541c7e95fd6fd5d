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

// IndexVersion implements store.Tx.
func (t *tx) IndexVersion(ctx context.Context, seq int64, doc store.SearchDoc) error {
	if len(doc.Surface) != len(doc.Stems) {
		return fmt.Errorf("postgres: index version %d: %d surface forms but %d stems", seq, len(doc.Surface), len(doc.Stems))
	}
	// Sent with the next statement (the version's event, as the write path
	// goes), in the same savepoint.
	t.later("index version", `INSERT INTO search (seq, tsv) VALUES ($1, $2::tsvector)`, seq, tsvector(doc))
	return nil
}

// tsSeq is the tsquery of one Seq: a word matches its surface form or its
// stem; a phrase matches its stems in order.
func tsSeq(b *strings.Builder, s store.Seq) error {
	if len(s.Stems) == 0 || len(s.Surface) != len(s.Stems) {
		return fmt.Errorf("postgres: search: a sequence of %d surface forms and %d stems", len(s.Surface), len(s.Stems))
	}
	b.WriteByte('(')
	if len(s.Stems) == 1 {
		quote(b, lexeme(s.Surface[0]))
		b.WriteString(":A | ")
		quote(b, lexeme(s.Stems[0]))
		b.WriteString(":B")
	} else {
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
	var p params
	if q.Text.Empty() {
		from = `report_views rv`
		where.WriteString(`rv.party = ` + p.add(string(viewer)))
		order, score = `ORDER BY rv.seq DESC`, `0::float8`
	} else {
		match, err := tsQuery(q.Text)
		if err != nil {
			return store.SearchPage{}, err
		}
		from = `search JOIN report_views rv ON rv.party = ` + p.add(string(viewer)) + ` AND rv.seq = search.seq`
		m := p.add(match) + `::tsquery`
		where.WriteString(`search.tsv @@ ` + m)
		score = `ts_rank(search.tsv, ` + m + `)::float8`
		order = `ORDER BY 2 DESC, rv.seq DESC`
	}
	searchFilter(q.Filter, &where, &p)

	// The total and the facets, over every visible hit.
	page := store.SearchPage{Facets: store.Facets{Sources: map[center.PartyCode]int{}, TLPs: map[center.TLP]int{}, Languages: map[string]int{}}}
	frows, err := s.pool.Query(ctx, `SELECT rv.source, rv.tlp, rv.language, count(*) FROM `+from+
		` WHERE `+where.String()+` GROUP BY 1, 2, 3`, p.args...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("postgres: search facets: %w", err)
	}
	err = func() error {
		defer frows.Close()
		for frows.Next() {
			var src, tlp, language string
			var n int
			if err := frows.Scan(&src, &tlp, &language, &n); err != nil {
				return err
			}
			page.Total += n
			page.Facets.Sources[center.PartyCode(src)] += n
			page.Facets.TLPs[center.TLP(tlp)] += n
			page.Facets.Languages[language] += n
		}
		return frows.Err()
	}()
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("postgres: search facets: %w", err)
	}

	// Past the rank window, only the newest matches are ranked, as on
	// SQLite (see sqlite.Options.RankWindow).
	if w := s.opts.RankWindow; !q.Text.Empty() && page.Total > w && q.Offset+q.Limit <= w {
		var cutoff int64
		err := s.pool.QueryRow(ctx, `SELECT search.seq FROM `+from+` WHERE `+where.String()+
			` ORDER BY search.seq DESC LIMIT 1 OFFSET `+strconv.Itoa(w-1), p.args...).Scan(&cutoff)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("postgres: search window: %w", err)
		}
		where.WriteString(` AND search.seq >= ` + p.add(cutoff))
	}

	// The page: seqs and scores first, then those versions.
	rows, err := s.pool.Query(ctx, `SELECT rv.seq, `+score+` FROM `+from+
		` WHERE `+where.String()+` `+order+` LIMIT `+strconv.Itoa(q.Limit)+` OFFSET `+strconv.Itoa(q.Offset), p.args...)
	if err != nil {
		return store.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	var seqs []int64
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
		return store.SearchPage{}, fmt.Errorf("postgres: search: %w", err)
	}
	if len(seqs) > 0 {
		vrows, err := s.pool.Query(ctx, `SELECT `+versionColumns+` FROM versions v JOIN reports r ON r.rid = v.rid
			WHERE v.seq = ANY($1)`, seqs)
		if err != nil {
			return store.SearchPage{}, fmt.Errorf("postgres: search hits: %w", err)
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
			if r, ok := bySeq[seq]; ok {
				page.Hits = append(page.Hits, store.SearchHit{Report: r, Score: scores[seq]})
			}
		}
	}
	return page, nil
}
