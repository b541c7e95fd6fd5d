package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/fetch"
	"github.com/tabadul/tabadul/internal/collect/misp"
	"github.com/tabadul/tabadul/internal/collect/stix"
)

// maxImportDownload caps what import downloads from a URL.
const maxImportDownload = 4 << 30

// importFlags are import's options.
type importFlags struct {
	format, party, tlp, committee string
	to                            []string
	maxObject                     int64
	quiet                         bool
}

func (a *app) importCommand() *cobra.Command {
	var fl importFlags
	cmd := &cobra.Command{
		Use:   "import FILE|DIR|URL --party P",
		Short: "Import STIX 2.1 bundles or MISP events as a party",
		Long: "Import a STIX 2.1 bundle, a MISP event (or list of events) or a MISP feed (a folder\n" +
			"or URL holding manifest.json) into the center, as recorded by party P, shared with\n" +
			"every member unless --to or --committee say otherwise. A folder imports each .json\n" +
			"file in it (or, holding manifest.json, the MISP feed). \"-\" reads standard input.\n\n" +
			"The input is read twice with a progress bar on standard error: checked whole (a\n" +
			"malformed, truncated or oversized input records nothing), then recorded. The\n" +
			"summary on standard output counts objects imported, new versions, unchanged and\n" +
			"rejected, each rejection with its reason; the exit code is 1 if any was rejected.\n" +
			"Works while the server runs on the same data.",
		Example: "  tabadul import bundle.json --party IQ\n" +
			"  tabadul import https://peer.example/feed/ --format misp --party SY --committee regional",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd.Context(), args[0], fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "", "stix or misp; detected when absent")
	f.StringVar(&fl.party, "party", "", "the party recording the import")
	f.StringVar(&fl.tlp, "tlp", "AMBER", "the TLP of objects that carry no TLP marking")
	f.StringSliceVar(&fl.to, "to", nil, "share with these parties only (comma-separated)")
	f.StringVar(&fl.committee, "committee", "", "share with this committee only")
	f.Int64Var(&fl.maxObject, "max-object-bytes", stix.DefaultMaxObjectBytes, "refuse an input holding an object larger than this")
	f.BoolVar(&fl.quiet, "quiet", false, "no progress bar")
	cmd.MarkFlagRequired("party")
	return cmd
}

func (a *app) importOptions(fl importFlags) (stix.Options, center.Principal, error) {
	var opt stix.Options
	tlp, ok := center.ParseTLP(fl.tlp)
	if !ok {
		return opt, center.Principal{}, usagef("--tlp must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
	}
	switch {
	case len(fl.to) > 0 && fl.committee != "":
		return opt, center.Principal{}, usagef("give --to or --committee, not both")
	case len(fl.to) > 0:
		for _, p := range fl.to {
			opt.Distribution.Parties = append(opt.Distribution.Parties, center.PartyCode(strings.ToUpper(strings.TrimSpace(p))))
		}
	case fl.committee != "":
		opt.Distribution.Committee = fl.committee
	default:
		opt.Distribution.All = true
	}
	opt.DefaultTLP = tlp
	opt.MaxObjectBytes = fl.maxObject
	party := center.PartyCode(strings.ToUpper(fl.party))
	if !party.Valid() {
		return opt, center.Principal{}, usagef("--party %q is not a party code", fl.party)
	}
	// The operator imports on the party's behalf, from the machine that
	// holds the data; the log names the acting user "operator".
	who := center.Principal{User: center.User{Username: "operator", Party: party, Role: center.Officer}}
	return opt, who, nil
}

func (a *app) runImport(ctx context.Context, src string, fl importFlags) error {
	opt, who, err := a.importOptions(fl)
	if err != nil {
		return err
	}
	switch fl.format {
	case "", "stix", "misp":
	default:
		return usagef("--format must be stix or misp")
	}
	st, rec, err := a.openCenter(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	dir, err := st.Directory(ctx)
	if err != nil {
		return err
	}
	if _, ok := dir.Party(who.Party()); !ok {
		return usagef("--party %s is not a party of the center", who.Party())
	}

	// Every input becomes one or more local files the importer can read
	// twice: a URL or standard input is saved to a temporary file first.
	var files []string
	var feed misp.FeedSource
	switch {
	case src == "-":
		tmp, err := spool(a.stdin)
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		files = []string{tmp}
	case strings.Contains(src, "://"):
		if _, err := fetch.CheckURL(src); err != nil {
			return usagef("%v", err)
		}
		if fl.format == "misp" && strings.HasSuffix(src, "/") {
			feed = misp.HTTPFeed{URL: src, Client: &fetch.Client{}}
			break
		}
		tmp, err := download(ctx, src)
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		files = []string{tmp}
	default:
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if fi.IsDir() {
			if _, err := os.Stat(filepath.Join(src, "manifest.json")); err == nil && fl.format != "stix" {
				feed = misp.DirFeed(src)
				break
			}
			es, err := os.ReadDir(src)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			for _, e := range es {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
					files = append(files, filepath.Join(src, e.Name()))
				}
			}
			slices.Sort(files)
		} else {
			files = []string{src}
		}
	}

	im := stix.Importer{Recorder: rec, Store: st}
	var total stix.Summary
	report := func(name string, sum stix.Summary) {
		for i := range sum.Rejected {
			if name != "" {
				sum.Rejected[i].Reason = name + ": " + sum.Rejected[i].Reason
			}
		}
		total.Add(sum)
	}
	if feed != nil {
		sum, err := misp.ImportFeed(ctx, im, who, feed, misp.Options{STIX: opt})
		report("", sum)
		if err != nil {
			return err
		}
	}
	for _, file := range files {
		format := fl.format
		if format == "" {
			if format, err = detectFormat(file); err != nil {
				return err
			}
		}
		name := ""
		if len(files) > 1 {
			name = filepath.Base(file)
		}
		var sum stix.Summary
		switch format {
		case "misp":
			b, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			sum, err = misp.ImportEvents(ctx, im, who, b, misp.Options{STIX: opt})
			if err != nil {
				return fmt.Errorf("import %s: %w", file, err)
			}
		default:
			o := opt
			bar := a.progress(file, fl.quiet)
			if bar != nil {
				o.Progress = func(pass int, n int64) {
					if pass == 2 && bar.GetMax64() > 0 && n < bar.State().CurrentNum {
						bar.Describe("recording")
					}
					bar.Set64(n)
				}
			}
			sum, err = im.Import(ctx, who, func() (io.ReadCloser, error) { return os.Open(file) }, o)
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(a.stderr)
			}
			if err != nil {
				return fmt.Errorf("import %s: %w", file, err)
			}
		}
		report(name, sum)
	}
	return writeSummary(a.stdout, total)
}

// progress returns a bar over a file's bytes, or nil.
func (a *app) progress(file string, quiet bool) *progressbar.ProgressBar {
	if quiet {
		return nil
	}
	fi, err := os.Stat(file)
	if err != nil {
		return nil
	}
	return progressbar.NewOptions64(fi.Size(),
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription("checking"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200_000_000),
		progressbar.OptionSetWidth(30),
	)
}

func writeSummary(w io.Writer, s stix.Summary) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "objects: %d\nimported: %d\nnew versions: %d\nunchanged: %d\nrejected: %d\n",
		s.Objects, s.Imported, s.NewVersions, s.Unchanged, len(s.Rejected))
	for _, r := range s.Rejected {
		fmt.Fprintf(bw, "  %s\n", r.Error())
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if len(s.Rejected) > 0 {
		return fmt.Errorf("import: %d rejected", len(s.Rejected))
	}
	return nil
}

// detectFormat looks at a file's first bytes: MISP events are wrapped in
// "Event" or carry "Attribute"; anything else is taken for STIX.
func detectFormat(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if bytes.Contains(head, []byte(`"Event"`)) || bytes.Contains(head, []byte(`"Attribute"`)) || bytes.Contains(head, []byte(`"Orgc"`)) {
		return "misp", nil
	}
	return "stix", nil
}

func spool(r io.Reader) (string, error) {
	f, err := os.CreateTemp("", "tabadul-import-")
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, io.LimitReader(r, maxImportDownload+1)); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("import: reading input: %w", err)
	}
	if fi, _ := f.Stat(); fi != nil && fi.Size() > maxImportDownload {
		os.Remove(f.Name())
		return "", fmt.Errorf("import: the input is over %d GiB", maxImportDownload>>30)
	}
	return f.Name(), nil
}

func download(ctx context.Context, url string) (string, error) {
	f, err := os.CreateTemp("", "tabadul-import-")
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	c := fetch.Client{MaxBytes: maxImportDownload, Timeout: 30 * 60e9}
	err = c.Stream(ctx, fetch.Request{URL: url}, func(_ fetch.Response, body io.Reader) error {
		_, err := io.Copy(f, body)
		return err
	})
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("import: %w", err)
	}
	return f.Name(), nil
}

func (a *app) exportCommand() *cobra.Command {
	var format, party, out string
	cmd := &cobra.Command{
		Use:   "export --format stix --party P",
		Short: "Write what a party may see as a STIX 2.1 bundle",
		Long: "Write, as one STIX 2.1 bundle, everything party P may see: the newest version of\n" +
			"each STIX object and report shared with it. AMBER+STRICT and RED reach only their\n" +
			"distribution. Writes to standard output or --output.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "stix" {
				return usagef("--format must be stix")
			}
			code := center.PartyCode(strings.ToUpper(party))
			st, _, err := a.openCenter(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			dir, err := st.Directory(cmd.Context())
			if err != nil {
				return err
			}
			if _, ok := dir.Party(code); !ok {
				return usagef("--party %s is not a party of the center", party)
			}
			w := a.stdout
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer f.Close()
				w = f
			}
			n, err := stix.Export(cmd.Context(), st, code, w)
			if err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(a.stderr, "%d objects written to %s\n", n, out)
				return f2err(w)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "stix", "the format: stix")
	cmd.Flags().StringVar(&party, "party", "", "the party whose view is exported")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.MarkFlagRequired("party")
	return cmd
}

// f2err syncs a file written to, so that a full disk is an error.
func f2err(w io.Writer) error {
	if f, ok := w.(*os.File); ok {
		if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
			return fmt.Errorf("export: %w", err)
		}
	}
	return nil
}
