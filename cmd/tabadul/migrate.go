package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/record/postgres"
	"github.com/tabadul/tabadul/internal/record/sqlite"
	"github.com/tabadul/tabadul/internal/record/store"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

type migrateConfig struct {
	from, to string
}

func (a *app) migrateCommand() *cobra.Command {
	var cfg migrateConfig
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Copy a center from its SQLite data directory into PostgreSQL",
		Long: "Copy the center of a data directory (SQLite) into an empty PostgreSQL database,\n" +
			"every record, log entry, checkpoint and key unchanged, and rebuild its search index\n" +
			"there. Stop the center's server first. The log's root is checked to be the same\n" +
			"on both sides; afterwards serve the center with --db and check it with\n" +
			"tabadul verify --audit --db.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !isPostgresURL(cfg.to) {
				return usagef("--to %q: want a postgres:// URL", redactURL(cfg.to))
			}
			return a.migrate(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.from, "from", "", "the data directory of the SQLite center to copy")
	cmd.Flags().StringVar(&cfg.to, "to", "", "the postgres:// URL of the empty database to copy it into")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("to")
	return cmd
}

func (a *app) migrate(ctx context.Context, cfg migrateConfig) (err error) {
	path := filepath.Join(cfg.from, dbFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no center in %s", cfg.from)
	}
	// Opening the source brings its schema to this release's, the one the
	// target gets.
	src, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, src.Close()) }()
	if v, err := src.Meta(ctx, "founded"); err != nil || v == "" {
		return errors.Join(err, fmt.Errorf("no center in %s", cfg.from))
	}
	raw, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer raw.Close()

	dst, err := postgres.Open(ctx, cfg.to, postgres.Options{})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, dst.Close()) }()
	counts, err := dst.CopyCenter(ctx, raw, func(title, body, language string) store.SearchDoc {
		doc, _ := analyze.Indexer{}.AnalyzeReport(title, body, language)
		return doc
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	before, err := logRoot(ctx, src)
	if err != nil {
		return fmt.Errorf("migrate: the source's log: %w", err)
	}
	after, err := logRoot(ctx, dst)
	if err != nil {
		return fmt.Errorf("migrate: the copy's log: %w", err)
	}
	if before != after {
		return fmt.Errorf("migrate: the copy's log (%d entries, root %s) differs from the source's (%d entries, root %s)",
			after.N, base64.StdEncoding.EncodeToString(after.Hash[:]), before.N, base64.StdEncoding.EncodeToString(before.Hash[:]))
	}
	fmt.Fprintf(a.stdout, "Copied the center of %s into %s: %d reports, %d versions, %d users, %d events; search index rebuilt for %d versions.\n",
		cfg.from, redactURL(cfg.to), counts["reports"], counts["versions"], counts["users"], counts["events"], counts["search"])
	fmt.Fprintf(a.stdout, "The log is unchanged: %d entries, root %s.\n", after.N, base64.StdEncoding.EncodeToString(after.Hash[:]))
	fmt.Fprintf(a.stdout, "Check it with: tabadul verify --audit --db %s\n", redactURL(cfg.to))
	return nil
}

// logRoot returns the log's size and root hash.
func logRoot(ctx context.Context, r store.Reader) (tlog.Tree, error) {
	n, err := r.LogSize(ctx)
	if err != nil {
		return tlog.Tree{}, err
	}
	h, err := tlog.TreeHash(n, xtlog.HashReader(ctx, r))
	return tlog.Tree{N: n, Hash: h}, err
}
