package web

import (
	"html/template"
	"strings"

	"github.com/tabadul/tabadul/internal/process/lang"
)

// An observableRow is an observable a report's text holds: its kind's
// message key and its refanged form.
type observableRow struct {
	Key, Value string
}

// markObservables renders a report's text with each observable (IP,
// domain, URL, email, hash, CVE id, as text analysis finds them) marked
// and isolated left to right, so that an IP inside Arabic prose keeps its
// order; everything else is escaped. It also lists the observables, once
// each, in the order they first appear.
func markObservables(text, language string) (template.HTML, []observableRow) {
	var b strings.Builder
	var list []observableRow
	seen := map[string]bool{}
	at := 0
	for _, tok := range lang.Analyze(text, language).Tokens {
		if !tok.Kind.IsObservable() || tok.Start < at || tok.End > len(text) || tok.Start >= tok.End {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[at:tok.Start]))
		b.WriteString(`<bdi dir="ltr" class="observable observable-` + tok.Kind.String() + `">`)
		b.WriteString(template.HTMLEscapeString(text[tok.Start:tok.End]))
		b.WriteString("</bdi>")
		at = tok.End
		if k := tok.Kind.String() + " " + tok.Surface; !seen[k] {
			seen[k] = true
			list = append(list, observableRow{Key: "observable." + tok.Kind.String(), Value: tok.Surface})
		}
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String()), list
}
