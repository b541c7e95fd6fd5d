package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/record"
)

func (a *app) reindexCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index with this release's text analysis",
		Long: "Analyze the text of every report version again and replace its search index entry.\n" +
			"serve does this by itself when it finds an index that another release's analysis built;\n" +
			"run it by hand to rebuild the index at a time of your choosing. The center goes on\n" +
			"recording meanwhile: each batch of versions is its own write.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			ctx := cmd.Context()
			st, rec, err := a.openCenter(ctx)
			if err != nil {
				return err
			}
			defer func() { err = errors.Join(err, st.Close()) }()
			n, err := rec.Reindex(ctx, nil)
			if err != nil {
				return fmt.Errorf("reindex: %w", err)
			}
			fmt.Fprintf(a.stdout, "Reindexed %d report versions of %s with analysis %s\n", n, a.where(), analyze.AnalysisID())
			return nil
		},
	}
}

// reindexIfStale rebuilds the search index when another analysis built
// it, before the center serves a query that would miss what the old
// analysis wrote differently.
func reindexIfStale(ctx context.Context, rec *record.Recorder, log *slog.Logger) error {
	stale, err := rec.IndexStale(ctx)
	if err != nil || !stale {
		return err
	}
	log.Info("rebuilding the search index: another release's analysis built it, or it missed changes", "analysis", analyze.AnalysisID())
	n, err := rec.Reindex(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild the search index: %w", err)
	}
	log.Info("search index rebuilt", "versions", n)
	return nil
}
