package main

import (
	"strings"
	"testing"
)

func TestAnalyzePrintsTokens(t *testing.T) {
	r := tabadul(t, "", "analyze", "وللعراق", "10[.]0[.]0[.]1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "ar\nوللعراق عراق word 0-14 ar\n10.0.0.1 = ip 15-29 -\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}

	// Standard input when there are no arguments; --lang overrides detection.
	r = tabadul(t, "کتاب‌ها\n", "analyze", "--lang", "fa")
	if want := "fa\nكتابها كتاب word 0-15 fa\n"; r.code != 0 || r.stdout != want {
		t.Errorf("stdin: exit %d, stdout %q, want %q; stderr %s", r.code, r.stdout, want, r.stderr)
	}

	// Nothing to analyze: the language is undetermined.
	r = tabadul(t, "", "analyze")
	if r.code != 0 || r.stdout != "und\n" {
		t.Errorf("empty input: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestAnalyzeRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		name, stdin string
		args        []string
		msg         string
	}{
		{"unknown language", "", []string{"analyze", "--lang", "xx", "text"}, "--lang must be one of"},
		{"invalid UTF-8 argument", "", []string{"analyze", "a\xffb"}, "not valid UTF-8"},
		{"invalid UTF-8 input", "a\xc0b", []string{"analyze"}, "not valid UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := tabadul(t, c.stdin, c.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.msg) {
				t.Errorf("stderr %q: want one line containing %q", r.stderr, c.msg)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}
