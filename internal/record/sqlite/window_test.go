package sqlite

import (
	"database/sql"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestWindowFunc checks the aggregate that counts and ranks a first
// page's window against rows given as VALUES.
func TestWindowFunc(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type facet = windowFacet
	for _, tt := range []struct {
		desc    string
		n       int
		rows    string // VALUES (seq, score, source, tlp, language), …
		want    windowSummary
		wantErr string
	}{
		{
			desc: "no match",
			n:    3,
			rows: `SELECT * FROM (VALUES (1, 0.5, 'IQ', 'green', 'ar')) WHERE 0`,
			want: windowSummary{Facets: []facet{}, Seqs: []int64{}, Scores: []float64{}},
		},
		{
			desc: "the best n, the newer first among equal scores",
			n:    3,
			rows: `VALUES (10, 1.5, 'IQ', 'green', 'ar'), (9, 2.5, 'SY', 'green', 'ar'), (8, 1.5, 'IQ', 'amber', 'fa'),
				(7, 0.5, 'IQ', 'green', 'ar'), (6, 2.5, 'IQ', 'green', 'ar')`,
			want: windowSummary{
				Facets: []facet{{"IQ", "amber", "fa", 1, 8}, {"IQ", "green", "ar", 3, 6}, {"SY", "green", "ar", 1, 9}},
				Seqs:   []int64{9, 6, 10}, Scores: []float64{2.5, 2.5, 1.5},
			},
		},
		{
			desc: "fewer matches than n",
			n:    21,
			rows: `VALUES (4, 0.25, 'RU', 'clear', 'ru'), (3, 0.75, 'RU', 'clear', 'ru')`,
			want: windowSummary{Facets: []facet{{"RU", "clear", "ru", 2, 3}}, Seqs: []int64{3, 4}, Scores: []float64{0.75, 0.25}},
		},
		{
			desc: "counts only",
			n:    0,
			rows: `VALUES (4, 0.25, 'RU', 'clear', 'ru'), (3, 0.75, 'IR', 'clear', 'fa')`,
			want: windowSummary{Facets: []facet{{"IR", "clear", "fa", 1, 3}, {"RU", "clear", "ru", 1, 4}}, Seqs: []int64{}, Scores: []float64{}},
		},
		{
			desc: "a search without text: every score 0, newest first",
			n:    2,
			rows: `VALUES (4, 0, 'RU', 'clear', 'ru'), (5, 0, 'RU', 'clear', 'ru'), (3, 0, 'RU', 'clear', 'ru')`,
			want: windowSummary{Facets: []facet{{"RU", "clear", "ru", 3, 3}}, Seqs: []int64{5, 4}, Scores: []float64{0, 0}},
		},
		{desc: "a score that is text", n: 2, rows: `VALUES (4, 'x', 'RU', 'clear', 'ru')`, wantErr: "a score of type string"},
		{desc: "a source that is NULL", n: 2, rows: `VALUES (4, 1.0, NULL, 'clear', 'ru')`, wantErr: "must be text"},
		{desc: "a negative n", n: -1, rows: `VALUES (4, 1.0, 'RU', 'clear', 'ru')`, wantErr: "n not negative"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			var out string
			err := db.QueryRow(`SELECT `+windowFunc+`(?, column1, column2, column3, column4, column5) FROM (`+tt.rows+`)`, tt.n).Scan(&out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got windowSummary
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(got.Facets, func(a, b facet) int {
				return strings.Compare(a.Source+a.TLP+a.Language, b.Source+b.TLP+b.Language)
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
