package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/torchwood"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/govern"
	xtlog "github.com/tabadul/tabadul/internal/record/tlog"
)

type verifyConfig struct {
	url, policy, state, receipt, content, token string
	audit                                       bool
	maxAge                                      time.Duration
}

func (a *app) verifyCommand() *cobra.Command {
	var cfg verifyConfig
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the center's transparency log",
		Long: "Check the center's transparency log, in one of three ways:\n\n" +
			"  tabadul verify --data DIR | --db URL [--audit] [--policy FILE]\n" +
			"      the operator's view: replay the log from the center's own database, offline;\n" +
			"      --audit also matches every report, version, token, user and governance act\n" +
			"      with its entry and back, checks the entries' digests against the rows, and\n" +
			"      replays the governance acts against the rotation rules.\n" +
			"  tabadul verify --url URL --policy FILE --state FILE [--audit]\n" +
			"      a party's view of a live center: the checkpoint must carry the pinned center\n" +
			"      key's signature and the policy's quorum of fresh witness cosignatures, and be\n" +
			"      consistent with the last checkpoint seen (kept in --state). A fork or a rollback\n" +
			"      is a SECURITY ERROR. --audit replays every entry through the tiles and matches\n" +
			"      them with what the party's token may read through the API, both ways: each\n" +
			"      report version it may see has its entry, and its content, with the salt the\n" +
			"      party is given, recomputes the logged digest; revocations and erasures have\n" +
			"      theirs; every amendment, vote and decision has its entry, and the rotation as\n" +
			"      founded is replayed over the logged handovers and approvals (each handover\n" +
			"      must be the chair's). Entries of reports the party may not see are skipped.\n" +
			"      The token is read from TABADUL_TOKEN or --token.\n" +
			"  tabadul verify --receipt FILE --policy FILE [--content FILE]\n" +
			"      check a saved proof (the JSON of a /proof endpoint) offline; with --content,\n" +
			"      or the content the proof itself carries, also that the entry's digest\n" +
			"      commits to that exact content.\n\n" +
			"The exit code is 0 when everything checks, 1 when something does not.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case cfg.receipt != "":
				if cfg.policy == "" {
					return usagef("--receipt needs --policy")
				}
				return a.verifyReceipt(cfg)
			case cfg.url != "":
				if cfg.policy == "" || cfg.state == "" {
					return usagef("--url needs --policy and --state")
				}
				if cfg.token == "" {
					cfg.token = os.Getenv("TABADUL_TOKEN")
				}
				if cfg.token == "" {
					return usagef("--url needs a token: set TABADUL_TOKEN or --token")
				}
				return a.verifyLive(cmd.Context(), cfg)
			default:
				return a.verifyData(cmd.Context(), cfg)
			}
		},
	}
	f := cmd.Flags()
	f.BoolVar(&cfg.audit, "audit", false, "also match the records with the log's entries")
	f.StringVar(&cfg.url, "url", "", "a live center's base URL")
	f.StringVar(&cfg.policy, "policy", "", "the pinned policy: log key, witnesses, quorum (tabadul witness policy prints it)")
	f.StringVar(&cfg.state, "state", "", "the file keeping the last checkpoint seen")
	f.StringVar(&cfg.receipt, "receipt", "", "a saved proof to check offline")
	f.StringVar(&cfg.content, "content", "", "with --receipt: the content the entry's digest should commit to")
	f.StringVar(&cfg.token, "token", "", "an API token (default $TABADUL_TOKEN)")
	f.DurationVar(&cfg.maxAge, "max-age", time.Hour, "how old the quorum's cosignatures may be")
	return cmd
}

func loadPolicy(path string) (torchwood.Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	p, err := torchwood.ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// problemsError ends a check that found problems, after they were printed.
func problemsError(n int) error {
	if n == 1 {
		return errors.New("verify: 1 problem found")
	}
	return fmt.Errorf("verify: %d problems found", n)
}

func (a *app) verifyData(ctx context.Context, cfg verifyConfig) (err error) {
	var pinned torchwood.Policy
	if cfg.policy != "" {
		if pinned, err = loadPolicy(cfg.policy); err != nil {
			return err
		}
	}
	st, _, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	rep, err := xtlog.Check(ctx, st, xtlog.CheckOptions{Audit: cfg.audit, Policy: pinned})
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(a.stdout, "PROBLEM %s\n", p)
	}
	what := "log"
	if cfg.audit {
		what = "log and records"
	}
	fmt.Fprintf(a.stdout, "Checked the %s of %s: %d entries, %d pending, %d checkpoints; ", what, a.where(), rep.Size, rep.Pending, rep.Checkpoints)
	if rep.Later > 0 {
		fmt.Fprintf(a.stdout, "%d of them signed after the check read the log, left unchecked; ", rep.Later)
	}
	if rep.Published.Size > 0 {
		fmt.Fprintf(a.stdout, "latest published checkpoint %d, cosigned by %s.\n", rep.Published.Size, joinParties(rep.Published.CosignedBy))
	} else {
		fmt.Fprintln(a.stdout, "no checkpoint published yet.")
	}
	if len(rep.Problems) > 0 {
		return problemsError(len(rep.Problems))
	}
	return nil
}

func joinParties(ps []center.PartyCode) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	if len(s) == 0 {
		return "no one"
	}
	return strings.Join(s, ", ")
}

func (a *app) verifyReceipt(cfg verifyConfig) error {
	policy, err := loadPolicy(cfg.policy)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(cfg.receipt)
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	var p xtlog.Proof
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("receipt %s: not a proof: %w", cfg.receipt, err)
	}
	var content []byte
	if cfg.content != "" {
		if content, err = os.ReadFile(cfg.content); err != nil {
			return fmt.Errorf("content: %w", err)
		}
	}
	e, err := xtlog.VerifyProof(p, policy, content)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "OK: %s (%s %s by %s at %s) is entry %d of the log, in a checkpoint the policy accepts",
		e.ID, e.Type, e.Subject, e.Party, e.At.Format(time.RFC3339Nano), *p.Index)
	if content != nil || p.Content != "" {
		fmt.Fprint(a.stdout, "; the content matches its digest")
	}
	fmt.Fprintln(a.stdout, ".")
	return nil
}

// authTransport adds the party's token to every request.
type authTransport struct {
	token string
	base  http.RoundTripper
}

func (t authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	return t.base.RoundTrip(r)
}

// securityError prints a SECURITY ERROR with both checkpoints and returns
// the error that ends verify.
func (a *app) securityError(what string, old, new []byte) error {
	fmt.Fprintf(a.stderr, "SECURITY ERROR: %s\n\nThe checkpoint seen before:\n%s\nThe checkpoint the center shows now:\n%s\n", what, old, new)
	return fmt.Errorf("verify: SECURITY ERROR: %s", what)
}

func (a *app) verifyLive(ctx context.Context, cfg verifyConfig) error {
	policy, err := loadPolicy(cfg.policy)
	if err != nil {
		return err
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.url, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return usagef("--url %q is not an http(s) URL", cfg.url)
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: authTransport{token: cfg.token, base: http.DefaultTransport}}
	fetcher, err := torchwood.NewTileFetcher(base.String()+"/log/", torchwood.WithHTTPClient(hc), torchwood.WithUserAgent("tabadul-verify"))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	signed, err := fetcher.ReadEndpoint(ctx, "checkpoint")
	if err != nil {
		return fmt.Errorf("verify: fetch the checkpoint: %w", err)
	}
	c, n, err := torchwood.VerifyCheckpoint(signed, policy)
	if err != nil {
		return fmt.Errorf("verify: the center's checkpoint does not satisfy the pinned policy: %w", err)
	}
	// Freshness: the policy must hold with the cosignatures younger than
	// --max-age alone.
	oldest := a.clock.Now().Add(-cfg.maxAge).Unix()
	var fresh []note.Signature
	var cosigners []string
	for _, s := range n.Sigs {
		if ts, err := torchwood.CosignatureTimestamp(s); err == nil && s.Name != c.Origin {
			cosigners = append(cosigners, s.Name)
			if ts < oldest {
				continue
			}
		}
		fresh = append(fresh, s)
	}
	if err := policy.Check(c.Origin, fresh); err != nil {
		return fmt.Errorf("verify: the checkpoint of size %d is stale: its witnesses' quorum did not cosign it within %s: %w", c.N, cfg.maxAge, err)
	}

	// Consistency with the last checkpoint seen.
	oldSigned, err := os.ReadFile(cfg.state)
	switch {
	case errors.Is(err, os.ErrNotExist):
		oldSigned = nil
	case err != nil:
		return fmt.Errorf("verify: state: %w", err)
	}
	if oldSigned != nil {
		on, err := note.Open(oldSigned, policy)
		if err != nil {
			return fmt.Errorf("verify: the state file %s does not hold a checkpoint of this log: %w", cfg.state, err)
		}
		oc, err := torchwood.ParseCheckpoint(on.Text)
		if err != nil {
			return fmt.Errorf("verify: state %s: %w", cfg.state, err)
		}
		switch {
		case c.N < oc.N:
			return a.securityError(fmt.Sprintf("the center rolled its log back from %d to %d entries", oc.N, c.N), oldSigned, signed)
		case c.N == oc.N && c.Hash != oc.Hash:
			return a.securityError(fmt.Sprintf("the center shows two different logs of %d entries: a fork", c.N), oldSigned, signed)
		case c.N > oc.N:
			p, err := tlog.ProveTree(c.N, oc.N, torchwood.TileHashReaderWithContext(ctx, c.Tree, fetcher))
			if err != nil {
				return fmt.Errorf("verify: consistency proof from %d to %d from the tiles: %w", oc.N, c.N, err)
			}
			if err := tlog.CheckTree(p, c.N, c.Hash, oc.N, oc.Hash); err != nil {
				return a.securityError(fmt.Sprintf("the log of %d entries does not extend the log of %d seen before: a fork", c.N, oc.N), oldSigned, signed)
			}
		}
	}

	problems := 0
	if cfg.audit {
		if problems, err = a.auditLive(ctx, base.String(), hc, fetcher, c.Tree); err != nil {
			return err
		}
	}
	if err := writeFileAtomic(cfg.state, signed); err != nil {
		return fmt.Errorf("verify: state: %w", err)
	}
	fmt.Fprintf(a.stdout, "Checked %s: checkpoint of %d entries, signed by the pinned center key and cosigned by %s", c.Origin, c.N, strings.Join(cosigners, ", "))
	if oldSigned != nil {
		fmt.Fprint(a.stdout, "; consistent with the checkpoint seen before")
	}
	fmt.Fprintln(a.stdout, ".")
	if problems > 0 {
		return problemsError(problems)
	}
	return nil
}

// auditLive replays every entry through the tiles (each checked against
// the checkpoint's tree) and matches them with what the party may read
// through the API: its report versions, revocations and erasures, the
// amendments and their votes, and the rotation replayed over the logged
// acts (xtlog.AuditParty).
func (a *app) auditLive(ctx context.Context, base string, hc *http.Client, fetcher *torchwood.TileFetcher, tree tlog.Tree) (int, error) {
	client, err := torchwood.NewClient(fetcher)
	if err != nil {
		return 0, fmt.Errorf("verify: %w", err)
	}
	problems := 0
	entries := make([]xtlog.Entry, 0, tree.N)
	for i, b := range client.AllEntries(ctx, tree, 0) {
		e, err := xtlog.ParseEntry(b)
		if err != nil {
			fmt.Fprintf(a.stdout, "PROBLEM log entry %d: %v\n", i, err)
			problems++
			e = xtlog.Entry{} // matches nothing, keeps the indexes
		}
		entries = append(entries, e)
	}
	if err := client.Err(); err != nil {
		return 0, fmt.Errorf("verify: replaying the entries: %w", err)
	}
	if int64(len(entries)) != tree.N {
		return 0, fmt.Errorf("verify: replayed %d entries of %d", len(entries), tree.N)
	}

	api := apiClient{base: base, hc: hc}
	view, err := api.partyView(ctx)
	if err != nil {
		return 0, err
	}
	rep, err := xtlog.AuditParty(ctx, entries, view, api.prove)
	if err != nil {
		return 0, fmt.Errorf("verify: audit: %w", err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(a.stdout, "PROBLEM %s\n", p)
	}
	for _, r := range rep.Unpublished {
		fmt.Fprintf(a.stdout, "NOT YET PUBLISHED %s: recorded after the latest published checkpoint; a later run checks it\n", r)
	}
	fmt.Fprintf(a.stdout, "Audited %s against the %s and %s the party may see; %s recomputed from their content.\n",
		count(tree.N, "entry", "entries"), count(int64(len(view.Versions)), "report version", "report versions"),
		count(int64(len(view.Amendments)), "amendment", "amendments"), count(int64(rep.Digests), "digest", "digests"))
	return problems + len(rep.Problems), nil
}

// count returns n with the noun's singular or plural.
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// apiClient reads a live center's API with a party's credentials.
type apiClient struct {
	base string
	hc   *http.Client
}

func (c apiClient) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// prove fetches an event's proof, as xtlog.AuditParty asks for it.
func (c apiClient) prove(ctx context.Context, eventID string) (xtlog.Proof, error) {
	var p xtlog.Proof
	err := c.get(ctx, "/api/v1/log/entries/"+url.PathEscape(eventID)+"/proof", &p)
	return p, err
}

// partyView reads every report version the party may see, the rotation as
// founded and every amendment.
func (c apiClient) partyView(ctx context.Context) (xtlog.PartyView, error) {
	var view xtlog.PartyView
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	for cursor := ""; ; {
		path := "/api/v1/reports?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		page.Items, page.NextCursor = nil, ""
		if err := c.get(ctx, path, &page); err != nil {
			return view, fmt.Errorf("verify: list reports: %w", err)
		}
		for _, r := range page.Items {
			// The API's report form carries a version's fields under the
			// names of center.Report; what it does not show (purged) stays
			// zero.
			var vs struct {
				Items []center.Report `json:"items"`
			}
			if err := c.get(ctx, "/api/v1/reports/"+url.PathEscape(r.ID)+"/versions", &vs); err != nil {
				return view, fmt.Errorf("verify: versions of %s: %w", r.ID, err)
			}
			view.Versions = append(view.Versions, vs.Items...)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}

	var g struct {
		Rotation struct {
			FirstChair        string    `json:"first_chair"`
			Start             time.Time `json:"start"`
			MaxTermMonths     int       `json:"max_term_months"`
			Order             []string  `json:"order"`
			CharterTermMonths int       `json:"charter_term_months"`
		} `json:"rotation"`
		// The API's amendment form carries govern.Amendment's fields
		// under its names, and the status.
		Amendments []xtlog.ViewedAmendment `json:"amendments"`
	}
	if err := c.get(ctx, "/api/v1/governance", &g); err != nil {
		return view, fmt.Errorf("verify: governance: %w", err)
	}
	if len(g.Rotation.Order) == 0 || g.Rotation.CharterTermMonths == 0 {
		return view, errors.New("verify: the center's governance API does not show the rotation as founded (order, charter_term_months): it is older than this verify")
	}
	view.Rotation = govern.Rotation{Order: g.Rotation.Order, FirstChair: g.Rotation.FirstChair, Start: g.Rotation.Start.UTC(),
		TermMonths: g.Rotation.CharterTermMonths, MaxTermMonths: g.Rotation.MaxTermMonths}
	view.Amendments = g.Amendments
	return view, nil
}

// writeFileAtomic replaces path with data, durably: a crash leaves the old
// or the new file, never a torn one.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tabadul-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
