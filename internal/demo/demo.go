// Package demo creates the demo center, so that a newcomer's first
// `tabadul serve` has something to show: the four-party center of the seed
// article, a user of each role for each member, and the article itself as
// the first report.
//
// The demo center is created once, in an empty database, through the one
// write path; a database that already holds a center is left untouched.
package demo

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/process/entity"
	"github.com/tabadul/tabadul/internal/record"
	"github.com/tabadul/tabadul/internal/record/store"
	"github.com/tabadul/tabadul/internal/secret"
)

// charterYAML is the demo center's charter, without a start date.
//
//go:embed charter.yaml
var charterYAML []byte

// ArticleAR is the seed article, in Arabic, as published: the demo center's
// first report, and real test material (spelling variants, two names of
// one group, stray '&').
//
//go:embed article-ar.txt
var ArticleAR string

// CredentialsFile is the name, inside the data directory, of the file that
// keeps the demo users' passwords, readable by its owner only.
const CredentialsFile = "demo-credentials.txt"

// roles are the roles each member party gets a user of, in the order they
// are listed.
var roles = []center.Role{center.Officer, center.Analyst}

// reportAuthor writes the first report: the seed article is Iraqi reporting.
const reportAuthor = "iq-analyst"

// Charter returns the demo center's charter with its first term starting on
// the first day of the month of now.
func Charter(now time.Time) (center.Charter, error) {
	c, err := center.ParseCharter(charterYAML, "yaml")
	if err != nil {
		return center.Charter{}, fmt.Errorf("demo: %w", err)
	}
	now = now.UTC()
	c.Rotation.Start = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := c.Validate(); err != nil {
		return center.Charter{}, fmt.Errorf("demo: %w", err)
	}
	return c, nil
}

// An account is a demo user and the password made for it.
type account struct {
	user     center.User
	password string
}

// Create creates the demo center if the database holds no center yet, and
// reports whether it did. It founds the center from the demo charter,
// creates an officer and an analyst for each member party with a random
// password, prints the passwords to out once and keeps them in
// dataDir/demo-credentials.txt (mode 0600), and submits the seed article as
// the first report.
//
// If the database already holds a center, Create changes nothing and
// returns false. Concurrent calls found the center once: the others find it
// already founded and return false.
//
// Founding, each user and the report are separate transactions: a crash
// between them leaves a founded center without some demo users, which a
// later Create leaves alone. Delete the data directory to start again.
func Create(ctx context.Context, rec *record.Recorder, st store.Store, clock center.Clock, dataDir string, out io.Writer) (created bool, err error) {
	founded, err := rec.Founded(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if founded {
		return false, nil
	}
	ch, err := Charter(clock.Now())
	if err != nil {
		return false, err
	}
	if err := rec.Found(ctx, ch); err != nil {
		if errors.Is(err, record.ErrAlreadyFounded) {
			return false, nil
		}
		return false, fmt.Errorf("demo: found the center: %w", err)
	}

	var accounts []account
	for _, party := range ch.Directory().Members() {
		for _, role := range roles {
			want := center.User{Username: strings.ToLower(string(party)) + "-" + string(role), Party: party, Role: role}
			password := secret.NewPassword()
			u, err := rec.CreateUser(ctx, want, password, secret.DefaultParams)
			if err != nil {
				return true, fmt.Errorf("demo: create user %s: %w", want.Username, err)
			}
			accounts = append(accounts, account{user: u, password: password})
		}
	}

	dir, err := st.Directory(ctx)
	if err != nil {
		return true, fmt.Errorf("demo: %w", err)
	}
	chair, _ := dir.Party(ch.Rotation.FirstChair)
	fmt.Fprintf(out, "Created the demo center of %s; %s holds the chair until %s.\n",
		strings.Join(partyNames(dir.Members(), dir), ", "), chair.Names.In("en"),
		ch.Rotation.Start.AddDate(0, ch.Rotation.TermMonths, 0).Format(time.DateOnly))
	path := filepath.Join(dataDir, CredentialsFile)
	fmt.Fprintf(out, "Demo users; the passwords are shown once and kept in %s, readable by you only:\n", path)
	// Print before writing the file: if the file cannot be written, the
	// passwords are not lost with it.
	if err := writeAccounts(out, accounts, "  "); err != nil {
		return true, fmt.Errorf("demo: print credentials: %w", err)
	}
	if err := writeCredentialsFile(path, accounts, clock.Now()); err != nil {
		return true, err
	}

	// The entity registry goes in before the article, so that the article
	// is linked to the places and groups it names.
	if err := SeedEntities(ctx, rec); err != nil {
		return true, err
	}
	if err := submitArticle(ctx, rec, accounts); err != nil {
		return true, err
	}
	return true, nil
}

// SeedEntities seeds the entity registry of a center once (see
// record.Recorder.SeedEntities) with package entity's seed, if the recorder
// extracts entities; it is a no-op for a recorder that does not, and for a
// center already seeded.
func SeedEntities(ctx context.Context, rec *record.Recorder) error {
	if !rec.Extracts() {
		return nil
	}
	es, err := entity.Seed()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := rec.SeedEntities(ctx, es); err != nil {
		return fmt.Errorf("demo: seed the entity registry: %w", err)
	}
	return nil
}

func partyNames(codes []center.PartyCode, dir center.Directory) []string {
	names := make([]string, len(codes))
	for i, code := range codes {
		p, _ := dir.Party(code)
		names[i] = p.Names.In("en")
	}
	return names
}

// writeAccounts prints one aligned line per account, under a header.
func writeAccounts(w io.Writer, accounts []account, indent string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%susername\tparty\trole\tpassword\n", indent)
	for _, a := range accounts {
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", indent, a.user.Username, a.user.Party, a.user.Role, a.password)
	}
	return tw.Flush()
}

// writeCredentialsFile keeps the passwords for their owner only: the file
// is created with mode 0600, and a file left from an earlier demo center is
// truncated and made 0600 too.
func writeCredentialsFile(path string, accounts []account, now time.Time) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("demo: credentials file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("demo: credentials file: %w", cerr)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("demo: credentials file: %w", err)
	}
	fmt.Fprintf(f, "# Tabadul demo center, created %s.\n# Keep this file private.\n", now.UTC().Format(time.RFC3339))
	if err := writeAccounts(f, accounts, ""); err != nil {
		return fmt.Errorf("demo: credentials file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("demo: credentials file: %w", err)
	}
	return nil
}

// submitArticle records the seed article as Iraq's first report, shared
// with every member.
func submitArticle(ctx context.Context, rec *record.Recorder, accounts []account) error {
	var author center.User
	for _, a := range accounts {
		if a.user.Username == reportAuthor {
			author = a.user
		}
	}
	_, err := rec.SubmitReport(ctx, center.Principal{User: author}, center.Draft{
		Title:        Headline(ArticleAR),
		Body:         ArticleAR,
		Language:     "ar",
		TLP:          center.TLPGreen,
		Distribution: center.Distribution{All: true},
		// A news report quoting officials: usually reliable, probably
		// true.
		Reliability: "B",
		Credibility: "2",
		Tags:        []string{"isis", "baghdad-cell", "information-center", "rotation"},
	})
	if err != nil {
		return fmt.Errorf("demo: submit the seed article: %w", err)
	}
	return nil
}

// maxHeadlineRunes keeps a title to what a list shows on one line.
const maxHeadlineRunes = 120

// Headline makes a report title from an article: its first line, up to the
// end of the first clause (the first line of a news article is often a
// whole paragraph), and at most maxHeadlineRunes runes, cut between words
// and marked with an ellipsis.
func Headline(article string) string {
	var line string
	for l := range strings.Lines(article) {
		if line = strings.TrimSpace(l); line != "" {
			break
		}
	}
	if i := strings.IndexAny(line, "،؛.!?؟"); i > 0 {
		line = strings.TrimSpace(line[:i])
	}
	if utf8.RuneCountInString(line) <= maxHeadlineRunes {
		return line
	}
	// Cut at the last space within the limit, or at the limit in a text
	// without spaces.
	cut, n := 0, 0
	for i, r := range line {
		if n == maxHeadlineRunes {
			if cut == 0 {
				cut = i
			}
			break
		}
		if unicode.IsSpace(r) {
			cut = i
		}
		n++
	}
	return strings.TrimSpace(line[:cut]) + "…"
}
