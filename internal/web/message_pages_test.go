package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// untranslatedRE matches what a page isolates as an argument or an
// identifier, and character references: what is left may not be Latin
// in an Arabic or Persian page.
var untranslatedRE = regexp.MustCompile(`<bdi[^>]*translate="no"[^>]*>[^<]*</bdi>|&#?[a-zA-Z0-9]+;`)

// latinOutsideArgs returns the text of an HTML fragment, without its
// arguments, if it has Latin letters.
func latinOutsideArgs(html string) string {
	s := text(untranslatedRE.ReplaceAllString(html, ""))
	if latinRE.MatchString(s) {
		return s
	}
	return ""
}

// TestRefusalsInTheUsersLanguage: what the center refuses on a page (an
// import, a query, a revocation, an endpoint, a subscription) is said in
// the user's language, with no English left around its arguments.
func TestRefusalsInTheUsersLanguage(t *testing.T) {
	c := newLinkedCenter(t)
	rep := c.submit("iq-analyst", iqToRU())
	path := "/reports/" + rep.ID
	if _, err := c.Recorder.RevokeReport(context.Background(), c.principal("iq-analyst"), rep.ID); err != nil {
		t.Fatal(err)
	}
	am, err := c.Recorder.ProposeAmendment(context.Background(), c.principal("sy-officer"), governTerm(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recorder.VoteOnAmendment(context.Background(), c.principal("iq-officer"), am.ID, true); err != nil {
		t.Fatal(err)
	}
	type request func(b *browser) response
	upload := func(form url.Values, bundle string) request {
		return func(b *browser) response { return b.upload("/import", "/import", form, "bundle", bundle) }
	}
	post := func(from, to string, form url.Values) request {
		return func(b *browser) response { return b.post(from, to, form) }
	}
	tests := []struct {
		name, lang, user string
		do               request
		status           int
		section, want    string
	}{
		{"a bundle cut short", "ar", "iq-analyst", upload(url.Values{}, `{"type":"bundle",`),
			http.StatusBadRequest, "import-rejected", "ينتهي الإدخال قبل أوانه"},
		{"an object refused by the parser", "fa", "iq-analyst", upload(url.Values{}, importBundle(strings.Replace(importReport, `"spec_version":"2.1",`, "", 1))),
			http.StatusBadRequest, "import-rejected", "لازم است"},
		{"an object refused by the write path", "ar", "iq-analyst", upload(url.Values{"tlp": {"RED"}}, importBundle(importIndicator, importReport)),
			http.StatusBadRequest, "import-rejected", "يجب أن يسمّي التصنيف الأحمر"},
		{"a MISP event without a uuid", "ar", "iq-analyst", upload(url.Values{}, `{"Event":{"info":"x"}}`),
			http.StatusBadRequest, "import-rejected", "بلا معرّف"},
		{"a MISP event refused", "fa", "iq-analyst", upload(url.Values{}, `{"Event":{"uuid":"not-a-uuid","info":"x","timestamp":"1"}}`),
			http.StatusBadRequest, "import-rejected", "شناسهٔ رویداد"},
		{"a query with an open quote", "fa", "iq-analyst", func(b *browser) response { return b.get("/search?q=" + url.QueryEscape(`"بغداد`)) },
			http.StatusBadRequest, "search-error", "گیومهٔ بسته‌نشده"},
		{"a revoked report revoked again", "ru", "iq-analyst", post(path, path+"/revoke", url.Values{"reason": {"again"}}),
			http.StatusConflict, "error-detail", "уже отозван"},
		{"an endpoint that is not a URL", "ar", "iq-officer", post("/distribution", "/endpoints", url.Values{"url": {"ftp://receiver.example/"}}),
			http.StatusBadRequest, "error-detail", "يجب أن يكون البروتوكول"},
		{"a subscription with a bad query", "fa", "iq-officer", post("/distribution", "/subscriptions", url.Values{"endpoint": {"x"}, "query": {"tlp:purple"}}),
			http.StatusBadRequest, "error-detail", "نشان پروتکل چراغ راهنمایی نیست"},
		{"an analyst managing endpoints", "ar", "iq-analyst", post("/", "/endpoints", url.Values{"url": {"https://receiver.example/"}}),
			http.StatusForbidden, "error-detail", "لا يدير نقاط الاستقبال"},
		{"a second vote", "ar", "iq-officer", post("/governance", "/governance/amendments/"+am.ID+"/approve", url.Values{}),
			http.StatusConflict, "error-detail", "صوّت <bdi translate=\"no\">IQ</bdi> على هذا التعديل من قبل"},
		{"an order that leaves a member out", "ru", "iq-officer", post("/governance", "/governance/amendments", url.Values{"kind": {"set_order"}, "order": {"IQ, SY"}}),
			http.StatusBadRequest, "amendment-form", "новый порядок должен перечислять ровно текущих членов"},
		{"an accepted entity rejected", "ru", "iq-officer", post("/entities/location--baghdad", "/entities/location--baghdad/curate", url.Values{"action": {"reject"}}),
			http.StatusConflict, "error-detail", `отклонить можно только предложенную сущность; <bdi translate="no">location--baghdad</bdi> принята`},
		{"a chair power tried by another party", "ar", "sy-officer", post("/governance", "/governance/bulletins", url.Values{"title": {"اجتماع"}, "body": {"نص"}}),
			http.StatusForbidden, "error-detail", `هذا من صلاحيات الرئاسة: يمارسها ضباط الطرف <bdi translate="no">IQ</bdi> الذي يرأس حتى ١ آذار ٢٠٢٧.`},
		{"English stays English", "en", "iq-analyst", post(path, path+"/revoke", url.Values{"reason": {"again"}}),
			http.StatusConflict, "error-detail", `report <bdi translate="no">` + rep.ID + `</bdi> is already revoked`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := c.browser(tt.lang)
			b.login(tt.user)
			res := tt.do(b)
			if res.status != tt.status {
				t.Errorf("status %d, want %d", res.status, tt.status)
			}
			got := section(res.body, tt.section)
			if !strings.Contains(got, tt.want) {
				t.Fatalf("no %q in #%s:\n%s", tt.want, tt.section, got)
			}
			if tt.lang == "ar" || tt.lang == "fa" {
				if left := latinOutsideArgs(got); left != "" {
					t.Errorf("Latin text in #%s: %s", tt.section, left)
				}
			}
		})
	}
}
