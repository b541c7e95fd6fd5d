package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CheckIntegrity reports every row of the database at path that breaks
// a rule the schema states but the store does not enforce while writing:
//
//   - a declared reference (a REFERENCES clause) that names no row, what
//     enforcing references would have refused (see the package's
//     documentation for why they are not);
//   - a second view of one report for one party in report_views, which
//     a unique index would have refused (see migration 00020);
//   - a view whose key names no party's number or no version (see
//     migration 00024), what references would have refused had the key
//     been two columns.
//
// The write path keeps both; tests call this on each database they
// leave. It opens the file on its own connection, so a closed store can
// be checked too.
func CheckIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	defer db.Close()
	var broken []string
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("sqlite: check integrity: %w", err)
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		broken = append(broken, fmt.Sprintf("%s of %s names no %s", row, table, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	views, err := db.QueryContext(ctx, `
		SELECT coalesce(p.code, '#' || (rv.view >> 40)), r.id, count(*) FROM report_views rv
		JOIN reports r ON r.rid = rv.rid LEFT JOIN parties p ON p.num = rv.view >> 40
		GROUP BY rv.view >> 40, rv.rid HAVING count(*) > 1`)
	if err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	defer views.Close()
	for views.Next() {
		var party, id string
		var n int
		if err := views.Scan(&party, &id, &n); err != nil {
			return fmt.Errorf("sqlite: check integrity: %w", err)
		}
		broken = append(broken, fmt.Sprintf("party %s has %d views of report %s", party, n, id))
	}
	if err := views.Err(); err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	keys, err := db.QueryContext(ctx, `
		SELECT rv.view, p.code IS NOT NULL, v.seq IS NOT NULL FROM report_views rv
		LEFT JOIN parties p ON p.num = rv.view >> 40 LEFT JOIN versions v ON v.seq = rv.seq
		WHERE p.code IS NULL OR v.seq IS NULL`)
	if err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	defer keys.Close()
	for keys.Next() {
		var view int64
		var party, version bool
		if err := keys.Scan(&view, &party, &version); err != nil {
			return fmt.Errorf("sqlite: check integrity: %w", err)
		}
		if !party {
			broken = append(broken, fmt.Sprintf("view %d of report_views names no party", view))
		}
		if !version {
			broken = append(broken, fmt.Sprintf("view %d of report_views names no version", view))
		}
	}
	if err := keys.Err(); err != nil {
		return fmt.Errorf("sqlite: check integrity: %w", err)
	}
	if len(broken) > 0 {
		const shown = 10
		more := ""
		if len(broken) > shown {
			more = fmt.Sprintf(" and %d more", len(broken)-shown)
			broken = broken[:shown]
		}
		return fmt.Errorf("sqlite: integrity: %s%s", strings.Join(broken, "; "), more)
	}
	return nil
}
