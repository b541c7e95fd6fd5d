// Package schema holds the database migrations of every backend, in one
// place, as embedded SQL run by goose. Migrations are forward-only: a
// released file is never edited; a change is a new file.
package schema

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql
var files embed.FS

// SQLite returns the SQLite migrations.
func SQLite() fs.FS {
	sub, err := fs.Sub(files, "sqlite")
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	return sub
}
