package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/secret"
)

func (a *app) userCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Create and list the center's users",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.userCreateCommand(), a.userListCommand())
	return cmd
}

// newUser is what `user create` is told.
type newUser struct {
	username, party, role string
	passwordStdin         bool
}

func (a *app) userCreateCommand() *cobra.Command {
	var nu newUser
	cmd := &cobra.Command{
		Use:   "create --username U --party P --role analyst|officer",
		Short: "Create a user acting for a party",
		Long: "Create a user acting for a party. The password is read from standard input\n" +
			"with --password-stdin; otherwise a random one is made and printed once.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.createUser(cmd.Context(), nu)
		},
	}
	f := cmd.Flags()
	f.StringVar(&nu.username, "username", "", "the user's name: 2-64 characters of a-z, 0-9, '.', '_' and '-'")
	f.StringVar(&nu.party, "party", "", "the code of the party the user acts for, such as IQ")
	f.StringVar(&nu.role, "role", "", "analyst (reads and writes reports) or officer (also acts for the party)")
	f.BoolVar(&nu.passwordStdin, "password-stdin", false, "read the password from standard input")
	for _, name := range []string{"username", "party", "role"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

// maxPasswordBytes bounds what --password-stdin reads.
const maxPasswordBytes = 1024

func (a *app) createUser(ctx context.Context, nu newUser) (err error) {
	role := center.Role(strings.ToLower(nu.role))
	if !role.Valid() {
		return usagef("--role %q must be %s or %s", nu.role, center.Analyst, center.Officer)
	}
	password, generated := "", false
	if nu.passwordStdin {
		if password, err = readPassword(a.stdin); err != nil {
			return err
		}
	} else {
		password, generated = secret.NewPassword(), true
	}

	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	u := center.User{Username: nu.username, Party: center.PartyCode(strings.ToUpper(nu.party)), Role: role}
	u, err = rec.CreateUser(ctx, u, password, secret.DefaultParams)
	if errors.Is(err, center.ErrConflict) {
		return fmt.Errorf("user %q already exists", nu.username)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Created user %s, %s of %s.\n", u.Username, u.Role, u.Party)
	if generated {
		fmt.Fprintf(a.stdout, "Password (shown once): %s\n", password)
	}
	return nil
}

// readPassword reads one line: a password piped in or typed, without its
// line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxPasswordBytes+1)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if len(line) > maxPasswordBytes {
		return "", usagef("the password on standard input is longer than %d bytes", maxPasswordBytes)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usagef("--password-stdin: no password on standard input")
	}
	return line, nil
}

func (a *app) userListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the center's users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.listUsers(cmd.Context())
		},
	}
}

func (a *app) listUsers(ctx context.Context) (err error) {
	st, _, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()

	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tPARTY\tROLE\tCREATED\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.Party, u.Role, u.Created.Format(time.RFC3339), status)
	}
	return tw.Flush()
}
