// Package schema holds the database migrations of every backend, in one
// place, as embedded SQL run by goose. Migrations are forward-only: a
// released file is never edited; a change is a new file.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// SQLite returns the SQLite migrations.
func SQLite() fs.FS { return dialect("sqlite") }

// Postgres returns the PostgreSQL migrations. Each has the number and the
// meaning of the SQLite migration of that number: a feature adds one file
// per dialect under the same number.
func Postgres() fs.FS { return dialect("postgres") }

func dialect(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	return sub
}
