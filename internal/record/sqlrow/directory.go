package sqlrow

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tabadul/tabadul/internal/center"
)

// MetaRoster names the roster's version in the meta table: a random token
// replaced in the same transaction as every change to parties or
// committees. Reading it is one indexed lookup; reading the roster is two
// joins, on every write of a report. A token, not a counter, because a
// rolled-back change must not leave behind a version number that a later,
// different change reuses.
const MetaRoster = "roster_version"

// MetaSubscriptions names the version of the active subscriptions in the
// meta table, replaced like MetaRoster with every change to them: a new
// or deleted subscription, a deleted endpoint. The write path reads the
// active subscriptions for every report it records; each backend keeps
// them while this version holds.
const MetaSubscriptions = "subscriptions_version"

// Directory reads the directory from the rows of parties, (code, kind,
// names) in order, and then of committees (see committees).
func (b Backend) Directory(parties, committees func() Cursor) (center.Directory, error) {
	var dir center.Directory
	var err error
	c := parties()
	if c.err != nil {
		return dir, fmt.Errorf("%s: parties: %w", b, c.err)
	}
	dir.Parties, err = b.parties(c.rows)
	c.close()
	if err != nil {
		return dir, err
	}
	if c = committees(); c.err != nil {
		return dir, fmt.Errorf("%s: committees: %w", b, c.err)
	}
	defer c.close()
	dir.Committees, err = b.committees(c.rows)
	return dir, err
}

// parties decodes the rows of (code, kind, names).
func (b Backend) parties(rows Rows) ([]center.Party, error) {
	var out []center.Party
	for rows.Next() {
		var p center.Party
		var code, kind, names string
		if err := rows.Scan(&code, &kind, &names); err != nil {
			return nil, fmt.Errorf("%s: parties: %w", b, err)
		}
		p.Code, p.Kind = center.PartyCode(code), center.PartyKind(kind)
		if err := json.Unmarshal([]byte(names), &p.Names); err != nil {
			return nil, fmt.Errorf("%s: party %s names: %w", b, p.Code, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: parties: %w", b, err)
	}
	return out, nil
}

// committees decodes the rows of (code, names, member) of committees
// left-joined with their members, ordered by committee then member: a
// committee's rows are consecutive, and one without members has one row
// with a NULL member.
func (b Backend) committees(rows Rows) ([]center.Committee, error) {
	var out []center.Committee
	for rows.Next() {
		var code, names string
		var member sql.NullString
		if err := rows.Scan(&code, &names, &member); err != nil {
			return nil, fmt.Errorf("%s: committees: %w", b, err)
		}
		if n := len(out); n == 0 || out[n-1].Code != code {
			c := center.Committee{Code: code}
			if err := json.Unmarshal([]byte(names), &c.Names); err != nil {
				return nil, fmt.Errorf("%s: committee %s names: %w", b, code, err)
			}
			out = append(out, c)
		}
		if member.Valid {
			c := &out[len(out)-1]
			c.Members = append(c.Members, center.PartyCode(member.String))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: committees: %w", b, err)
	}
	return out, nil
}

// Versioned holds the last value read of something whose version the
// meta table holds (MetaRoster, MetaSubscriptions). The version is read
// from the database each time, so a change made by another process or
// node, or rolled back, is seen at once; the value is read again only
// when the version moved.
type Versioned[T any] struct {
	mu      sync.Mutex
	version string
	value   T
}

// Get returns the value of version v, read with read if the cache holds
// another. An empty version (a store that has never recorded one) is
// never cached.
func (c *Versioned[T]) Get(ctx context.Context, v string, read func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	if v != "" && v == c.version {
		value := c.value
		c.mu.Unlock()
		return value, nil
	}
	c.mu.Unlock()
	value, err := read(ctx)
	if err != nil || v == "" {
		return value, err
	}
	c.mu.Lock()
	c.version, c.value = v, value
	c.mu.Unlock()
	return value, nil
}

// RosterCache holds the last directory read, with its version.
type RosterCache = Versioned[center.Directory]
