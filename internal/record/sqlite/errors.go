package sqlite

import (
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tabadul/tabadul/internal/center"
)

// mapError turns SQLite's result codes into the center's sentinels where a
// caller branches on them; everything else passes through wrapped.
func mapError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %w: %w", center.ErrConflict, err)
		}
	}
	return err
}
