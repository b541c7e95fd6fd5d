package web

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/tabadul/tabadul/internal/center"
)

var listMessages = flag.Bool("list-messages", false, "print every message format found in the sources")

// messageSources are the packages whose messages reach a page: each with
// the functions that take a message format and the position of the format
// among their arguments (".add": a method called add, not a function).
var messageSources = map[string]map[string]int{
	"../center":         {"Phrasef": 0, "Invalid": 1, "Refuse": 1, ".add": 1},
	"../record":         {"Phrasef": 0, "Invalid": 1, "Refuse": 1, "reject": 2},
	"../distribute":     {"Phrasef": 0, "Invalid": 1, "Refuse": 1},
	"../process/entity": {"Phrasef": 0, "Invalid": 1, "Refuse": 1},
	"../analyze":        {"Phrasef": 0, "Invalid": 1, "Refuse": 1, "qerr": 1},
	"../collect/stix":   {"Phrasef": 0, "Invalid": 1, "Refuse": 1, "inputErr": 0, "reject": 0},
	"../collect/misp":   {"Phrasef": 0, "errorf": 0},
	"../govern":         {"Phrasef": 0, "errorf": 0},
	".":                 {"Phrasef": 0, "Invalid": 1, "Refuse": 1},
}

// passThrough matches a format that only passes on a message made
// elsewhere (whose own format is found where it is made): nothing in it
// to translate.
var passThrough = regexp.MustCompile(`^(%[sv]|[:;, ])+$`)

// sourceMessages parses the Go sources of messageSources and returns every
// message format in them, with where it was found. A format that is not a
// constant string fails the test: it could not be looked up.
func sourceMessages(t *testing.T) map[string]string {
	t.Helper()
	found := map[string]string{}
	fset := token.NewFileSet()
	for dir, funcs := range messageSources {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			literal := func(e ast.Expr, where token.Pos) {
				at := fset.Position(where).String()
				lit, ok := e.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					if id, ok := e.(*ast.Ident); ok && id.Name == "format" {
						return // a parameter passed on, or a constant found below
					}
					t.Errorf("%s: a message format that is not a constant string", at)
					return
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				if !passThrough.MatchString(s) {
					found[s] = at
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					i, ok := -1, false
					switch f := n.Fun.(type) {
					case *ast.Ident:
						i, ok = funcs[f.Name]
					case *ast.SelectorExpr:
						if i, ok = funcs["."+f.Sel.Name]; !ok {
							i, ok = funcs[f.Sel.Name]
						}
					}
					if ok && i < len(n.Args) {
						literal(n.Args[i], n.Pos())
					}
				case *ast.KeyValueExpr:
					// Format: "…" in a struct literal, and a FieldError's
					// Message built without a Format.
					if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "Format" || k.Name == "Message") {
						if lit, ok := n.Value.(*ast.BasicLit); ok {
							literal(lit, n.Pos())
						}
					}
				case *ast.ValueSpec:
					for i, id := range n.Names {
						if id.Name == "format" && i < len(n.Values) {
							literal(n.Values[i], n.Pos())
						}
					}
				}
				return true
			})
		}
	}
	return found
}

// readMessages reads a language's catalogue of messages.
func readMessages(t *testing.T, lang string) map[string]string {
	t.Helper()
	data, err := localeFS.ReadFile("locales/messages." + lang + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("messages.%s.toml: %v", lang, err)
	}
	return m
}

// verbRE matches a fmt verb, with an explicit argument index if any.
var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z%])`)

// verbs lists the verb used for each argument of a format, in argument
// order: a translation may reorder them with %[n]s but must use each
// argument once, as the English does.
func verbs(format string) []string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[2] == "%" {
			continue
		}
		i := next
		if m[1] != "" {
			i, _ = strconv.Atoi(m[1])
		}
		next = i + 1
		for len(out) < i {
			out = append(out, "")
		}
		if out[i-1] != "" {
			out = append(out, fmt.Sprintf("again %d", i))
			continue
		}
		out[i-1] = m[2]
	}
	return out
}

// TestMessagesTranslated: every message format in the sources that can
// reach a page has a translation in every language, each filling the same
// arguments with the same verbs, and the catalogues hold nothing else.
func TestMessagesTranslated(t *testing.T) {
	found := sourceMessages(t)
	if *listMessages {
		for _, k := range slices.Sorted(maps.Keys(found)) {
			fmt.Printf("%q # %s\n", k, found[k])
		}
	}
	if len(found) < 100 {
		t.Fatalf("found only %d message formats: is the walk broken?", len(found))
	}
	for _, l := range languages {
		cat := readMessages(t, l)
		for _, k := range slices.Sorted(maps.Keys(found)) {
			tr, ok := cat[k]
			switch {
			case !ok:
				t.Errorf("messages.%s.toml lacks %q (%s)", l, k, found[k])
			case l == "en" && tr != k:
				t.Errorf("messages.en.toml: %q must be its own format, not %q", k, tr)
			case !slices.Equal(verbs(tr), verbs(k)):
				t.Errorf("messages.%s.toml: %q fills %v, the English %v", l, tr, verbs(tr), verbs(k))
			}
		}
		for k := range cat {
			if _, ok := found[k]; !ok {
				t.Errorf("messages.%s.toml has %q, which no source uses", l, k)
			}
		}
	}
}

// TestMessagesNoLatin: an Arabic or Persian message has no Latin letters
// but in its arguments and in the identifiers it quotes with backquotes,
// which the page isolates and marks translate="no".
func TestMessagesNoLatin(t *testing.T) {
	quoted := regexp.MustCompile("`[^`]*`")
	for _, l := range []string{"ar", "fa"} {
		for k, v := range readMessages(t, l) {
			if latinRE.MatchString(verbRE.ReplaceAllString(quoted.ReplaceAllString(v, ""), "")) {
				t.Errorf("messages.%s.toml %q has Latin letters: %q", l, k, v)
			}
		}
	}
}

// TestSay: a translated message fills its arguments, isolated, in the
// translation's order; an untranslated one stays English.
func TestSay(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, format string
		args         []any
		want         string
	}{
		{"ar", "title is required", nil, "العنوان مطلوب"},
		{"ar", "unknown party %q", []any{"XX"}, `الطرف <bdi translate="no">&#34;XX&#34;</bdi> غير معروف`},
		{"ru", "only the source party %s may change report %s", []any{"IQ", "report--1"},
			`изменить отчёт <bdi translate="no">report--1</bdi> может только сторона-источник <bdi translate="no">IQ</bdi>`},
		{"fa", "must be valid UTF-8", nil, `باید با رمزگذاری معتبر <bdi dir="ltr" translate="no">UTF-8</bdi> باشد`},
		{"ar", "no such message <b>%d</b>", []any{7}, `no such message &lt;b&gt;<bdi translate="no">٧</bdi>&lt;/b&gt;`},
		{"en", "at most %d tags (got %d)", []any{50, 51}, `at most <bdi translate="no">50</bdi> tags (got <bdi translate="no">51</bdi>)`},
		{"ar", "at most %d tags (got %d)", []any{50, 51}, `الحد الأقصى <bdi translate="no">٥٠</bdi> وسمًا (وصل <bdi translate="no">٥١</bdi>)`},
		{"fa", "larger than %d bytes", []any{int64(64 << 20)}, `بزرگ‌تر از <bdi translate="no">۶۷٬۱۰۸٬۸۶۴</bdi> بایت`},
		{"en", "larger than %d bytes", []any{int64(64 << 20)}, `larger than <bdi translate="no">67,108,864</bdi> bytes`},
		{"en", "100%% of %d", []any{3}, `100% of <bdi translate="no">3</bdi>`},
		{"ar", "%s: the input ends early", []any{center.Phrasef("object %d", 3)}, `الكائن <bdi translate="no">٣</bdi>: ينتهي الإدخال قبل أوانه`},
		{"en", "missing %s", nil, `missing <bdi translate="no">%!s(MISSING)</bdi>`},
	}
	for _, tt := range tests {
		if got := string(ls.byLang[tt.lang].Say(tt.format, tt.args)); got != tt.want {
			t.Errorf("%s %q: %s, want %s", tt.lang, tt.format, got, tt.want)
		}
	}
	// A reason worded elsewhere is text, translated if the catalogue has
	// it, else shown as it is.
	texts := []struct{ lang, text, want string }{
		{"fa", "must be an http or https URL", `باید نشانی‌ای با <bdi dir="ltr" translate="no">http</bdi> یا <bdi dir="ltr" translate="no">https</bdi> باشد`},
		{"ar", "50% of `x` <b>", "50% of `x` &lt;b&gt;"},
	}
	for _, tt := range texts {
		if got := string(ls.byLang[tt.lang].sayText(tt.text)); got != tt.want {
			t.Errorf("%s text %q: %s, want %s", tt.lang, tt.text, got, tt.want)
		}
	}
}
