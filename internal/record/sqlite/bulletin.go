package sqlite

import (
	"context"
	"fmt"

	"github.com/tabadul/tabadul/internal/center"
)

func (t *tx) InsertBulletin(ctx context.Context, b center.Bulletin) error {
	return t.exec(ctx, "insert bulletin",
		`INSERT INTO bulletins (id, party, author, title, body, language, published) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.Party, b.Author, b.Title, b.Body, b.Language, micros(b.Published))
}

func (s *Store) Bulletins(ctx context.Context, limit int) ([]center.Bulletin, error) {
	rows, err := s.rd.QueryContext(ctx, `
		SELECT id, party, author, title, body, language, published FROM bulletins
		ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: bulletins: %w", err)
	}
	defer rows.Close()
	var out []center.Bulletin
	for rows.Next() {
		var b center.Bulletin
		var published int64
		if err := rows.Scan(&b.ID, &b.Party, &b.Author, &b.Title, &b.Body, &b.Language, &published); err != nil {
			return nil, fmt.Errorf("sqlite: bulletins: %w", err)
		}
		b.Published = fromMicros(published)
		out = append(out, b)
	}
	return out, rows.Err()
}
