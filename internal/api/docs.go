package api

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The OpenAPI document and the docs page are rendered once, when the
// Server is built, and served as bytes without authentication: they
// describe the API, not the center's data.

const (
	openAPIPath = "/api/v1/openapi.json"
	docsPath    = "/api/v1/docs"
)

// docsCSP forbids the page everything but itself: it has no script, no
// style sheet, no image and no form, and it loads nothing from elsewhere.
const docsCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// serveOpenAPI serves the OpenAPI 3.1 document.
func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/openapi+json")
	w.Write(s.openapi)
}

// serveDocs serves the docs page.
func (s *Server) serveDocs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", docsCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Write(s.docs)
}

// docsOperation is one row of the docs page.
type docsOperation struct {
	Method, Path, Summary, Description string
	Auth                               bool
}

// docsPage is the docs page's data.
type docsPage struct {
	Title, Version, Description, OpenAPIPath string
	Operations                               []docsOperation
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} API {{.Version}}</title>
</head>
<body>
<header>
<h1>{{.Title}} REST API</h1>
<p>{{.Description}}</p>
<p>Version {{.Version}}. The machine-readable description is the
<a href="{{.OpenAPIPath}}">OpenAPI 3.1 document</a>. Operations marked
“bearer” need the header <code>Authorization: Bearer &lt;token&gt;</code>.
Errors are RFC 9457 problem details (<code>application/problem+json</code>).</p>
</header>
<main>
<table>
<caption>Operations</caption>
<thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Summary</th><th scope="col">Authentication</th></tr></thead>
<tbody>
{{- range .Operations}}
<tr><td><code>{{.Method}}</code></td><td><code>{{.Path}}</code></td><td>{{.Summary}}{{if .Description}}<br><small>{{.Description}}</small>{{end}}</td><td>{{if .Auth}}bearer{{else}}none{{end}}</td></tr>
{{- end}}
</tbody>
</table>
</main>
</body>
</html>
`))

// renderDocs renders the docs page: every operation of the OpenAPI
// document, by path and then method.
func renderDocs(oapi *huma.OpenAPI) ([]byte, error) {
	page := docsPage{OpenAPIPath: openAPIPath}
	if oapi.Info != nil {
		page.Title, page.Version, page.Description = oapi.Info.Title, oapi.Info.Version, oapi.Info.Description
	}
	for path, item := range oapi.Paths {
		for _, mo := range []struct {
			method string
			op     *huma.Operation
		}{
			{http.MethodGet, item.Get}, {http.MethodPut, item.Put}, {http.MethodPost, item.Post},
			{http.MethodDelete, item.Delete}, {http.MethodOptions, item.Options}, {http.MethodHead, item.Head},
			{http.MethodPatch, item.Patch}, {http.MethodTrace, item.Trace},
		} {
			if mo.op == nil || mo.op.Hidden {
				continue
			}
			page.Operations = append(page.Operations, docsOperation{
				Method:      mo.method,
				Path:        path,
				Summary:     mo.op.Summary,
				Description: mo.op.Description,
				Auth:        len(mo.op.Security) > 0,
			})
		}
	}
	slices.SortFunc(page.Operations, func(a, b docsOperation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, page); err != nil {
		return nil, fmt.Errorf("api: docs page: %w", err)
	}
	return buf.Bytes(), nil
}
