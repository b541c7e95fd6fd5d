package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CheckReferences reports every row of the database at path whose
// declared reference (a REFERENCES clause of the schema) names no row:
// what enforcing them would have refused. The store does not enforce
// them while writing (see the package's documentation); its write path
// keeps them, and tests call this on each database they leave. It opens
// the file on its own connection, so a closed store can be checked too.
func CheckReferences(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("sqlite: check references: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("sqlite: check references: %w", err)
	}
	defer rows.Close()
	var broken []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("sqlite: check references: %w", err)
		}
		row := "a row"
		if rowid.Valid {
			row = fmt.Sprintf("row %d", rowid.Int64)
		}
		broken = append(broken, fmt.Sprintf("%s of %s names no %s", row, table, parent))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: check references: %w", err)
	}
	if len(broken) > 0 {
		const shown = 10
		more := ""
		if len(broken) > shown {
			more = fmt.Sprintf(" and %d more", len(broken)-shown)
			broken = broken[:shown]
		}
		return fmt.Errorf("sqlite: broken references: %s%s", strings.Join(broken, "; "), more)
	}
	return nil
}
