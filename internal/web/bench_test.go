package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tabadul/tabadul/internal/center"
)

// BenchmarkPages measures whole pages over loopback for a signed-in
// user: the session check, the reads through the visibility rule and the
// rendering, in Arabic, with 200 reports in the center.
func BenchmarkPages(b *testing.B) {
	c := newTestCenter(b)
	for i := range 200 {
		c.submit("iq-analyst", center.Draft{
			Title: fmt.Sprintf("تقرير رقم %d عن خلية في بغداد", i), Body: "رصدت الوحدة اتصالات من إيران إلى العنوان 10.0.0.9 في البصرة.",
			Language: "ar", TLP: center.TLPAmber, Distribution: center.Distribution{All: true}, Tags: []string{"بغداد"},
		})
		c.Clock.Advance(1)
	}
	rep := c.submit("iq-analyst", center.Draft{Title: "تقرير", Body: "نص", TLP: center.TLPGreen, Distribution: center.Distribution{All: true}})
	br := c.browser("ar")
	br.login("ru-analyst")
	for _, p := range []struct{ name, path string }{
		{"inbox", "/"},
		{"report", "/reports/" + rep.ID},
		{"search", "/search?q=%D8%A8%D8%BA%D8%AF%D8%A7%D8%AF"},
		{"governance", "/governance"},
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
