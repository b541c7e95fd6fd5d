package invariants

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sourceFile is one parsed non-test Go file of the module.
type sourceFile struct {
	path string // slash-separated, relative to the module root
	file *ast.File
	fset *token.FileSet
}

func moduleFiles(t *testing.T) []sourceFile {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	var out []sourceFile
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench" || name == "tabadul-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, sourceFile{path: filepath.ToSlash(rel), file: f, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d source files; is the walk broken?", len(out))
	}
	return out
}

// TestNoWallClock forbids time.Now outside the clock: everything that needs
// the time takes a center.Clock so that it can be tested over simulated
// years.
func TestNoWallClock(t *testing.T) {
	allowed := map[string]bool{"internal/center/clock.go": true}
	for _, sf := range moduleFiles(t) {
		if allowed[sf.path] {
			continue
		}
		ast.Inspect(sf.file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
				t.Errorf("%s: time.%s outside the clock; take a center.Clock", sf.fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

// TestErrorsWrapWithW forbids fmt.Errorf that formats an error with %v or
// %s, which breaks errors.Is and errors.As up the chain.
func TestErrorsWrapWithW(t *testing.T) {
	for _, sf := range moduleFiles(t) {
		ast.Inspect(sf.file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) < 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Errorf" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "fmt" {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			format, _ := strconv.Unquote(lit.Value)
			verbs := formatVerbs(format)
			for i, arg := range call.Args[1:] {
				if i >= len(verbs) {
					break
				}
				if id, ok := arg.(*ast.Ident); ok && (id.Name == "err" || strings.HasSuffix(id.Name, "Err")) && verbs[i] != 'w' {
					t.Errorf("%s: error %s formatted with %%%c; wrap it with %%w", sf.fset.Position(arg.Pos()), id.Name, verbs[i])
				}
			}
			return true
		})
	}
}

// formatVerbs returns the verb letters of a format string in order.
func formatVerbs(format string) []rune {
	var out []rune
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		i++
		for i < len(rs) && strings.ContainsRune("+-# 0123456789.*[]", rs[i]) {
			i++
		}
		if i < len(rs) && rs[i] != '%' {
			out = append(out, rs[i])
		}
	}
	return out
}

// TestLayering keeps the pure core pure: center and govern import nothing
// of Tabadul's and no storage or HTTP package; lower layers never import
// higher ones.
func TestLayering(t *testing.T) {
	const mod = "github.com/tabadul/tabadul/"
	forbidden := map[string][]string{
		"internal/center/":        {mod, "database/sql", "net/http", "os"},
		"internal/govern/":        {mod, "database/sql", "net/http", "os"},
		"internal/record/":        {mod + "internal/api", mod + "internal/web", mod + "cmd/"},
		"internal/record/store/":  {"net/http"},
		"internal/record/sqlite/": {"net/http"},
		"internal/process/":       {mod + "internal/record", mod + "internal/api", mod + "internal/web", "net/http", "database/sql"},
	}
	for _, sf := range moduleFiles(t) {
		for prefix, bad := range forbidden {
			if !strings.HasPrefix(sf.path, prefix) {
				continue
			}
			for _, imp := range sf.file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if path == b || strings.HasPrefix(path, b) && strings.HasSuffix(b, "/") {
						t.Errorf("%s imports %s; %s must not import %s", sf.path, path, prefix, b)
					}
				}
			}
		}
	}
}

// TestWitnessesOnlyThroughTheWritePath: the log's witnesses are part of the
// charter's policy, so only the one write path (package record) writes
// them, each with its event; any other caller of PutWitness would be a
// side channel that no log entry records.
func TestWitnessesOnlyThroughTheWritePath(t *testing.T) {
	for _, sf := range moduleFiles(t) {
		rest, inRecord := strings.CutPrefix(sf.path, "internal/record/")
		if inRecord && !strings.Contains(rest, "/") || strings.HasPrefix(sf.path, "internal/record/storetest/") {
			continue // package record itself, and the store's conformance suite
		}
		ast.Inspect(sf.file, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "PutWitness" {
					t.Errorf("%s: PutWitness outside package record; register a witness with Recorder.RegisterWitness or an amendment", sf.fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
}
