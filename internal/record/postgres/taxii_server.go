package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

// The TAXII server's state of migration 00012, and its reads of the STIX
// objects of 00010: every read starts from the viewer's stix_views rows.

func (t *tx) PutTAXIIStatus(ctx context.Context, s store.TAXIIStatus) error {
	lists := make([]string, 3)
	for i, l := range [][]store.TAXIIStatusDetail{s.Successes, s.Failures, s.Pendings} {
		if l == nil {
			l = []store.TAXIIStatusDetail{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("postgres: taxii status %s: %w", s.ID, err)
		}
		lists[i] = string(b)
	}
	// Another party's status of the same id is left alone.
	return t.exec(ctx, "put taxii status "+s.ID, `
		INSERT INTO taxii_statuses (id, party, username, requested, updated, total, successes, failures, pendings)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (id) DO UPDATE SET updated = excluded.updated, total = excluded.total,
			successes = excluded.successes, failures = excluded.failures, pendings = excluded.pendings
		WHERE taxii_statuses.party = excluded.party`,
		s.ID, string(s.Party), s.Username, micros(s.Requested), micros(s.Updated), s.Total, lists[0], lists[1], lists[2])
}

func (t *tx) SetTAXIIDistribution(ctx context.Context, party center.PartyCode, d center.Distribution) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("postgres: taxii distribution: %w", err)
	}
	return t.exec(ctx, "set taxii distribution of "+string(party), `
		INSERT INTO taxii_parties (party, distribution) VALUES ($1, $2)
		ON CONFLICT (party) DO UPDATE SET distribution = excluded.distribution`, string(party), string(b))
}

func (s *Store) TAXIIStatus(ctx context.Context, viewer center.PartyCode, id string) (store.TAXIIStatus, error) {
	st, err := sqlrow.TAXIIStatus(s.pool.QueryRow(ctx, `SELECT `+sqlrow.TAXIIStatusColumns+`
		FROM taxii_statuses WHERE id = $1 AND party = $2`, id, string(viewer)), viewer, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.TAXIIStatus{}, fmt.Errorf("postgres: taxii status %q: %w", id, center.ErrNotFound)
	}
	if err != nil {
		return store.TAXIIStatus{}, fmt.Errorf("postgres: taxii status %q: %w", id, err)
	}
	return st, nil
}

func (s *Store) TAXIIDistribution(ctx context.Context, party center.PartyCode) (center.Distribution, bool, error) {
	var raw string
	err := s.pool.QueryRow(ctx, `SELECT distribution FROM taxii_parties WHERE party = $1`, string(party)).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return center.Distribution{}, false, nil
	}
	if err != nil {
		return center.Distribution{}, false, fmt.Errorf("postgres: taxii distribution of %s: %w", party, err)
	}
	var d center.Distribution
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return center.Distribution{}, false, fmt.Errorf("postgres: taxii distribution of %s: %w", party, err)
	}
	return d, true, nil
}

// TAXIIObjects reads a party's page from its stix_views range after
// AddedAfter (or, for a from-XX collection, XX's objects by date_added),
// so that a deep page costs what the first one does. "first" and "last"
// look at the object's other visible, unrevoked versions from the same
// source through the (id, source, modified) index.
func (s *Store) TAXIIObjects(ctx context.Context, viewer center.PartyCode, q store.TAXIIQuery) (store.STIXPage, error) {
	query, args, err := taxiiQuery(viewer, q)
	if err != nil {
		return store.STIXPage{}, err
	}
	objs, err := sqlrow.All(backend, "taxii objects", sqlrow.Query(s.pool.Query(ctx, query, args...)), sqlrow.TAXIIObject)
	if err != nil {
		return store.STIXPage{}, err
	}
	return sqlrow.STIXPage(objs, q.Limit), nil
}

// taxiiQuery builds TAXIIObjects' query for q.
func taxiiQuery(viewer center.PartyCode, q store.TAXIIQuery) (string, []any, error) {
	if err := sqlrow.CheckTAXIIQuery(q); err != nil {
		return "", nil, err
	}
	after := sqlrow.ZeroMicros(q.AddedAfter)
	var p params
	var where strings.Builder
	where.WriteString(`v.party = ` + p.add(string(viewer)) + ` AND o.added > ` + p.add(after) + ` AND o.revoked IS NULL`)
	if len(q.Types) > 0 {
		where.WriteString(` AND v.type = ANY(` + p.add(q.Types) + `)`)
	}
	if len(q.IDs) > 0 {
		where.WriteString(` AND o.id = ANY(` + p.add(q.IDs) + `)`)
	}
	if len(q.SpecVersions) > 0 {
		where.WriteString(` AND o.spec_version = ANY(` + p.add(q.SpecVersions) + `)`)
	}
	if q.Source != "" {
		where.WriteString(` AND o.source = ` + p.add(string(q.Source)))
	}
	vm := q.Versions
	if vm.IsZero() {
		vm.Last = true
	}
	if !vm.All {
		// An other visible, unrevoked version of the same object from the
		// same source, newer (cmp ">") or older ("<").
		other := func(cmp string) string {
			return `NOT EXISTS (SELECT 1 FROM stix_objects n JOIN stix_views nv ON nv.party = v.party AND nv.added = n.added
				WHERE n.id = o.id AND n.source = o.source AND n.modified ` + cmp + ` o.modified AND n.revoked IS NULL)`
		}
		var alts []string
		if vm.Last {
			// The source's newest version, visible here and unrevoked, is
			// the last without looking further.
			alts = append(alts, `o.latest`, other(">"))
		}
		if vm.First {
			alts = append(alts, other("<"))
		}
		if len(vm.Exact) > 0 {
			us := make([]int64, len(vm.Exact))
			for i, t := range vm.Exact {
				us[i] = micros(t)
			}
			alts = append(alts, `(CASE WHEN o.modified = 0 THEN o.added ELSE o.modified END) = ANY(`+p.add(us)+`)`)
		}
		where.WriteString(` AND (` + strings.Join(alts, " OR ") + `)`)
	}
	// The planner walks stix_views (party, added), or for a source
	// stix_objects (source, added), from AddedAfter in order.
	limit := p.add(q.Limit + 1)
	return `SELECT ` + taxiiColumns + ` FROM stix_views v JOIN stix_objects o ON o.added = v.added
		WHERE ` + where.String() + ` ORDER BY o.added LIMIT ` + limit, p.args, nil
}

const taxiiColumns = sqlrow.TAXIIColumns
