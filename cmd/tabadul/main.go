// Command tabadul runs a joint information-sharing center: it serves the
// center's API, founds a center from its charter, and manages users and API
// tokens.
//
// Every command works on one data directory (--data, default ./tabadul-data)
// holding the center's database. `tabadul serve` on an empty directory
// creates the demo center, so that a first run needs no configuration.
//
// Errors are printed as one line on stderr, "tabadul: …". The exit code is 0
// on success, 1 when a command fails and 2 when it was called wrongly.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tabadul/tabadul/internal/center"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, clock: center.SystemClock{}}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	msg := oneLine(err.Error())
	// Cobra checks the command line (unknown commands and flags, missing
	// required flags, stray arguments) before any command's hooks run; an
	// error before them is the caller's mistake, not the command's.
	if !a.started || errors.As(err, new(*usageError)) {
		fmt.Fprintf(stderr, "tabadul: %s (see '%s --help')\n", msg, cmd.CommandPath())
		return 2
	}
	fmt.Fprintf(stderr, "tabadul: %s\n", msg)
	return 1
}

// usageError is a command line that names things wrongly: a bad flag value
// rather than a failure of the command.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// oneLine joins a message that spans lines, such as cobra's suggestions.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
