// Package sqlrow is the decoding of rows shared by the SQL backends
// (internal/record/sqlite and internal/record/postgres): the same columns,
// scanned through either driver, become the same store and center values,
// and the same rows assemble into the same pages, directories and
// timelines.
//
// A [Scanner] is one row (*sql.Row, *sql.Rows, pgx.Row, pgx.Rows); [Rows]
// is a cursor; a [Cursor] is a query's outcome, Query(db.QueryContext(…))
// or Query(pool.Query(…)), which [All] and [Cursor.Each] read to the end
// and close. Decoders scan into what both drivers fill alike: strings,
// integers, byte slices, sql.NullInt64 for a time that may be NULL. Times
// are stored as microseconds since the epoch, in UTC.
//
// The SQL stays in each backend, whose dialects differ (? or $1, JSON
// arrays or PostgreSQL arrays); what lives here is the order of a row's
// columns (the *Columns constants, where both backends select the same
// list) and what is done with them. A decoder whose row can fail to decode
// (a JSON column) is a method of [Backend], the backend's name, which
// prefixes its errors as the backend's own errors are prefixed; every
// error wraps what caused it (%w), so a driver's or a sentinel's identity
// reaches the caller.
package sqlrow
