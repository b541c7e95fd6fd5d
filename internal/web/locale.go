package web

import (
	"embed"
	"fmt"
	"net/http"
	"slices"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/tabadul/tabadul/internal/center"
)

//go:embed locales/*.toml
var localeFS embed.FS

// languages are the interface's languages, in the order the language menu
// lists them; the first is the fallback.
var languages = []string{"ar", "fa", "ru", "en"}

// rtl lists the right-to-left languages.
var rtl = map[string]bool{"ar": true, "fa": true}

// locales holds the parsed translations.
type locales struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	byLang  map[string]*Locale
}

func loadLocales() (*locales, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, l := range languages {
		name := "locales/" + l + ".toml"
		data, err := localeFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", l, err)
		}
		if _, err := b.ParseMessageFileBytes(data, l+".toml"); err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", l, err)
		}
		// The center's messages, whose ids are their English formats
		// (message.go).
		name = "locales/messages." + l + ".toml"
		if data, err = localeFS.ReadFile(name); err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", l, err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("web: locale %s: %w", l, err)
		}
	}
	// The matcher's first tag is its default: English for a browser that
	// asks for none of the four.
	tags := []language.Tag{language.English, language.Arabic, language.Persian, language.Russian}
	ls := &locales{bundle: b, matcher: language.NewMatcher(tags), byLang: map[string]*Locale{}}
	for _, l := range languages {
		ls.byLang[l] = newLocale(b, l)
	}
	return ls, nil
}

// forRequest returns the locale of the user's choice if there is one, else
// the best match for the browser's Accept-Language; an explicit ?lang= on
// a page before signing in wins over both.
func (ls *locales) forRequest(r *http.Request, chosen string) *Locale {
	if chosen != "" {
		if l, ok := ls.byLang[chosen]; ok {
			return l
		}
	}
	if q := r.URL.Query().Get("lang"); q != "" {
		if l, ok := ls.byLang[q]; ok {
			return l
		}
	}
	return ls.byLang[ls.match(r.Header.Get("Accept-Language"))]
}

// match picks one of the four languages for an Accept-Language header.
func (ls *locales) match(accept string) string {
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := ls.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return []string{"en", "ar", "fa", "ru"}[i]
}

// A Locale renders words, numbers and dates in one language.
type Locale struct {
	// Lang is the language's code: ar, fa, ru or en.
	Lang string
	// Dir is "rtl" or "ltr".
	Dir string
	loc *i18n.Localizer
}

func newLocale(b *i18n.Bundle, lang string) *Locale {
	dir := "ltr"
	if rtl[lang] {
		dir = "rtl"
	}
	return &Locale{Lang: lang, Dir: dir, loc: i18n.NewLocalizer(b, lang)}
}

// T returns the message id, with args as name, value pairs filling its
// placeholders. A missing message shows as its id, which the locale tests
// catch.
func (l *Locale) T(id string, args ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return id
	}
	return s
}

// N returns the plural form of message id for n, which fills {{.Count}}
// with the locale's digits.
func (l *Locale) N(id string, n int, args ...any) string {
	data := map[string]any{"Count": l.Num(n)}
	for i := 0; i+1 < len(args); i += 2 {
		data[fmt.Sprint(args[i])] = args[i+1]
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: n})
	if err != nil || s == "" {
		return id
	}
	return s
}

// Name returns a party's or committee's name in the locale.
func (l *Locale) Name(n center.Names) string { return n.In(l.Lang) }

// IsRTL reports whether the locale writes right to left.
func (l *Locale) IsRTL() bool { return l.Dir == "rtl" }

// Languages lists the interface's languages, for the language menu.
func (l *Locale) Languages() []string { return slices.Clone(languages) }
