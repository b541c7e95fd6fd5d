package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/sqlrow"
	"github.com/tabadul/tabadul/internal/record/store"
)

func (t *tx) PutTAXIIStatus(ctx context.Context, s store.TAXIIStatus) error {
	lists := make([]string, 3)
	for i, l := range [][]store.TAXIIStatusDetail{s.Successes, s.Failures, s.Pendings} {
		if l == nil {
			l = []store.TAXIIStatusDetail{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("sqlite: taxii status %s: %w", s.ID, err)
		}
		lists[i] = string(b)
	}
	return t.exec(ctx, "put taxii status "+s.ID, `
		INSERT INTO taxii_statuses (id, party, username, requested, updated, total, successes, failures, pendings)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET updated = excluded.updated, total = excluded.total,
			successes = excluded.successes, failures = excluded.failures, pendings = excluded.pendings
		WHERE taxii_statuses.party = excluded.party`,
		s.ID, s.Party, s.Username, micros(s.Requested), micros(s.Updated), s.Total, lists[0], lists[1], lists[2])
}

func (t *tx) SetTAXIIDistribution(ctx context.Context, party center.PartyCode, d center.Distribution) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("sqlite: taxii distribution: %w", err)
	}
	return t.exec(ctx, "set taxii distribution of "+string(party), `
		INSERT INTO taxii_parties (party, distribution) VALUES (?, ?)
		ON CONFLICT (party) DO UPDATE SET distribution = excluded.distribution`, party, string(b))
}

func (s *Store) TAXIIStatus(ctx context.Context, viewer center.PartyCode, id string) (store.TAXIIStatus, error) {
	st, err := sqlrow.TAXIIStatus(s.rd.QueryRowContext(ctx, `SELECT `+sqlrow.TAXIIStatusColumns+`
		FROM taxii_statuses WHERE id = ? AND party = ?`, id, viewer), viewer, id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.TAXIIStatus{}, fmt.Errorf("sqlite: taxii status %q: %w", id, center.ErrNotFound)
	}
	if err != nil {
		return store.TAXIIStatus{}, fmt.Errorf("sqlite: taxii status %q: %w", id, err)
	}
	return st, nil
}

func (s *Store) TAXIIDistribution(ctx context.Context, party center.PartyCode) (center.Distribution, bool, error) {
	var raw string
	err := s.rd.QueryRowContext(ctx, `SELECT distribution FROM taxii_parties WHERE party = ?`, party).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return center.Distribution{}, false, nil
	}
	if err != nil {
		return center.Distribution{}, false, fmt.Errorf("sqlite: taxii distribution of %s: %w", party, err)
	}
	var d center.Distribution
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return center.Distribution{}, false, fmt.Errorf("sqlite: taxii distribution of %s: %w", party, err)
	}
	return d, true, nil
}

// TAXIIObjects reads a party's page by the plan its filters call for (see
// below), each walking an index from AddedAfter, so that a deep page costs
// what the first one does. "first" and "last" look at the object's other
// visible, unrevoked versions from the same source through the
// (id, source, modified) index.
func (s *Store) TAXIIObjects(ctx context.Context, viewer center.PartyCode, q store.TAXIIQuery) (store.STIXPage, error) {
	query, qargs, err := taxiiQuery(viewer, q)
	if err != nil {
		return store.STIXPage{}, err
	}
	objs, err := sqlrow.All(backend, "taxii objects", sqlrow.Query(s.rd.QueryContext(ctx, query, qargs...)), sqlrow.TAXIIObject)
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
	// The filters every plan applies, after its driving index.
	var where strings.Builder
	var args []any
	where.WriteString(`o.revoked IS NULL`)
	inList := func(col string, vals []string) {
		list, _ := json.Marshal(vals)
		where.WriteString(` AND ` + col + ` IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	}
	if len(q.IDs) > 0 {
		inList("o.id", q.IDs)
	}
	if len(q.SpecVersions) > 0 {
		inList("o.spec_version", q.SpecVersions)
	}
	if q.Source != "" {
		where.WriteString(` AND o.source = ?`)
		args = append(args, q.Source)
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
			alts = append(alts, `o.latest = 1`, other(">"))
		}
		if vm.First {
			alts = append(alts, other("<"))
		}
		if len(vm.Exact) > 0 {
			us := make([]int64, len(vm.Exact))
			for i, t := range vm.Exact {
				us[i] = micros(t)
			}
			list, _ := json.Marshal(us)
			alts = append(alts, `(CASE WHEN o.modified = 0 THEN o.added ELSE o.modified END) IN (SELECT value FROM json_each(?))`)
			args = append(args, string(list))
		}
		where.WriteString(` AND (` + strings.Join(alts, " OR ") + `)`)
	}
	// The plan is chosen here, not left to the planner (CROSS JOIN fixes
	// the join order, INDEXED BY the index), so that a page reads about
	// Limit rows of its driving index whatever its depth:
	//   ids: the (id, source, modified) index, then visibility;
	//   types: per type, stix_views (party, type, added), merged;
	//   a source: stix_objects (source, added), then visibility;
	//   else: stix_views (party, added).
	// Each plan orders by its driving index's column, which SQLite then
	// reads in order instead of sorting the whole range.
	branch := func(from, order, lead string, leadArgs ...any) (string, []any) {
		a := append(append(leadArgs, args...), q.Limit+1)
		return `SELECT ` + taxiiColumns + ` FROM ` + from + ` WHERE ` + lead + ` AND ` + where.String() +
			` ORDER BY ` + order + ` LIMIT ?`, a
	}
	var query string
	var qargs []any
	switch {
	case len(q.IDs) > 0:
		lead, leadArgs := `o.added > ?`, []any{viewer, after}
		if len(q.Types) > 0 {
			list, _ := json.Marshal(q.Types)
			lead += ` AND o.type IN (SELECT value FROM json_each(?))`
			leadArgs = append(leadArgs, string(list))
		}
		query, qargs = branch(`stix_objects o CROSS JOIN stix_views v ON v.party = ? AND v.added = o.added`, `o.added`, lead, leadArgs...)
	case len(q.Types) > 0:
		types := slices.Clone(q.Types)
		slices.Sort(types)
		types = slices.Compact(types)
		var parts []string
		for _, typ := range types {
			b, a := branch(`stix_views v INDEXED BY stix_views_by_type CROSS JOIN stix_objects o ON o.added = v.added`, `v.added`,
				`v.party = ? AND v.type = ? AND v.added > ?`, viewer, typ, after)
			parts = append(parts, `SELECT * FROM (`+b+`)`)
			qargs = append(qargs, a...)
		}
		query = `SELECT * FROM (` + strings.Join(parts, ` UNION ALL `) + `) ORDER BY 1 LIMIT ?`
		qargs = append(qargs, q.Limit+1)
	case q.Source != "":
		query, qargs = branch(`stix_objects o INDEXED BY taxii_objects_by_source CROSS JOIN stix_views v ON v.party = ? AND v.added = o.added`, `o.added`,
			`o.source = ? AND o.added > ?`, viewer, q.Source, after)
	default:
		query, qargs = branch(`stix_views v CROSS JOIN stix_objects o ON o.added = v.added`, `v.added`, `v.party = ? AND v.added > ?`, viewer, after)
	}
	return query, qargs, nil
}

const taxiiColumns = sqlrow.TAXIIColumns
