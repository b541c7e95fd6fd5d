package postgres

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
	"github.com/tabadul/tabadul/internal/record/store"
)

// FuzzTokens: whatever a token holds — quotes, backslashes, the tsquery
// operators, any script, any length — the vector and the query built from
// it parse, a word finds the document by its surface form and by its stem,
// a phrase of stems matches in order only, and a prefix of the surface
// form finds it.
func FuzzTokens(f *testing.F) {
	for _, seed := range [][2]string{
		{"إيران", "ايران"}, {"والعراق", "عراق"}, {"10.20.30.40", "10.20.30.40"},
		{"https://evil.example/a?b=c&d='e'", "https://evil.example/a?b=c&d='e'"},
		{"it's", "it"}, {`back\slash`, `back\`}, {"a:b", "a:*"}, {"!&|<->()", "<2>"},
		{"ёлка", "елк"}, {"CVE-2024-3094", "cve-2024-3094"}, {strings.Repeat("ا", 1200), "ا"},
	} {
		f.Add(seed[0], seed[1])
	}
	url := pgtest.NewDatabase(f)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		f.Fatal(err)
	}
	defer conn.Close(context.Background())
	valid := func(s string) bool {
		return s != "" && utf8.ValidString(s) && !strings.ContainsRune(s, 0) && strings.IndexFunc(s, unicode.IsSpace) < 0
	}
	f.Fuzz(func(t *testing.T, surface, stem string) {
		if !valid(surface) || !valid(stem) || lexeme(stem) == lexeme("zz-next") {
			t.Skip("the analyzer makes no such token")
		}
		doc := store.SearchDoc{Surface: []string{surface, "zz-next"}, Stems: []string{stem, "zz-next"}}
		vec := tsvector(doc)
		match := func(q store.TextQuery) bool {
			tq, err := tsQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			var ok bool
			if err := conn.QueryRow(context.Background(), `SELECT $1::tsvector @@ $2::tsquery`, vec, tq).Scan(&ok); err != nil {
				t.Fatalf("vector %q, query %q: %v", vec, tq, err)
			}
			return ok
		}
		word := func(surface, stem string) store.TextQuery {
			return store.TextQuery{All: []store.Alternatives{{{Surface: []string{surface}, Stems: []string{stem}}}}}
		}
		phrase := func(stems ...string) store.TextQuery {
			return store.TextQuery{All: []store.Alternatives{{{Surface: stems, Stems: stems}}}}
		}
		if !match(word(surface, "zz-none")) {
			t.Errorf("%q not found by its surface form", surface)
		}
		if !match(word("zz-none", stem)) {
			t.Errorf("%q not found by its stem", stem)
		}
		if !match(phrase(stem, "zz-next")) {
			t.Errorf("phrase of stems %q, zz-next not found", stem)
		}
		if match(phrase("zz-next", stem)) {
			t.Errorf("phrase out of order found")
		}
		// Any prefix of a token long enough to be one finds it (a token
		// longer than a lexeme is stored hashed, and no prefix finds it).
		if r := []rune(surface); len(r) >= store.MinPrefixRunes && len(surface) <= maxLexeme {
			p := string(r[:store.MinPrefixRunes])
			if !match(store.TextQuery{All: []store.Alternatives{{{Surface: []string{p}, Stems: []string{p}, Prefix: true}}}}) {
				t.Errorf("%q not found by its prefix %q", surface, p)
			}
		}
	})
}
