package main

import (
	"io"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
)

// app is what every command shares: the process's streams and clock, and
// the global flags. It is made once per command line.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	clock          center.Clock

	dataDir string // --data
	db      string // --db

	// started is set once the command line has been parsed and a command
	// begins to run; errors before that are usage errors.
	started bool
}

// dbFile is the name of the center's database inside the data directory.
const dbFile = "tabadul.db"

func (a *app) dbPath() string { return filepath.Join(a.dataDir, dbFile) }

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tabadul",
		Short: "Tabadul runs a joint information-sharing center",
		Long: "Tabadul runs a joint information-sharing center: member parties share reports,\n" +
			"each party sees what is shared with it, and the chair rotates among the members.\n\n" +
			"Start the demo center with `tabadul serve`.",
		Version: version(),
		// Errors are printed once, as one line, by run; a usage dump after
		// a failed database write helps no one.
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.PersistentFlags().StringVar(&a.dataDir, "data", "tabadul-data", "the center's data directory")
	root.PersistentFlags().StringVar(&a.db, "db", "",
		"the center's database: a postgres:// URL, or empty for SQLite in the data directory (default $"+dbEnv+")")
	root.AddCommand(a.serveCommand(), a.initCommand(), a.userCommand(), a.tokenCommand(), a.governanceCommand(),
		a.witnessCommand(), a.verifyCommand(), a.analyzeCommand(), a.migrateCommand(),
		a.importCommand(), a.exportCommand(), a.taxiiCommand(), a.reindexCommand())
	a.noteStarts(root)
	return root
}

// noteStarts makes every command set a.started when its RunE begins. Cobra
// checks flags and arguments, required flags included, before that; no hook
// of cobra's runs after all of those checks.
func (a *app) noteStarts(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			a.started = true
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		a.noteStarts(sub)
	}
}

// version is the module version the binary was built from, "dev" for a
// build from a work tree.
func version() string {
	v := "dev"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}
