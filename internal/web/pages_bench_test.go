package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/record/store"
)

// BenchmarkLinkedPages measures the pages that read the correlation and
// the distribution, over loopback for a signed-in officer, in Arabic, with
// 200 reports naming Baghdad (a fifth of them sharing a hash) delivered to
// one endpoint.
func BenchmarkLinkedPages(b *testing.B) {
	c := newLinkedCenter(b)
	ctx := context.Background()
	iqo := c.principal("iq-officer")
	ep, _, err := c.Recorder.CreateEndpoint(ctx, iqo, "https://receiver.example/iq", "", false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Recorder.CreateSubscription(ctx, iqo, ep.ID, store.Filter{}); err != nil {
		b.Fatal(err)
	}
	var last center.Report
	for i := range 200 {
		body := fmt.Sprintf("رصدت الوحدة %d اتصالات من إيران إلى بغداد عبر العنوان 10.0.%d.%d.", i, i/250, i%250)
		if i%5 == 0 {
			body += " الملف " + sharedHash
		}
		last = c.submit("iq-analyst", publicDraft(fmt.Sprintf("تقرير رقم %d عن بغداد", i), body))
		c.Clock.Advance(3600 * 1e9)
	}
	br := c.browser("ar")
	br.login("iq-officer")
	for _, p := range []struct{ name, path string }{
		{"report-with-links", "/reports/" + last.ID},
		{"entity", "/entities/location--baghdad"},
		{"entity-lookup", "/entities?q=" + url.QueryEscape("Багдад")},
		{"distribution", "/distribution"},
		{"deliveries", "/deliveries"},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if res := br.get(p.path); res.status != http.StatusOK {
					b.Fatalf("%s: %d", p.path, res.status)
				}
			}
		})
	}
}
