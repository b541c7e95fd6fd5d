// Package sqlrow is the decoding of rows shared by the SQL backends
// (internal/record/sqlite and internal/record/postgres): the same columns,
// scanned through either driver, become the same store and center values,
// and the same rows assemble into the same pages, directories and
// timelines.
//
// A [Scanner] is one row (*sql.Row, *sql.Rows, pgx.Row, pgx.Rows); [Rows]
// is a cursor. Decoders scan into types both drivers fill alike: strings,
// integers, byte slices and sql.NullInt64 for a nullable time. Times are
// stored as microseconds since the epoch, in UTC.
//
// The SQL stays in each backend, whose dialects differ; what lives here is
// only the order of a row's columns (the *Columns constants, where both
// backends select the same list) and what is done with them. Each decoder
// takes the backend's [Backend] name, which prefixes its errors as the
// backend's own errors are prefixed.
package sqlrow
