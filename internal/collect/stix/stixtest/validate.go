// Package stixtest validates STIX 2.1 output against the official OASIS
// JSON schemas (in ../shared/testdata/stix/schemas), for tests of every
// package that writes STIX: the bundle envelope is checked by hand and
// each object against the schema named after its type, because the
// schemas' bundle.json rejects valid bundles (see the test data's README).
package stixtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const idBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// SchemaDir returns the folder of the official schemas, found from this
// source file: <repo>/../shared/testdata/stix/schemas.
func SchemaDir() string {
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
	return filepath.Join(repo, "..", "shared", "testdata", "stix", "schemas")
}

// ExampleDir returns the folder of the OASIS example bundles.
func ExampleDir() string { return filepath.Join(filepath.Dir(SchemaDir()), "examples") }

type dirLoader struct{ dir string }

func (l dirLoader) Load(url string) (any, error) {
	rel, ok := strings.CutPrefix(url, idBase)
	if !ok {
		return nil, fmt.Errorf("stixtest: no local copy of %s", url)
	}
	f, err := os.Open(filepath.Join(l.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// A Validator checks STIX 2.1 bundles and objects. It is safe for
// concurrent use.
type Validator struct {
	c       *jsonschema.Compiler
	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema
	files   map[string]string // type -> schema path under idBase
}

// NewValidator compiles schemas on demand from dir.
func NewValidator(dir string) (*Validator, error) {
	if _, err := os.Stat(filepath.Join(dir, "common", "core.json")); err != nil {
		return nil, fmt.Errorf("stixtest: schemas: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{"http": dirLoader{dir}, "file": jsonschema.FileLoader{}})
	c.AssertFormat()
	v := &Validator{c: c, schemas: map[string]*jsonschema.Schema{}, files: map[string]string{}}
	for _, sub := range []string{"sdos", "sros", "observables"} {
		es, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			v.files[strings.TrimSuffix(e.Name(), ".json")] = sub + "/" + e.Name()
		}
	}
	v.files["marking-definition"] = "common/marking-definition.json"
	v.files["language-content"] = "common/language-content.json"
	v.files["extension-definition"] = "common/extension-definition.json"
	return v, nil
}

func (v *Validator) schema(rel string) (*jsonschema.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.schemas[rel]; ok {
		return s, nil
	}
	s, err := v.c.Compile(idBase + rel)
	if err != nil {
		return nil, err
	}
	v.schemas[rel] = s
	return s, nil
}

var bundleIDRE = regexp.MustCompile(`^bundle--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// ValidateObject checks one object against the schema of its type; a
// custom type against common/core.json if it has created, else
// common/cyber-observable-core.json.
func (v *Validator) ValidateObject(raw []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("stixtest: object: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("stixtest: object is not a JSON object")
	}
	typ, _ := m["type"].(string)
	rel, ok := v.files[typ]
	if !ok {
		rel = "common/cyber-observable-core.json"
		if _, ok := m["created"]; ok {
			rel = "common/core.json"
		}
	}
	s, err := v.schema(rel)
	if err != nil {
		return err
	}
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("stixtest: %s %v: %w", typ, m["id"], err)
	}
	return nil
}

// ValidateBundle checks a bundle's envelope and every object, and returns
// the objects.
func (v *Validator) ValidateBundle(b []byte) ([]json.RawMessage, error) {
	var env struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("stixtest: bundle: %w", err)
	}
	if env.Type != "bundle" || !bundleIDRE.MatchString(env.ID) {
		return nil, fmt.Errorf("stixtest: not a bundle: type %q id %q", env.Type, env.ID)
	}
	for i, o := range env.Objects {
		if err := v.ValidateObject(o); err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
	}
	return env.Objects, nil
}
