package analyze

import (
	"flag"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tabadul/tabadul/internal/record/store"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs in testdata from what the code does now")

// TestParse runs testdata/parse.txt: blocks of a query line, "----", and the
// parsed structure (Query.String) or "error: " and the message. Lines
// starting with '#' say which rule a block checks. With -rewrite the
// expectations are regenerated for review.
func TestParse(t *testing.T) {
	runDataDriven(t, "testdata/parse.txt", func(input string) string {
		q, err := Parse(input)
		if err != nil {
			return "error: " + err.(*QueryError).Msg
		}
		return q.String()
	})
}

// runDataDriven reads blocks of input, "----", expected output, separated
// by blank lines, and checks (or with -rewrite, rewrites) each.
func runDataDriven(t *testing.T, path string, do func(input string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	blocks := strings.Split(strings.TrimRight(string(data), "\n"), "\n\n")
	for _, block := range blocks {
		lines := strings.Split(block, "\n")
		var comments, input []string
		i := 0
		for ; i < len(lines) && strings.HasPrefix(lines[i], "#"); i++ {
			comments = append(comments, lines[i])
		}
		for ; i < len(lines) && lines[i] != "----"; i++ {
			input = append(input, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s: block without ----:\n%s", path, block)
		}
		want := strings.Join(lines[i+1:], "\n")
		in := strings.Join(input, "\n")
		got := do(in)
		if !*rewrite && got != want {
			t.Errorf("%s\n%s\ngot:  %s\nwant: %s", strings.Join(comments, "\n"), in, got, want)
		}
		for _, c := range comments {
			out.WriteString(c + "\n")
		}
		out.WriteString(in + "\n----\n" + got + "\n\n")
	}
	if *rewrite {
		if err := os.WriteFile(path, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`داعش "الدولة الإسلامية" OR ISIS -"حلب" source:IQ tlp:amber lang:ar tag:border since:2026-01-01 until:2026-02-01`,
		`hxxp://evil[.]example/path 10.0.0.1 CVE-2024-12345`,
		`"unbalanced`, `a OR`, `-`, `foo:bar`, `http://x.example/a:b`, `tag:"two words" OR`,
		`ایران می‌رود`, `Россия ёлка`, `since:2026-13-01`,
		`impla* -exfil** cve-2025-* OR 10.0.*`, `ab*`, `"a b"*`, `(a.*`, `*`, `apt*28`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if _, ok := err.(*QueryError); !ok {
				t.Fatalf("Parse(%q) error of type %T", s, err)
			}
			return
		}
		n := len(q.Exclude)
		for _, g := range q.Groups {
			if len(g) == 0 {
				t.Fatalf("Parse(%q): an empty group", s)
			}
			n += len(g)
			for _, term := range g {
				if strings.TrimSpace(term.Text) == "" {
					t.Fatalf("Parse(%q): an empty term", s)
				}
				if term.Prefix && (term.Phrase || utf8.RuneCountInString(prefixOf(term.Text)) < store.MinPrefixRunes) {
					t.Fatalf("Parse(%q): prefix %q is a phrase or too short", s, term.Text)
				}
			}
		}
		if n > MaxQueryTerms {
			t.Fatalf("Parse(%q): %d terms over the limit", s, n)
		}
	})
}
