package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/demo"
	"github.com/tabadul/tabadul/internal/record"
)

func (a *app) initCommand() *cobra.Command {
	var charterPath string
	cmd := &cobra.Command{
		Use:   "init --charter FILE",
		Short: "Found a center from its charter",
		Long: "Found a center in the data directory from a charter in YAML or TOML\n" +
			"(see docs/charter.example.yaml). A charter that breaks a rule is refused, and so is\n" +
			"a data directory that already holds a center.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.found(cmd.Context(), charterPath)
		},
	}
	cmd.Flags().StringVar(&charterPath, "charter", "", "the charter file, .yaml or .toml")
	cmd.MarkFlagRequired("charter")
	return cmd
}

func (a *app) found(ctx context.Context, charterPath string) (err error) {
	data, err := os.ReadFile(charterPath)
	if err != nil {
		return fmt.Errorf("charter: %w", err)
	}
	// The charter is checked before anything is written: a refused charter
	// leaves no data directory behind.
	ch, err := center.ParseCharter(data, charterFormat(charterPath))
	if err != nil {
		return err
	}
	if err := record.ValidateCharter(ch); err != nil {
		return err
	}

	alreadyThere := fmt.Errorf("%s already holds a center; choose another --data directory", a.dataDir)
	if a.onPostgres() {
		alreadyThere = fmt.Errorf("%s already holds a center; choose another database", a.where())
	} else if _, err := os.Stat(a.dbPath()); err == nil {
		return alreadyThere
	}
	st, err := a.openStore(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	registry := analyze.NewRegistry(st)
	rec := record.NewRecorder(st, a.clock, center.DefaultLimits).ExtractWith(registry)
	if err := rec.Found(ctx, ch); err != nil {
		if errors.Is(err, record.ErrAlreadyFounded) {
			return alreadyThere
		}
		return err
	}

	if err := demo.SeedEntities(ctx, rec); err != nil {
		return err
	}

	dir := ch.Directory()
	chair, _ := dir.Party(ch.Rotation.FirstChair)
	fmt.Fprintf(a.stdout, "Founded the center in %s: %d parties, %d committees; %s chairs first, from %s.\n",
		a.where(), len(dir.Parties), len(dir.Committees), chair.Names.In("en"), ch.Rotation.Start.Format("2006-01-02"))
	first := strings.ToLower(string(ch.Rotation.FirstChair))
	fmt.Fprintf(a.stdout, "\nNext steps:\n"+
		"  1. Create users for each party, for example:\n"+
		"       tabadul user create --data %[1]s --username %[2]s-officer --party %[3]s --role officer\n"+
		"       tabadul user create --data %[1]s --username %[2]s-analyst --party %[3]s --role analyst\n"+
		"  2. Give them API tokens:\n"+
		"       tabadul token create --data %[1]s --user %[2]s-analyst\n"+
		"  3. Start the server:\n"+
		"       tabadul serve --data %[1]s\n",
		a.dataDir, first, ch.Rotation.FirstChair)
	return nil
}

// charterFormat tells the format by the file's extension, or "" to let the
// parser tell it by the content.
func charterFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".toml":
		return "toml"
	}
	return ""
}
