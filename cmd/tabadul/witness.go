package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"filippo.io/torchwood"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/record/tlog"
	"github.com/tabadul/tabadul/internal/record/tlog/witness"
)

// A witness's data directory holds its key and its state.
const (
	witnessKeyFile   = "witness.key"
	witnessStateFile = "witness.db"
	witnessLogFile   = "log.vkey" // the pinned log key
	// demoWitnessDir, inside a demo center's data directory, holds one
	// directory per member party's in-process witness.
	demoWitnessDir = "witnesses"
)

type witnessConfig struct {
	party  string
	addr   string
	logKey string
	name   string
}

func (a *app) witnessCommand() *cobra.Command {
	var cfg witnessConfig
	cmd := &cobra.Command{
		Use:   "witness --party P --data DIR --log-key VKEY",
		Short: "Run a party's witness of the center's transparency log",
		Long: "Run a c2sp.org/tlog-witness for one party: it cosigns the center's log checkpoints\n" +
			"only if each is consistent with the last one it cosigned, so that the center cannot\n" +
			"rewrite, roll back or fork its history unnoticed. Its key and state live in --data\n" +
			"(its own directory, not the center's); it pins the log's verifier key --log-key,\n" +
			"which `tabadul witness policy` prints. Register it with the center with\n" +
			"`tabadul witness register`. Runs until SIGINT or SIGTERM.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !center.PartyCode(cfg.party).Valid() {
				return usagef("--party %q is not a party code", cfg.party)
			}
			return a.runWitness(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.party, "party", "", "the party whose witness this is")
	cmd.Flags().StringVar(&cfg.addr, "addr", "127.0.0.1:9380", "the address to listen on; port 0 picks a free port")
	cmd.Flags().StringVar(&cfg.logKey, "log-key", "", "the center's log verifier key (pinned on first start)")
	cmd.Flags().StringVar(&cfg.name, "name", "", `the witness's key name (default "witness/" and the party)`)
	cmd.MarkFlagRequired("party")
	cmd.AddCommand(a.witnessRegisterCommand(), a.witnessPolicyCommand())
	return cmd
}

// openWitness opens (creating) a witness in dir, pinning logKey.
func openWitness(ctx context.Context, dir, party, name, logKey string, log *slog.Logger) (*witness.Witness, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("witness directory: %w", err)
	}
	pinned := filepath.Join(dir, witnessLogFile)
	switch b, err := os.ReadFile(pinned); {
	case errors.Is(err, os.ErrNotExist):
		if logKey == "" {
			return nil, usagef("--log-key is required on a witness's first start")
		}
		if _, err := note.NewVerifier(logKey); err != nil {
			return nil, usagef("--log-key %q: %v", logKey, err)
		}
		if err := os.WriteFile(pinned, []byte(logKey+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("pin the log key: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("pinned log key: %w", err)
	default:
		have := strings.TrimSpace(string(b))
		if logKey != "" && logKey != have {
			return nil, fmt.Errorf("this witness is pinned to the log key %s, not %s", have, logKey)
		}
		logKey = have
	}
	key, err := witness.LoadOrCreateKey(filepath.Join(dir, witnessKeyFile))
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "witness/" + party
	}
	return witness.New(ctx, witness.Config{Name: name, Key: key, StatePath: filepath.Join(dir, witnessStateFile), LogKey: logKey, Logger: log})
}

func (a *app) runWitness(ctx context.Context, cfg witnessConfig) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(a.stderr, nil))
	w, err := openWitness(ctx, a.dataDir, cfg.party, cfg.name, cfg.logKey, log)
	if err != nil {
		return err
	}
	defer w.Close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{Handler: w, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	fmt.Fprintf(a.stdout, "Witness verifier key: %s\n", w.VerifierKey())
	fmt.Fprintf(a.stdout, "Witness of %s for log %s listening on http://%s\n", cfg.party, w.Origin(), ln.Addr())
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (a *app) witnessRegisterCommand() *cobra.Command {
	var w store.Witness
	var party string
	cmd := &cobra.Command{
		Use:   "register --party P --url URL --vkey VKEY",
		Short: "Register a party's witness with the center in --data",
		Long: "Register the witness of a party with the center whose data directory is --data:\n" +
			"its cosignature verifier key, which the witness prints when it starts, and its URL.\n" +
			"The center asks it to cosign every new checkpoint. Registering the same key at a\n" +
			"new URL moves the witness. The witness keys are part of the charter's log policy: a\n" +
			"party's first key is registered here (or named by the charter), but a new key for a\n" +
			"party that has one takes an amendment (set_witness) that every member approves.\n" +
			"Every registration is recorded in the transparency log.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := torchwood.NewCosignatureVerifier(w.VKey); err != nil {
				return usagef("--vkey %q is not a cosignature verifier key: %v", w.VKey, err)
			}
			if !center.ValidWitnessURL(w.URL) {
				return usagef("--url %q must be an http:// or https:// URL with a host", w.URL)
			}
			w.Party = center.PartyCode(party)
			return a.registerWitness(cmd.Context(), w)
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "the witness's party")
	cmd.Flags().StringVar(&w.URL, "url", "", "the witness's URL, without /add-checkpoint")
	cmd.Flags().StringVar(&w.VKey, "vkey", "", "the witness's verifier key")
	for _, f := range []string{"party", "url", "vkey"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

// registerWitness records the operator's registration of a witness
// through the one write path, which logs it.
func (a *app) registerWitness(ctx context.Context, w store.Witness) (err error) {
	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	before, err := registeredWitness(ctx, st, w.Party)
	if err != nil {
		return err
	}
	if err := rec.RegisterWitness(ctx, w); err != nil {
		return err
	}
	switch {
	case before == nil:
		fmt.Fprintf(a.stdout, "Registered the witness of %s at %s.\n", w.Party, w.URL)
	case before.URL == w.URL:
		fmt.Fprintf(a.stdout, "The witness of %s is already registered at %s; nothing changed.\n", w.Party, w.URL)
	default:
		fmt.Fprintf(a.stdout, "Moved the witness of %s from %s to %s.\n", w.Party, before.URL, w.URL)
	}
	return nil
}

// registeredWitness returns the party's registered witness, nil if none.
func registeredWitness(ctx context.Context, st store.Reader, p center.PartyCode) (*store.Witness, error) {
	ws, err := st.Witnesses(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.Party == p {
			return &w, nil
		}
	}
	return nil, nil
}

func (a *app) witnessPolicyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "policy",
		Short: "Print the log's witness policy for parties to pin",
		Long: "Print the center's log verifier key, its registered witnesses and the charter's\n" +
			"quorum as a policy file (the Sigsum-style format torchwood reads), for parties to\n" +
			"check, keep, and pass to `tabadul verify --policy`. A party should compare it with\n" +
			"the keys its own witness and the charter give, not take it on trust.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			st, _, err := a.openCenter(cmd.Context())
			if err != nil {
				return err
			}
			defer func() { err = errors.Join(err, st.Close()) }()
			return writePolicy(cmd.Context(), a.stdout, st)
		},
	}
}

// writePolicy prints the log's policy: the log key, each party's witness,
// and the charter's quorum over them.
func writePolicy(ctx context.Context, w io.Writer, st store.Reader) error {
	_, vkey, err := tlog.VerifierKey(ctx, st)
	if err != nil {
		return fmt.Errorf("the center has no log key yet: start it once with 'tabadul serve': %w", err)
	}
	policy, err := tlog.ReadWitnessPolicy(ctx, st)
	if err != nil {
		return err
	}
	witnesses, err := st.Witnesses(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# The transparency log of a Tabadul center.\nlog %s\n", vkey)
	var names []string
	for _, wt := range witnesses {
		for _, p := range policy.Parties {
			if p == wt.Party {
				fmt.Fprintf(w, "witness %s %s\n", wt.Party, wt.VKey)
				names = append(names, string(wt.Party))
			}
		}
	}
	if len(names) < policy.Quorum || policy.Quorum < 1 {
		return fmt.Errorf("only %d witnesses are registered for a quorum of %d: no checkpoint can be published", len(names), policy.Quorum)
	}
	fmt.Fprintf(w, "group parties %d %s\nquorum parties\n", policy.Quorum, strings.Join(names, " "))
	return nil
}

// logSystem is the log's running parts in serve: the integrator, the
// cosigner and the demo's in-process witnesses.
type logSystem struct {
	in        *tlog.Integrator
	co        *tlog.Cosigner
	witnesses []*http.Server
	closers   []*witness.Witness
}

// startLog starts the log's integrator and cosigner, and for a demo center
// (demo true on its creation; later, whenever its witnesses directory
// exists) one witness per member party on the loopback, registered with
// the center through the write path. A demo witness keeps its key across
// restarts but not its port: a restart records a witness.moved event. A
// demo witness whose party has left the roster, or whose party has another
// witness key registered (by an amendment, say), is not started.
func (a *app) startLog(ctx context.Context, st store.Store, rec *record.Recorder, demo bool, log *slog.Logger) (*logSystem, error) {
	key, err := tlog.EnsureKey(ctx, st, "")
	if err != nil {
		return nil, err
	}
	ls := &logSystem{}
	wdir := filepath.Join(a.dataDir, demoWitnessDir)
	if demo {
		dir, err := st.Directory(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range dir.Members() {
			if err := os.MkdirAll(filepath.Join(wdir, string(p)), 0o700); err != nil {
				return nil, fmt.Errorf("demo witness: %w", err)
			}
		}
	}
	entries, err := os.ReadDir(wdir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("demo witnesses: %w", err)
	}
	dir, err := st.Directory(ctx)
	if err != nil {
		return nil, err
	}
	var started []string
	for _, e := range entries {
		party := e.Name()
		if !e.IsDir() || !center.PartyCode(party).Valid() {
			continue
		}
		if _, ok := dir.Party(center.PartyCode(party)); !ok {
			continue
		}
		w, err := openWitness(ctx, filepath.Join(wdir, party), party, "", key.VKey, log.With("witness", party))
		if err != nil {
			ls.stop()
			return nil, err
		}
		if reg, err := registeredWitness(ctx, st, center.PartyCode(party)); err != nil || (reg != nil && reg.VKey != w.VerifierKey()) {
			w.Close()
			if err != nil {
				ls.stop()
				return nil, err
			}
			fmt.Fprintf(a.stdout, "The demo witness of %s is not started: the witness registered for %s has another key.\n", party, party)
			continue
		}
		ls.closers = append(ls.closers, w)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ls.stop()
			return nil, fmt.Errorf("demo witness: %w", err)
		}
		hs := &http.Server{Handler: w, ReadHeaderTimeout: readHeaderTimeout}
		go hs.Serve(ln)
		ls.witnesses = append(ls.witnesses, hs)
		reg := store.Witness{Party: center.PartyCode(party), VKey: w.VerifierKey(), URL: "http://" + ln.Addr().String()}
		if err := rec.RegisterWitness(ctx, reg); err != nil {
			ls.stop()
			return nil, fmt.Errorf("demo witness of %s: %w", party, err)
		}
		started = append(started, party)
	}
	if ls.co, err = tlog.NewCosigner(tlog.CosignerConfig{Store: st, Key: key, Clock: a.clock, Logger: log}); err != nil {
		ls.stop()
		return nil, err
	}
	icfg := tlog.IntegratorConfig{Store: st, Key: key, Logger: log, OnCheckpoint: func(int64) { ls.co.Notify() }}
	// On a database that several nodes share, the integrator and the
	// cosigner run on the node that leads; elsewhere, here.
	el, shared := st.(store.Elector)
	if shared {
		icfg.Elector = el
		icfg.OnLeadership = func(leading bool) {
			if leading {
				ls.co.Start(ctx)
			} else {
				ls.co.Stop()
			}
		}
	}
	if ls.in, err = tlog.NewIntegrator(icfg); err != nil {
		ls.stop()
		return nil, err
	}
	rec.OnEvents(ls.in.Notify)
	if !shared {
		ls.co.Start(ctx)
	}
	ls.in.Start(ctx)
	ls.in.Notify()
	fmt.Fprintf(a.stdout, "Transparency log %s, verifier key %s\n", key.Origin(), key.VKey)
	if len(started) > 0 {
		fmt.Fprintf(a.stdout, "Demo witnesses of %s run in this process; print the policy with: tabadul witness policy --data %s\n",
			strings.Join(started, ", "), a.dataDir)
	}
	return ls, nil
}

// stop stops what startLog started, the integrator first so that its last
// batch can still be cosigned on the next start.
func (ls *logSystem) stop() {
	if ls.in != nil {
		ls.in.Stop()
	}
	if ls.co != nil {
		ls.co.Stop()
	}
	for _, hs := range ls.witnesses {
		hs.Close()
	}
	for _, w := range ls.closers {
		w.Close()
	}
}
