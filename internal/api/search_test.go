package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type searchBody struct {
	Items []struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Snippet    string   `json:"snippet"`
		Highlights [][2]int `json:"highlights"`
		Score      float64  `json:"score"`
	} `json:"items"`
	Total      int                       `json:"total"`
	Facets     map[string]map[string]int `json:"facets"`
	NextCursor string                    `json:"next_cursor"`
}

func (c *testCenter) search(t *testing.T, user, q string) searchBody {
	t.Helper()
	var b searchBody
	c.do(http.MethodGet, searchPath+"?q="+url.QueryEscape(q), c.token(user), nil).want(t, http.StatusOK).decode(t, &b)
	return b
}

// TestSearchIsolation: a report shared with IQ and RU leaves no trace in
// SY's or IR's results, totals, facets or snippets.
func TestSearchIsolation(t *testing.T) {
	c := newTestCenter(t)
	hidden := c.submit("iq-analyst", with(with(sampleDraft(), "body", "قافلة سرية قرب دير الزور"), "distribution", map[string]any{"parties": []string{"RU"}}))
	c.submit("iq-analyst", with(sampleDraft(), "body", "قافلة معلنة قرب الحدود"))
	for _, tt := range []struct {
		user  string
		total int
	}{{"iq-analyst", 2}, {"ru-analyst", 2}, {"sy-analyst", 1}, {"ir-analyst", 1}, {"jo-analyst", 0}} {
		b := c.search(t, tt.user, "قافلة")
		if b.Total != tt.total || len(b.Items) != tt.total {
			t.Errorf("%s: total %d, %d items; want %d", tt.user, b.Total, len(b.Items), tt.total)
		}
		sum := 0
		for _, n := range b.Facets["source"] {
			sum += n
		}
		if sum != tt.total {
			t.Errorf("%s: source facets sum to %d, want %d", tt.user, sum, tt.total)
		}
		for _, it := range b.Items {
			if tt.total < 2 && (it.ID == hidden.ID || strings.Contains(it.Snippet, "سرية")) {
				t.Errorf("%s sees the hidden report in %+v", tt.user, it)
			}
			for _, h := range it.Highlights {
				if w := it.Snippet[h[0]:h[1]]; w != "قافلة" {
					t.Errorf("%s: highlight %q", tt.user, w)
				}
			}
		}
		if tt.total < 2 {
			for _, q := range []string{"سرية", "سري*", "قاف* سري*"} {
				if b := c.search(t, tt.user, q); b.Total != 0 || len(b.Items) != 0 || len(b.Facets["source"]) != 0 {
					t.Errorf("%s finds the hidden report's words with %q: %+v", tt.user, q, b)
				}
			}
		}
	}
}

func TestSearchBadQueries(t *testing.T) {
	c := newTestCenter(t)
	for _, q := range []string{
		`"unbalanced`, `author:x`, `since:2026-99-01`, `a OR`, `-only`, `tlp:white`, `ab*`, `"a phrase"*`,
		strings.Repeat("كلمة ", 100), strings.Repeat("x", 5000),
	} {
		p := c.do(http.MethodGet, searchPath+"?q="+url.QueryEscape(q), c.token("iq-analyst"), nil).want(t, http.StatusBadRequest).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Location != "query.q" || p.Errors[0].Message == "" {
			t.Errorf("%.40q: problem %+v does not name the query's fault", q, p)
		}
	}
	for _, path := range []string{searchPath + "?q=%ff%fe", searchPath + "?limit=0", searchPath + "?limit=101", searchPath + "?cursor=@@"} {
		c.do(http.MethodGet, path, c.token("iq-analyst"), nil).want(t, http.StatusBadRequest)
	}
	c.do(http.MethodGet, searchPath+"?q=x", "", nil).want(t, http.StatusUnauthorized)
}

func TestSearchPages(t *testing.T) {
	c := newTestCenter(t)
	var byTime []string
	for i := range 25 {
		// Bodies of different lengths give different scores; some tie.
		r := c.submit("iq-analyst", with(sampleDraft(), "body", "تقرير عن داعش في بغداد"+strings.Repeat(" بغداد", i%4)))
		byTime = append(byTime, r.ID)
	}
	slices.Reverse(byTime)
	// Hidden from SY: takes no place in its pages.
	c.submit("iq-analyst", with(with(sampleDraft(), "body", "بغداد بغداد بغداد بغداد بغداد"), "distribution", map[string]any{"parties": []string{"RU"}}))
	for _, tt := range []struct {
		q     string
		limit int
	}{{"بغداد", 10}, {"بغداد", 5}, {"بغداد", 25}, {"بغداد", 100}, {"بغداد sort:newest", 10}, {"بغداد sort:newest", 7}} {
		q, limit := tt.q, tt.limit
		var seen []string
		path := searchPath + "?limit=" + strconv.Itoa(limit) + "&q=" + url.QueryEscape(q)
		for pages := 1; ; pages++ {
			var b searchBody
			c.do(http.MethodGet, path, c.token("sy-analyst"), nil).want(t, http.StatusOK).decode(t, &b)
			if b.Total != 25 {
				t.Fatalf("total %d, want 25", b.Total)
			}
			for _, it := range b.Items {
				seen = append(seen, it.ID)
			}
			if b.NextCursor == "" {
				if want := (25 + limit - 1) / limit; pages != want {
					t.Errorf("pages of %d: %d pages, want %d (no empty last page)", limit, pages, want)
				}
				break
			}
			if pages > 25 {
				t.Fatalf("pages of %d: the cursor never ends", limit)
			}
			path = searchPath + "?limit=" + strconv.Itoa(limit) + "&q=" + url.QueryEscape(q) + "&cursor=" + b.NextCursor
		}
		if strings.HasSuffix(q, "sort:newest") && !slices.Equal(seen, byTime) {
			t.Errorf("%q in pages of %d: not newest first", q, limit)
		}
		slices.Sort(seen)
		if len(seen) != 25 || len(slices.Compact(seen)) != 25 {
			t.Errorf("pages of %d: %d hits, %d distinct; want 25 once each", limit, len(seen), len(slices.Compact(seen)))
		}
	}
}

// TestSearchFindsEverySpelling: each spelling of a name or compound finds
// the reports that wrote it another way — the cases Lucene's Arabic and
// Persian analyzers miss.
func TestSearchFindsEverySpelling(t *testing.T) {
	c := newTestCenter(t)
	for _, tt := range []struct {
		name    string
		body    string
		queries []string
	}{
		{"ب before a hamza on a name no list holds", "لقاء بأسامة في بغداد", []string{"أسامة", "اسامه", "لأسامة", "وأسامة"}},
		{"a bare name finds it behind ل", "رسالة لآمرلي", []string{"آمرلي", "امرلي", "بآمرلي"}},
		{"a given name behind ب", "اجتماع بيحيى", []string{"يحيى", "يحيي", "ليحيى"}},
		{"a phrase behind ل", "رسالة لحيدر العبادي", []string{`"حيدر العبادي"`, `"حيدر العبادى"`}},
		{"a Persian compound written with ZWNJ", "همکاری بین‌المللی ایران", []string{"بین‌المللی", `"بین المللی"`, "بين‌المللي"}},
		{"a Persian compound written with a space", "همکاری مسالمت آمیز ایران", []string{"مسالمت‌آمیز", `"مسالمت آمیز"`}},
		{"a Persian plural, queried without Persian letters", "گزارش سازمان‌ها درباره ایران", []string{`"سازمان ها"`, "سازمانها"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := c.submit("iq-analyst", with(sampleDraft(), "body", tt.body))
			for _, q := range tt.queries {
				b := c.search(t, "iq-analyst", q)
				if !slices.ContainsFunc(b.Items, func(it struct {
					ID         string   `json:"id"`
					Title      string   `json:"title"`
					Snippet    string   `json:"snippet"`
					Highlights [][2]int `json:"highlights"`
					Score      float64  `json:"score"`
				}) bool {
					return it.ID == r.ID
				}) {
					t.Errorf("%s does not find %q", q, tt.body)
				}
			}
		})
	}
}
