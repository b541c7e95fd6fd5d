package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/taxiiclient"
	"github.com/tabadul/tabadul/internal/record/store"
)

// collectKeyFile seals the credentials of remote collections; it lives
// beside the database, readable by its owner only.
const collectKeyFile = "collect.key"

func (a *app) sealer() (*taxiiclient.Sealer, error) {
	return taxiiclient.LoadSealer(filepath.Join(a.dataDir, collectKeyFile))
}

func (a *app) taxiiCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "taxii",
		Short: "Pull from remote TAXII 2.1 collections; set how TAXII additions are shared",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.taxiiAddCommand(), a.taxiiListCommand(), a.taxiiPullCommand(), a.taxiiDistributionCommand())
	return cmd
}

func (a *app) taxiiAddCommand() *cobra.Command {
	var fl importFlags
	var apiRoot, collection, username, secretFile string
	cmd := &cobra.Command{
		Use:   "add --party P --api-root URL --collection ID [--user U --secret-file F]",
		Short: "Subscribe a party to a remote collection",
		Long: "Subscribe party P to a remote TAXII 2.1 collection. The secret (a password, or a\n" +
			"bearer token when --user is not given) is read from --secret-file and stored\n" +
			"sealed with the key in the data directory's " + collectKeyFile + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opt, who, err := a.importOptions(fl)
			if err != nil {
				return err
			}
			if _, err := fetch.CheckURL(apiRoot); err != nil {
				return usagef("--api-root: %v", err)
			}
			secret := ""
			if secretFile != "" {
				b, err := os.ReadFile(secretFile)
				if err != nil {
					return fmt.Errorf("taxii: %w", err)
				}
				secret = strings.TrimSpace(string(b))
			}
			st, rec, err := a.openCenter(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := a.sealer()
			if err != nil {
				return err
			}
			rem := store.TAXIIRemote{APIRoot: apiRoot, Collection: collection, Username: username,
				Distribution: opt.Distribution, DefaultTLP: opt.DefaultTLP}
			if secret != "" {
				rem.SealedSecret = s.Seal(secret)
			}
			rem, err = rec.AddTAXIIRemote(ctx, who, rem)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, rem.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.party, "party", "", "the subscribing party")
	f.StringVar(&fl.tlp, "tlp", "AMBER", "the TLP of objects that carry no TLP marking")
	f.StringSliceVar(&fl.to, "to", nil, "share pulled objects with these parties only")
	f.StringVar(&fl.committee, "committee", "", "share pulled objects with this committee only")
	f.StringVar(&apiRoot, "api-root", "", "the remote API root's URL")
	f.StringVar(&collection, "collection", "", "the remote collection's id")
	f.StringVar(&username, "user", "", "the username for HTTP Basic")
	f.StringVar(&secretFile, "secret-file", "", "a file holding the password or bearer token")
	cmd.MarkFlagRequired("party")
	cmd.MarkFlagRequired("api-root")
	cmd.MarkFlagRequired("collection")
	return cmd
}

func (a *app) taxiiListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the subscriptions and where their pulls stand",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := a.openCenter(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			rs, cs, err := st.TAXIIRemotes(cmd.Context())
			if err != nil {
				return err
			}
			for i, r := range rs {
				c := cs[i]
				last := "never"
				if !c.LastSuccess.IsZero() {
					last = c.LastSuccess.Format(time.RFC3339)
				}
				fmt.Fprintf(a.stdout, "%s %s %scollections/%s/ objects=%d added_after=%q last_success=%s", r.ID, r.Party, r.APIRoot, r.Collection, c.Objects, c.AddedAfter, last)
				if c.LastError != "" {
					fmt.Fprintf(a.stdout, " last_error=%q", c.LastError)
				}
				fmt.Fprintln(a.stdout)
			}
			return nil
		},
	}
}

func (a *app) taxiiPullCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "pull",
		Short: "Pull what is new from every subscription",
		Long: "Pull every subscribed collection from where its last pull stopped, printing the\n" +
			"summary as import does; exit code 1 if a remote failed or an object was rejected.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, rec, err := a.openCenter(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := a.sealer()
			if err != nil {
				return err
			}
			p := &taxiiclient.Puller{Store: st, Recorder: rec, Client: &taxiiclient.Client{HTTP: &fetch.Client{UserAgent: "tabadul/" + version()}},
				Sealer: s, Clock: a.clock}
			sum, perr := p.PullAll(ctx)
			if err := writeSummary(a.stdout, sum); err != nil {
				return err
			}
			return perr
		},
	}
}

// pullTAXII pulls every subscription every interval until ctx ends.
func pullTAXII(ctx context.Context, p *taxiiclient.Puller, every time.Duration, log func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := p.PullAll(ctx); err != nil && ctx.Err() == nil {
			log(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
