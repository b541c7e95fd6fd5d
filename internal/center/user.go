package center

import (
	"regexp"
	"time"
)

// Role is what a user may do for its party.
type Role string

const (
	// Analyst users read and write reports for their party.
	Analyst Role = "analyst"
	// Officer users also act for their party in governance and manage its
	// endpoints and subscriptions.
	Officer Role = "officer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Analyst || r == Officer }

// A User is a person acting for one party.
type User struct {
	Username string    `json:"username"`
	Party    PartyCode `json:"party"`
	Role     Role      `json:"role"`
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created"`
	// PasswordHash is an argon2id PHC string; empty means no password login.
	PasswordHash string `json:"-"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ValidUsername reports whether s is a well-formed username: 2–64 characters
// of a–z, 0–9, '.', '_' and '-', starting with a letter or digit.
func ValidUsername(s string) bool { return usernameRE.MatchString(s) }

// Validate checks the user's own fields.
func (u User) Validate() error {
	e := &InvalidError{}
	if !ValidUsername(u.Username) {
		e.add("username", "username %q must be 2-64 characters of a-z, 0-9, '.', '_' and '-'", u.Username)
	}
	if !u.Party.Valid() {
		e.add("party", "party code %q is not well-formed", u.Party)
	}
	if !u.Role.Valid() {
		e.add("role", "role %q must be %q or %q", u.Role, Analyst, Officer)
	}
	return e.err()
}

// A Token is an API token's record. The secret itself is shown once, when
// issued; only its SHA-256 hash is stored.
type Token struct {
	ID       string     `json:"id"`
	Username string     `json:"username"`
	Label    string     `json:"label,omitempty"`
	Hash     []byte     `json:"-"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires,omitempty"`
	Revoked  *time.Time `json:"revoked,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

// Usable reports whether the token may authenticate at time now.
func (t Token) Usable(now time.Time) bool {
	if t.Revoked != nil {
		return false
	}
	return t.Expires == nil || now.Before(*t.Expires)
}

// A Principal is an authenticated caller: a user acting for its party.
type Principal struct {
	User User
}

// Party is the party the principal acts for and sees as.
func (p Principal) Party() PartyCode { return p.User.Party }

// IsOfficer reports whether the principal is one of its party's officers.
func (p Principal) IsOfficer() bool { return p.User.Role == Officer }
