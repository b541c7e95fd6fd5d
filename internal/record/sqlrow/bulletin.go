package sqlrow

import "github.com/tabadul/tabadul/internal/center"

// Bulletin scans a row of (id, party, author, title, body, language,
// published).
func Bulletin(sc Scanner) (center.Bulletin, error) {
	var b center.Bulletin
	var published int64
	err := sc.Scan(&b.ID, (*string)(&b.Party), &b.Author, &b.Title, &b.Body, &b.Language, &published)
	b.Published = Time(published)
	return b, err
}
