package web

import (
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/tabadul/tabadul/internal/analyze"
	"github.com/tabadul/tabadul/internal/center"
	"github.com/tabadul/tabadul/internal/collect/misp"
	"github.com/tabadul/tabadul/internal/collect/stix"
	"github.com/tabadul/tabadul/internal/record"
)

// The center words its refusals in English, keeping with each message the
// fmt format that made it and the arguments (center.FieldError,
// center.Refusal, analyze.QueryError, stix.Rejection, stix.InputError,
// misp.Error).
// The format is the message's id in locales/messages.*.toml, whose
// translations are fmt formats filling the same arguments (with %[n]v
// where a language puts them in another order); messages_test.go finds
// every format in the sources and checks each language has it. In a
// translation, `…` marks an identifier that stays as it is (JSON, a
// field's name), shown isolated and left out of the check for Latin
// letters in an Arabic or Persian page.

// sayVerbRE matches a fmt verb with its flags, width, precision and
// explicit argument index, or an identifier quoted with backquotes.
var sayVerbRE = regexp.MustCompile("%(?:\\[(\\d+)\\])?([-+# 0]*\\d*(?:\\.\\d+)?)([a-zA-Z%])|`([^`]*)`")

// Say renders the message made of an English format and its arguments in
// the locale: the format's translation, English for a message nobody
// translated, with each argument (an identifier or a value from the
// input) isolated in <bdi translate="no">, so that a Latin party code or
// IP keeps its order inside Arabic words. An argument that is a
// center.Phrase is words, said in the locale in turn.
func (l *Locale) Say(format string, args []any) template.HTML {
	tr, ok := l.translation(format)
	if !ok {
		tr = format
	}
	var b strings.Builder
	at, next := 0, 0
	for _, m := range sayVerbRE.FindAllStringSubmatchIndex(tr, -1) {
		b.WriteString(template.HTMLEscapeString(tr[at:m[0]]))
		at = m[1]
		switch {
		case m[8] >= 0: // `identifier`
			b.WriteString(`<bdi dir="ltr" translate="no">` + template.HTMLEscapeString(tr[m[8]:m[9]]) + `</bdi>`)
			continue
		case tr[m[6]:m[7]] == "%":
			b.WriteString("%")
			continue
		}
		i := next
		if m[2] >= 0 {
			n, _ := strconv.Atoi(tr[m[2]:m[3]])
			i = n - 1
		}
		next = i + 1
		if i >= 0 && i < len(args) {
			if p, ok := args[i].(center.Phrase); ok { // words, said in the locale too
				b.WriteString(string(l.Say(p.Format, p.Args)))
				continue
			}
		}
		var s string
		if i >= 0 && i < len(args) {
			s = fmt.Sprintf("%"+tr[m[4]:m[5]]+tr[m[6]:m[7]], args[i])
			if n, ok := asInt(args[i]); ok && tr[m[6]:m[7]] == "d" && tr[m[4]:m[5]] == "" {
				s = l.Num(n) // the locale's digits and grouping
			}
		} else {
			s = "%!" + tr[m[6]:m[7]] + "(MISSING)" // as fmt says it
		}
		b.WriteString(`<bdi translate="no">` + template.HTMLEscapeString(s) + `</bdi>`)
	}
	b.WriteString(template.HTMLEscapeString(tr[at:]))
	return template.HTML(b.String())
}

// translation is the locale's translation of a message's format, if the
// catalogue has one.
func (l *Locale) translation(format string) (string, bool) {
	if format == "" {
		return "", false
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: format})
	return s, err == nil && s != ""
}

// sayText renders a message that is plain text, not a format (a reason
// worded elsewhere): its translation if the catalogue has it as a message
// without arguments, else the text as it is, in which a % or a backquote
// means nothing.
func (l *Locale) sayText(s string) template.HTML {
	if _, ok := l.translation(s); ok {
		return l.Say(s, nil)
	}
	return template.HTML(template.HTMLEscapeString(s))
}

// sayField is a field error's message in the locale.
func (l *Locale) sayField(fe center.FieldError) template.HTML {
	if fe.Format == "" {
		return l.sayText(fe.Message)
	}
	return l.Say(fe.Format, fe.Args)
}

// Explain lists, in the locale, why the center refused something: each
// field of an *center.InvalidError, a refusal's reason, a query's error.
// It returns nil for an error that carries no message for the user.
func (l *Locale) Explain(err error) []template.HTML {
	var (
		ie  *center.InvalidError
		ref *center.Refusal
		qe  *analyze.QueryError
		in  *stix.InputError
		me  *misp.Error
		nc  *record.NotChairError
	)
	switch {
	case errors.As(err, &ie):
		out := make([]template.HTML, len(ie.Fields))
		for i, fe := range ie.Fields {
			out[i] = l.sayField(fe)
		}
		return out
	case errors.As(err, &ref):
		return []template.HTML{l.Say(ref.Format, ref.Args)}
	case errors.As(err, &qe):
		return []template.HTML{l.Say(qe.Format, qe.Args)}
	case errors.As(err, &in):
		return []template.HTML{l.Say(in.Format, in.Args)}
	case errors.As(err, &me):
		return []template.HTML{l.Say(me.Format, me.Args)}
	case errors.As(err, &nc):
		// The party's code, a Latin identifier, is isolated like an
		// argument of Say.
		s := template.HTMLEscapeString(l.T("error.not_chair", "Party", "\uE000", "Until", l.Date(nc.Until)))
		code := `<bdi translate="no">` + template.HTMLEscapeString(string(nc.Chair)) + `</bdi>`
		return []template.HTML{template.HTML(strings.ReplaceAll(s, "\uE000", code))}
	}
	return nil
}

// sayRejection is why an object of an import was refused, in the locale.
func (l *Locale) sayRejection(rj stix.Rejection) template.HTML {
	var why template.HTML
	if ws := l.Explain(rj.Cause); len(ws) > 0 {
		why = ws[0]
		for _, w := range ws[1:] {
			why += "; " + w
		}
	} else if rj.Format != "" {
		why = l.Say(rj.Format, rj.Args)
	} else {
		why = l.sayText(rj.Reason)
	}
	id := `<bdi dir="ltr" translate="no">` + template.HTMLEscapeString(rj.ID) + `</bdi>`
	if strings.HasPrefix(rj.ID, "misp-event ") { // a MISP event, not an object of a bundle
		return template.HTML(id) + ": " + why
	}
	// Counted from 1, as a person counts the bundle's objects.
	where := template.HTMLEscapeString(l.T("import.object", "Index", l.Num(rj.Index+1)))
	if rj.ID != "" {
		where += " " + id
	}
	return template.HTML(where) + ": " + why
}

// asInt is v as an int if it is an integer.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	case uint32:
		return int(n), true
	case uint64:
		return int(n), true
	}
	return 0, false
}
