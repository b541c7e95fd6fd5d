package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// maxAnalyzeInput bounds the text analyze reads from standard input.
const maxAnalyzeInput = 16 << 20

func (a *app) analyzeCommand() *cobra.Command {
	var hint string
	cmd := &cobra.Command{
		Use:   "analyze [--lang ar|fa|ru|en] [TEXT...]",
		Short: "Show how a text is normalized, tokenized and stemmed for search",
		Long: "Run the text analysis that search uses, at index and query time alike, on TEXT\n" +
			"(the arguments joined by spaces) or, with no arguments, on standard input.\n\n" +
			"The first line is the document's language (the --lang given, or the one detected;\n" +
			"\"und\" when none is). Then one line per token:\n\n" +
			"  SURFACE STEM KIND START-END LANG\n\n" +
			"SURFACE is the normalized form, STEM its stem (\"=\" when the same), KIND one of\n" +
			"word, number, ip, domain, url, email, hash, cve, START-END the token's bytes in\n" +
			"the text as given, and LANG the language of the token's run (\"-\" for none).\n" +
			"It reads no data directory.",
		Example: "  tabadul analyze 'وللعراق والعراق بالعراق'\n" +
			"  echo 'hxxp://evil[.]com 10[.]0[.]0[.]1' | tabadul analyze",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch hint {
			case "", "ar", "fa", "ru", "en":
			default:
				return usagef("--lang must be one of ar, fa, ru, en (got %q)", hint)
			}
			text := strings.Join(args, " ")
			if len(args) == 0 {
				b, err := io.ReadAll(io.LimitReader(a.stdin, maxAnalyzeInput+1))
				if err != nil {
					return fmt.Errorf("analyze: reading standard input: %w", err)
				}
				if len(b) > maxAnalyzeInput {
					return usagef("standard input is over %d MiB", maxAnalyzeInput>>20)
				}
				text = string(b)
			}
			if !utf8.ValidString(text) {
				return usagef("the text is not valid UTF-8")
			}
			return writeAnalysis(a.stdout, lang.Analyze(text, hint))
		},
	}
	cmd.Flags().StringVar(&hint, "lang", "", "the text's language (ar, fa, ru or en); detected when absent")
	return cmd
}

// writeAnalysis prints an analysis as analyze shows it.
func writeAnalysis(w io.Writer, an lang.Analysis) error {
	bw := bufio.NewWriter(w)
	l := an.Language
	if l == "" {
		l = "und"
	}
	fmt.Fprintln(bw, l)
	for _, t := range an.Tokens {
		fmt.Fprintln(bw, t.String())
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("analyze: writing: %w", err)
	}
	return nil
}
