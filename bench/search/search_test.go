package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tabadul/tabadul/internal/record/postgres/pgtest"
)

// TestSmoke runs the whole comparison on 2,000 documents and holds
// Tabadul to its recall goal on the planted spelling variants. It takes
// about half a minute; run it by hand with `cd bench && go test ./...`.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("the smoke run indexes 2,000 documents twice")
	}
	cfg := Config{Docs: 2000, Out: t.TempDir(), Rounds: 1, BleveSnippets: true}
	if err := defaultSources(&cfg.Sources); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Markdown())
	for _, k := range []string{kindVariant, kindEntity, kindObservable} {
		if res.T.Want[k] == 0 {
			t.Errorf("no %s queries with ground truth", k)
		}
	}
	if r := res.T.Recall(kindVariant); r < 0.98 {
		t.Errorf("Tabadul's variant recall is %.4f, want at least 0.98", r)
	}
	if r := res.T.Recall(kindObservable); r < 0.98 {
		t.Errorf("Tabadul's observable recall is %.4f, want at least 0.98", r)
	}
	if len(res.Queries) < 200 {
		t.Errorf("%d queries, want at least 200", len(res.Queries))
	}
}

// TestSmokePostgres runs the comparison with Tabadul on PostgreSQL (a
// throwaway server of Debian's postgresql package) on 1,000 documents and
// holds it to the same recall.
func TestSmokePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the smoke run indexes 1,000 documents twice")
	}
	if _, err := pgtest.BinDir(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	cfg := Config{Docs: 1000, Out: t.TempDir(), Rounds: 1, BleveSnippets: true, Backend: backendPostgres, TabadulBatch: 250}
	if err := defaultSources(&cfg.Sources); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Markdown(), "Tabadul (PostgreSQL)") {
		t.Error("the report does not name the PostgreSQL store")
	}
	for _, k := range []string{kindVariant, kindObservable} {
		if r := res.T.Recall(k); r < 0.98 {
			t.Errorf("Tabadul on PostgreSQL: %s recall %.4f, want at least 0.98", k, r)
		}
	}
}

// TestCorpus checks that the corpus is reproducible, split evenly across
// the languages, and that every planted document holds one of its
// group's forms.
func TestCorpus(t *testing.T) {
	var src Sources
	if err := defaultSources(&src); err != nil {
		t.Fatal(err)
	}
	a, err := Generate(src, 400, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(src, 400, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	perLang := map[string]int{}
	for i := range a.Docs {
		if a.Docs[i] != b.Docs[i] {
			t.Fatalf("document %d differs between two runs with the same seed", i)
		}
		perLang[a.Docs[i].Lang]++
		if n := len(a.Docs[i].Text()); n < 900 || n > 2000 {
			t.Errorf("document %d is %d bytes", i, n)
		}
	}
	for _, l := range langs {
		if perLang[l] != 100 {
			t.Errorf("%d documents in %s, want 100", perLang[l], l)
		}
	}
	for _, g := range a.Groups {
		if len(g.Docs) == 0 {
			t.Errorf("group %s planted nowhere", g.Name)
		}
		for _, d := range g.Docs {
			doc := a.Docs[d]
			if g.Lang != "" && doc.Lang != g.Lang {
				t.Errorf("group %s (%s) planted in a %s document", g.Name, g.Lang, doc.Lang)
			}
			found := false
			for _, f := range g.Forms {
				found = found || strings.Contains(doc.Body, f)
			}
			if !found {
				t.Errorf("document %d holds no form of group %s", d, g.Name)
			}
		}
	}
}
