package sqlrow

import (
	"database/sql"
	"fmt"
	"time"
)

// Scanner is a row, or a cursor standing on one: *sql.Row, *sql.Rows,
// pgx.Row and pgx.Rows all are.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is a cursor over rows: *sql.Rows and pgx.Rows both are. Closing it
// is the caller's (the two drivers' Close differ in signature); both close
// a cursor read to its end.
type Rows interface {
	Scanner
	Next() bool
	Err() error
}

// Backend names a backend ("sqlite", "postgres") in the errors a decoder
// returns.
type Backend string

// Collect decodes every row with scan. The first error, scan's or the
// cursor's, is returned as it is, for the caller to name the query; the
// result is then nil. No rows yield a nil slice.
func Collect[T any](rows Rows, scan func(Scanner) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Text scans a row of one text column.
func Text(sc Scanner) (string, error) {
	var s string
	err := sc.Scan(&s)
	return s, err
}

// Time is a stored time: microseconds since the epoch, in UTC.
func Time(us int64) time.Time { return time.UnixMicro(us).UTC() }

// TimePtr is a stored time that may be NULL.
func TimePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := Time(n.Int64)
	return &t
}

// ZeroTime is a stored time where 0 stands for none (the zero time).
func ZeroTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return Time(us)
}

// ZeroMicros stores a time where 0 stands for the zero time.
func ZeroMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Cursor is what a query returned: its rows, or the error that kept it
// from running. [Query] makes one of a driver's (rows, error).
type Cursor struct {
	rows Rows
	err  error
}

// Query wraps a driver's query result: Query(db.QueryContext(...)) or
// Query(pool.Query(...)).
func Query(rows Rows, err error) Cursor {
	if err != nil {
		return Cursor{err: err}
	}
	return Cursor{rows: rows}
}

// close closes the cursor, whichever driver's it is.
func (c Cursor) close() {
	switch r := c.rows.(type) {
	case interface{ Close() error }:
		r.Close()
	case interface{ Close() }:
		r.Close()
	}
}

// Each runs fn on every row of c and closes it; an error, the query's, fn's
// or the cursor's, is named "<backend>: <what>".
func (c Cursor) Each(b Backend, what string, fn func(Scanner) error) error {
	if c.err != nil {
		return fmt.Errorf("%s: %s: %w", b, what, c.err)
	}
	defer c.close()
	for c.rows.Next() {
		if err := fn(c.rows); err != nil {
			return fmt.Errorf("%s: %s: %w", b, what, err)
		}
	}
	if err := c.rows.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", b, what, err)
	}
	return nil
}

// All decodes every row of c with scan and closes it; an error, the
// query's, scan's or the cursor's, is named "<backend>: <what>" and the
// result is then nil. No rows yield a nil slice.
func All[T any](b Backend, what string, c Cursor, scan func(Scanner) (T, error)) ([]T, error) {
	return AppendAll[T](nil, b, what, c, scan)
}

// AppendAll is [All] appending to out, so that the caller decides what no
// rows yield (a nil or an empty slice).
func AppendAll[T any](out []T, b Backend, what string, c Cursor, scan func(Scanner) (T, error)) ([]T, error) {
	err := c.Each(b, what, func(sc Scanner) error {
		v, err := scan(sc)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AllPairs is [All] for rows that decode into two values, gathered in two
// slices of the same length.
func AllPairs[A, B any](b Backend, what string, c Cursor, scan func(Scanner) (A, B, error)) ([]A, []B, error) {
	var as []A
	var bs []B
	err := c.Each(b, what, func(sc Scanner) error {
		x, y, err := scan(sc)
		as, bs = append(as, x), append(bs, y)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return as, bs, nil
}
