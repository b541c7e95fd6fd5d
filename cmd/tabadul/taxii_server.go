package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
)

func (a *app) taxiiDistributionCommand() *cobra.Command {
	var username, committee string
	var parties []string
	var all bool
	cmd := &cobra.Command{
		Use:   "distribution --user OFFICER (--all | --parties XX,YY | --committee C)",
		Short: "Set how the objects a party adds through TAXII are shared",
		Long: "Set how the STIX objects your party adds to its TAXII collection (from-XX) are\n" +
			"shared: with all members (the default), with the listed parties, or with a\n" +
			"committee. Only an officer of the party may; the change is on the log.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n := 0
			for _, set := range []bool{all, len(parties) > 0, committee != ""} {
				if set {
					n++
				}
			}
			if n != 1 {
				return usagef("give exactly one of --all, --parties and --committee")
			}
			d := center.Distribution{All: all, Committee: committee}
			for _, p := range parties {
				d.Parties = append(d.Parties, center.PartyCode(strings.ToUpper(strings.TrimSpace(p))))
			}
			return a.setTAXIIDistribution(cmd.Context(), username, d)
		},
	}
	cmd.Flags().StringVar(&username, "user", "", "the officer acting for the party")
	cmd.Flags().BoolVar(&all, "all", false, "share with all member parties")
	cmd.Flags().StringSliceVar(&parties, "parties", nil, "share with these parties (codes, comma-separated)")
	cmd.Flags().StringVar(&committee, "committee", "", "share with the members of this committee")
	cmd.MarkFlagRequired("user")
	return cmd
}

func (a *app) setTAXIIDistribution(ctx context.Context, username string, d center.Distribution) (err error) {
	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	u, err := st.User(ctx, username)
	if err != nil {
		return fmt.Errorf("user %s: %w", username, err)
	}
	if err := rec.SetTAXIIDistribution(ctx, center.Principal{User: u}, d); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Objects %s adds through TAXII are now shared with %s.\n", u.Party, d)
	return nil
}
