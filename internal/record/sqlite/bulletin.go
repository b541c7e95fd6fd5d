package sqlite

import (
	"context"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
)

func (t *tx) InsertBulletin(ctx context.Context, b center.Bulletin) error {
	return t.exec(ctx, "insert bulletin",
		`INSERT INTO bulletins (id, party, author, title, body, language, published) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.Party, b.Author, b.Title, b.Body, b.Language, micros(b.Published))
}

func (s *Store) Bulletins(ctx context.Context, limit int) ([]center.Bulletin, error) {
	return sqlrow.All(backend, "bulletins", sqlrow.Query(s.rd.QueryContext(ctx, `
		SELECT id, party, author, title, body, language, published FROM bulletins
		ORDER BY seq DESC LIMIT ?`, limit)), sqlrow.Bulletin)
}
