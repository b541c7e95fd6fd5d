package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) tokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Issue, list and revoke API tokens",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.tokenCreateCommand(), a.tokenListCommand(), a.tokenRevokeCommand())
	return cmd
}

// defaultTokenTTL is how long a token lives unless told otherwise: long
// enough for a month of scripts, short enough that a forgotten token dies.
const defaultTokenTTL = 720 * time.Hour

func (a *app) tokenCreateCommand() *cobra.Command {
	var (
		username, label string
		ttl             time.Duration
	)
	cmd := &cobra.Command{
		Use:   "create --user U",
		Short: "Issue an API token and print it",
		Long: "Issue an API token for a user and print it, and nothing else, on standard\n" +
			"output, so that TOKEN=$(tabadul token create --user U) works. The token is not\n" +
			"stored and cannot be shown again. Works while the server runs on the same data.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ttl < 0 {
				return usagef("--ttl must not be negative")
			}
			return a.createToken(cmd.Context(), username, label, ttl)
		},
	}
	cmd.Flags().StringVar(&username, "user", "", "the user the token acts as")
	cmd.Flags().StringVar(&label, "label", "", "a note saying what the token is for")
	cmd.Flags().DurationVar(&ttl, "ttl", defaultTokenTTL, "how long the token is valid; 0 means until revoked")
	cmd.MarkFlagRequired("user")
	return cmd
}

func (a *app) createToken(ctx context.Context, username, label string, ttl time.Duration) (err error) {
	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	plain, _, err := rec.IssueToken(ctx, username, label, ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(a.stdout, plain)
	return err
}

func (a *app) tokenListCommand() *cobra.Command {
	var username string
	cmd := &cobra.Command{
		Use:   "list --user U",
		Short: "List a user's API tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.listTokens(cmd.Context(), username)
		},
	}
	cmd.Flags().StringVar(&username, "user", "", "the user whose tokens to list")
	cmd.MarkFlagRequired("user")
	return cmd
}

func (a *app) listTokens(ctx context.Context, username string) (err error) {
	st, _, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	if _, err := st.User(ctx, username); err != nil {
		return fmt.Errorf("user %q: %w", username, err)
	}
	tokens, err := st.Tokens(ctx, username)
	if err != nil {
		return err
	}
	now := a.clock.Now()
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABEL\tCREATED\tEXPIRES\tLAST USED\tSTATUS")
	for _, t := range tokens {
		status := "active"
		switch {
		case t.Revoked != nil:
			status = "revoked " + t.Revoked.Format(time.RFC3339)
		case !t.Usable(now):
			status = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, orDash(t.Label), t.Created.Format(time.RFC3339),
			timeOrDash(t.Expires), timeOrDash(t.LastUsed), status)
	}
	return tw.Flush()
}

func (a *app) tokenRevokeCommand() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "revoke --id ID",
		Short: "Revoke an API token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.revokeToken(cmd.Context(), id)
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the token's id, as token list shows it")
	cmd.MarkFlagRequired("id")
	return cmd
}

func (a *app) revokeToken(ctx context.Context, id string) (err error) {
	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	t, err := st.Token(ctx, id)
	if err != nil {
		return err
	}
	if t.Revoked != nil {
		fmt.Fprintf(a.stdout, "Token %s of %s was already revoked at %s.\n", t.ID, t.Username, t.Revoked.Format(time.RFC3339))
		return nil
	}
	if err := rec.RevokeToken(ctx, t); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Revoked token %s of %s.\n", t.ID, t.Username)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
