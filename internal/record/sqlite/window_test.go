package sqlite

import (
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestWindowFunc checks the aggregate that hands a window's matches to a
// windowRun, and the run's count and ranking, against rows given as
// VALUES.
func TestWindowFunc(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type facet = windowFacet
	for _, tt := range []struct {
		desc  string
		n     int
		rows  string // VALUES (seq, score, source, tlp, language), …
		admit func(seq int64) bool
		limit int // rows of the run the window holds; -1: all
		want  windowSummary
		// wantRows is how many rows the run kept; wantErr, what the
		// statement fails with.
		wantRows int
		wantErr  string
	}{
		{
			desc:  "no match",
			n:     3,
			rows:  `SELECT * FROM (VALUES (1, 0.5, 'IQ', 'green', 'ar')) WHERE 0`,
			limit: -1,
			want:  windowSummary{Facets: []facet{}, Seqs: []int64{}, Scores: []float64{}},
		},
		{
			desc: "the best n, the newer first among equal scores",
			n:    3,
			rows: `VALUES (10, 1.5, 'IQ', 'green', 'ar'), (9, 2.5, 'SY', 'green', 'ar'), (8, 1.5, 'IQ', 'amber', 'fa'),
				(7, 0.5, 'IQ', 'green', 'ar'), (6, 2.5, 'IQ', 'green', 'ar')`,
			limit: -1,
			want: windowSummary{
				Facets: []facet{{"IQ", "amber", "fa", 1, 8}, {"IQ", "green", "ar", 3, 6}, {"SY", "green", "ar", 1, 9}},
				Seqs:   []int64{9, 6, 10}, Scores: []float64{2.5, 2.5, 1.5},
			},
			wantRows: 5,
		},
		{
			desc:     "fewer matches than n",
			n:        21,
			rows:     `VALUES (4, 0.25, 'RU', 'clear', 'ru'), (3, 0.75, 'RU', 'clear', 'ru')`,
			limit:    -1,
			want:     windowSummary{Facets: []facet{{"RU", "clear", "ru", 2, 3}}, Seqs: []int64{3, 4}, Scores: []float64{0.75, 0.25}},
			wantRows: 2,
		},
		{
			desc:     "counts only",
			n:        0,
			rows:     `VALUES (4, 0.25, 'RU', 'clear', 'ru'), (3, 0.75, 'IR', 'clear', 'fa')`,
			limit:    -1,
			want:     windowSummary{Facets: []facet{{"IR", "clear", "fa", 1, 3}, {"RU", "clear", "ru", 1, 4}}, Seqs: []int64{}, Scores: []float64{}},
			wantRows: 2,
		},
		{
			desc:     "a search without text: every score 0, newest first",
			n:        2,
			rows:     `VALUES (5, 0, 'RU', 'clear', 'ru'), (4, 0, 'RU', 'clear', 'ru'), (3, 0, 'RU', 'clear', 'ru')`,
			limit:    -1,
			want:     windowSummary{Facets: []facet{{"RU", "clear", "ru", 3, 3}}, Seqs: []int64{5, 4}, Scores: []float64{0, 0}},
			wantRows: 3,
		},
		{
			desc:     "the window holds the run's first rows only",
			n:        2,
			rows:     `VALUES (9, 0.5, 'RU', 'clear', 'ru'), (8, 0.25, 'IR', 'clear', 'fa'), (7, 3.0, 'RU', 'clear', 'ru')`,
			limit:    2,
			want:     windowSummary{Facets: []facet{{"IR", "clear", "fa", 1, 8}, {"RU", "clear", "ru", 1, 9}}, Seqs: []int64{9, 8}, Scores: []float64{0.5, 0.25}},
			wantRows: 3,
		},
		{
			desc:     "a run that stops its statement",
			n:        5,
			rows:     `VALUES (9, 0.5, 'RU', 'clear', 'ru'), (8, 0.25, 'IR', 'clear', 'fa'), (7, 3.0, 'RU', 'clear', 'ru')`,
			admit:    func(seq int64) bool { return seq > 8 },
			limit:    -1,
			want:     windowSummary{Facets: []facet{{"RU", "clear", "ru", 1, 9}}, Seqs: []int64{9}, Scores: []float64{0.5}},
			wantRows: 1,
			wantErr:  "stopped",
		},
		{desc: "a score that is text", n: 2, rows: `VALUES (4, 'x', 'RU', 'clear', 'ru')`, wantErr: "a score of type string"},
		{desc: "a source that is NULL", n: 2, rows: `VALUES (4, 1.0, NULL, 'clear', 'ru')`, wantErr: "must be text"},
		{desc: "a seq that is text", n: 2, rows: `VALUES ('4', 1.0, 'RU', 'clear', 'ru')`, wantErr: "a seq of type string"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			run := &windowRun{admit: tt.admit}
			id, done := run.register()
			defer done()
			var n int
			err := db.QueryRow(`SELECT `+windowFunc+`(?, column1, column2, column3, column4, column5) FROM (`+tt.rows+`)`, id).Scan(&n)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want one saying %q", err, tt.wantErr)
				}
				if tt.admit == nil {
					return
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if len(run.rows) != tt.wantRows || run.stopped != (tt.admit != nil) {
				t.Errorf("the run kept %d rows, stopped %v; want %d", len(run.rows), run.stopped, tt.wantRows)
			}
			got := summary([]*windowRun{run}, []int{tt.limit}, tt.n)
			slices.SortFunc(got.Facets, func(a, b facet) int {
				return strings.Compare(a.Source+a.TLP+a.Language, b.Source+b.TLP+b.Language)
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	t.Run("a run not registered", func(t *testing.T) {
		var n int
		err := db.QueryRow(`SELECT ` + windowFunc + `(-7, 1, 1.0, 'RU', 'clear', 'ru')`).Scan(&n)
		if err == nil || !strings.Contains(err.Error(), "no run -7") {
			t.Fatalf("err = %v; want one naming the run", err)
		}
	})
}
