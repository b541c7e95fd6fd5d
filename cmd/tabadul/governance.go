package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	"github.com/tabadul/tabadul/internal/record"
)

func (a *app) governanceCommand() *cobra.Command {
	var terms int
	cmd := &cobra.Command{
		Use:   "governance",
		Short: "Print the chair, the rotation calendar and the amendments",
		Long: "Print who chairs the center and until when, the next terms of the rotation\n" +
			"as they stand now, and every amendment with its status — what\n" +
			"GET /api/v1/governance returns.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if terms < 1 || terms > 100 {
				return usagef("--terms must be between 1 and 100")
			}
			return a.printGovernance(cmd.Context(), terms)
		},
	}
	cmd.Flags().IntVar(&terms, "terms", 8, "how many terms after the current one to list")
	return cmd
}

func (a *app) printGovernance(ctx context.Context, n int) (err error) {
	st, _, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	g, err := record.ReadGovernance(ctx, st)
	if err != nil {
		return err
	}
	return writeGovernance(a.stdout, g, a.clock.Now(), n)
}

// writeGovernance prints the calendar. It is separate from the command so
// that a test can check the text against a recorded history.
func writeGovernance(w io.Writer, g record.Governance, now time.Time, n int) error {
	cur, next, err := govern.Schedule(g.Rotation, g.Acts, now, n)
	if err != nil {
		return err
	}
	name := func(code string) string {
		if p, ok := g.Directory.Party(center.PartyCode(code)); ok {
			return p.Names.In("en")
		}
		return code
	}
	day := func(t time.Time) string { return t.Format("2 January 2006") }
	if cur.Party == "" {
		fmt.Fprintf(w, "Chair: none yet; the rotation starts on %s with %s (%s)\n", day(g.Rotation.Start), name(g.Rotation.FirstChair), g.Rotation.FirstChair)
	} else {
		fmt.Fprintf(w, "Chair: %s (%s) until %s\n", name(cur.Party), cur.Party, day(cur.End))
	}
	fmt.Fprintf(w, "Members: %v; terms of %d months, at most %d.\n\n", g.Members(), g.TermMonths(), g.Rotation.MaxTermMonths)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TERM\tPARTY\tFROM\tUNTIL")
	if cur.Party != "" {
		fmt.Fprintf(tw, "now\t%s %s\t%s\t%s\n", cur.Party, name(cur.Party), cur.Start.Format(time.DateOnly), cur.End.Format(time.DateOnly))
	}
	for i, t := range next {
		fmt.Fprintf(tw, "+%d\t%s %s\t%s\t%s\n", i+1, t.Party, name(t.Party), t.Start.Format(time.DateOnly), t.End.Format(time.DateOnly))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(g.Amendments) == 0 {
		_, err := fmt.Fprintln(w, "\nNo amendments.")
		return err
	}
	fmt.Fprintln(w, "\nAmendments, newest first:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tBY\tPROPOSED\tSTATUS\tVOTES")
	members := g.Members()
	for _, am := range g.Amendments {
		votes := ""
		for _, v := range am.Votes {
			mark := "+"
			if !v.Approve {
				mark = "-"
			}
			votes += mark + v.Party + " "
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", am.ID, am.Kind, am.Proposer, am.ProposedAt.Format(time.DateOnly), am.Status(members, now), votes)
	}
	return tw.Flush()
}
