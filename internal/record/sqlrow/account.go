package sqlrow

import (
	"database/sql"

	"github.com/tabadul/tabadul/internal/center"
)

// UserQuery selects users (joined with their party as p, for a WHERE or
// ORDER BY to follow); a user of a removed party reads as disabled.
const UserQuery = `
	SELECT u.username, u.party, u.role, u.password_hash, u.disabled OR p.removed IS NOT NULL, u.created
	FROM users u JOIN parties p ON p.code = u.party`

// User scans a row of UserQuery.
func User(sc Scanner) (center.User, error) {
	var u center.User
	var party, role string
	var created int64
	if err := sc.Scan(&u.Username, &party, &role, &u.PasswordHash, &u.Disabled, &created); err != nil {
		return u, err
	}
	u.Party, u.Role = center.PartyCode(party), center.Role(role)
	u.Created = Time(created)
	return u, nil
}

// TokenColumns orders a token row for [Token].
const TokenColumns = `id, username, label, hash, created, expires, revoked, last_used`

// Token scans a row of TokenColumns.
func Token(sc Scanner) (center.Token, error) {
	var t center.Token
	var created int64
	var expires, revoked, lastUsed sql.NullInt64
	if err := sc.Scan(&t.ID, &t.Username, &t.Label, &t.Hash, &created, &expires, &revoked, &lastUsed); err != nil {
		return t, err
	}
	t.Created = Time(created)
	t.Expires, t.Revoked, t.LastUsed = TimePtr(expires), TimePtr(revoked), TimePtr(lastUsed)
	return t, nil
}
