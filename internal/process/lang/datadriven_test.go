package lang

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The analyzer's own cases are text files in testdata/analyze (STYLE habit
// 10). A file is a series of blocks separated by blank lines:
//
//	# comments naming the linguistic rule
//	COMMAND [ARG…]
//	input line(s)
//	----
//	expected output line(s)
//
// Commands:
//
//	analyze [hint=LANG]   the input (its lines joined by \n) through Analyze:
//	                      "language L", then one token per line (Token.String)
//	normalize             each input line through Normalize
//	stem LANG             each input line (a word, normalized first): "word stem"
//	detect                each input line: "LANG line" (LANG "-" for none)
//	stopword LANG         each input line: "word yes|no"
//
// go test -run TestDataDriven -rewrite rewrites the expected outputs from
// what the code does now; review the diff before committing it.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata/analyze/*.txt")

type ddCase struct {
	comments []string
	command  string
	input    []string
	expected []string
	line     int
}

func parseDD(t *testing.T, path string) []ddCase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []ddCase
	var c *ddCase
	state := 0 // 0 between blocks, 1 reading input, 2 reading expected
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i, l := range lines {
		switch state {
		case 0:
			switch {
			case strings.TrimSpace(l) == "":
				if c != nil && c.command == "" && len(c.comments) > 0 {
					c.comments = append(c.comments, "")
				}
			case strings.HasPrefix(l, "#"):
				if c == nil {
					cases = append(cases, ddCase{})
					c = &cases[len(cases)-1]
				}
				c.comments = append(c.comments, l)
			default:
				if c == nil {
					cases = append(cases, ddCase{})
					c = &cases[len(cases)-1]
				}
				c.command, c.line = l, i+1
				state = 1
			}
		case 1:
			if l == "----" {
				state = 2
				continue
			}
			c.input = append(c.input, l)
		case 2:
			if strings.TrimSpace(l) == "" {
				state, c = 0, nil
				continue
			}
			c.expected = append(c.expected, l)
		}
	}
	if state == 1 {
		t.Fatalf("%s: block at line %d has no ----", path, c.line)
	}
	// A trailing comment with no command is kept as is.
	return cases
}

func runDD(t *testing.T, c ddCase) []string {
	t.Helper()
	f := strings.Fields(c.command)
	var out []string
	switch f[0] {
	case "analyze":
		hint := ""
		for _, arg := range f[1:] {
			if h, ok := strings.CutPrefix(arg, "hint="); ok {
				hint = h
			} else {
				t.Fatalf("line %d: unknown argument %q", c.line, arg)
			}
		}
		a := Analyze(strings.Join(c.input, "\n"), hint)
		l := a.Language
		if l == "" {
			l = "-"
		}
		out = append(out, "language "+l)
		for _, tok := range a.Tokens {
			out = append(out, tok.String())
		}
	case "normalize":
		for _, in := range c.input {
			out = append(out, Normalize(in))
		}
	case "stem":
		if len(f) != 2 {
			t.Fatalf("line %d: stem needs a language", c.line)
		}
		for _, in := range c.input {
			w := Normalize(in)
			out = append(out, w+" "+Stem(f[1], w))
		}
	case "detect":
		for _, in := range c.input {
			l := Detect(in)
			if l == "" {
				l = "-"
			}
			out = append(out, l+" "+in)
		}
	case "stopword":
		if len(f) != 2 {
			t.Fatalf("line %d: stopword needs a language", c.line)
		}
		for _, in := range c.input {
			yes := "no"
			if IsStopWord(f[1], Normalize(in)) {
				yes = "yes"
			}
			out = append(out, in+" "+yes)
		}
	default:
		t.Fatalf("line %d: unknown command %q", c.line, c.command)
	}
	return out
}

func TestDataDriven(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "analyze", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in testdata/analyze: %v", err)
	}
	total := 0
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases := parseDD(t, path)
			var buf strings.Builder
			for i, c := range cases {
				if i > 0 {
					buf.WriteString("\n")
				}
				for _, cm := range c.comments {
					buf.WriteString(cm + "\n")
				}
				if c.command == "" {
					continue
				}
				total++
				got := runDD(t, c)
				if !*rewrite && strings.Join(got, "\n") != strings.Join(c.expected, "\n") {
					t.Errorf("%s:%d: %s\n%s\n got:\n%s\nwant:\n%s", path, c.line, c.command, strings.Join(c.input, "\n"),
						strings.Join(got, "\n"), strings.Join(c.expected, "\n"))
				}
				buf.WriteString(c.command + "\n")
				for _, in := range c.input {
					buf.WriteString(in + "\n")
				}
				buf.WriteString("----\n")
				for _, o := range got {
					buf.WriteString(o + "\n")
				}
			}
			if *rewrite {
				if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	t.Logf("%d data-driven cases", total)
}

// TestDataDrivenCount keeps the suite from shrinking unnoticed.
func TestDataDrivenCount(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "analyze", "*.txt"))
	n := 0
	for _, path := range files {
		for _, c := range parseDD(t, path) {
			if c.command != "" {
				n++
			}
		}
	}
	if n < 80 {
		t.Errorf("only %d data-driven cases; the suite needs at least 80", n)
	}
}
