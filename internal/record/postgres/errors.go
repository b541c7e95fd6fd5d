package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tabadul/tabadul/internal/center"
)

// pgconnParseError is the error pgx returns for a malformed connection
// string.
type pgconnParseError = pgconn.ParseConfigError

// mapError turns PostgreSQL's SQLSTATE codes into the center's sentinels
// where a caller branches on them; everything else passes through.
func mapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("postgres: %w: %w", center.ErrConflict, err)
		}
	}
	return err
}
