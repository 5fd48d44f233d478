// Package xapitest checks xAPI statements against the TinCan JSON Schema for xAPI 1.0.x
// (RusticiSoftware/TinCanSchema, draft-04), which lives in shared/conformance/xapi beside the
// repository and is read in place. It exists so the export's tests judge statements by an
// independent, published schema rather than by the code that wrote them. Only tests import it,
// so the schema library never reaches the academy binary.
package xapitest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaDir is the schema folder for a test whose package lies at repoRoot relative to
// the repository (".." for xapi, "../.." for cmd/academy): shared/ sits beside the repository.
func SchemaDir(repoRoot string) string {
	return filepath.Join(repoRoot, "..", "shared", "conformance", "xapi", "TinCanSchema", "1.0.1")
}

// Validator validates statements against the schema's "statement" definition, with the
// schema's own formats (UUID, IRI, ISO 8601 date and duration, version, language tag).
type Validator struct {
	statement *jsonschema.Schema
}

// ecmaRegexp adapts regexp2 to the schema library. The schema's patterns are JavaScript
// regular expressions with look-aheads and back-references that Go's regexp cannot run.
type ecmaRegexp struct{ *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.Regexp.MatchString(s)
	return ok && err == nil
}

func compileECMA(pattern string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(pattern, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

// Load assembles the schema the way its README says: every part file becomes a property of
// one document (each part keeps its "#name" id, which the parts refer to), and every entry
// of formats/formats.json becomes a format.
func Load(dir string) (*Validator, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no TinCan schema parts in %s (shared/conformance must sit beside the repository): %v", dir, err)
	}
	parts := map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(f) // #nosec G304 -- test helper reading the schema parts in shared/conformance
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := json.Unmarshal(data, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		id, _ := part["id"].(string)
		if id != "#"+strings.TrimSuffix(filepath.Base(f), ".json") {
			return nil, fmt.Errorf("%s: id %q does not match the file name", f, id)
		}
		delete(part, "$schema")
		parts[strings.TrimPrefix(id, "#")] = part
	}
	doc := map[string]any{
		"$schema":              "http://json-schema.org/draft-04/schema#",
		"type":                 "object",
		"additionalProperties": false,
		"properties":           parts,
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileECMA)
	data, err := os.ReadFile(filepath.Join(dir, "formats", "formats.json")) // #nosec G304 -- as above
	if err != nil {
		return nil, err
	}
	var formats map[string]string
	if err := json.Unmarshal(data, &formats); err != nil {
		return nil, fmt.Errorf("formats.json: %w", err)
	}
	for name, pattern := range formats {
		re, err := regexp2.Compile(pattern, regexp2.ECMAScript)
		if err != nil {
			return nil, fmt.Errorf("format %s: %w", name, err)
		}
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(v any) error {
			s, ok := v.(string)
			if !ok {
				return nil
			}
			if match, err := re.MatchString(s); err != nil || !match {
				return fmt.Errorf("does not match the %s pattern", name)
			}
			return nil
		}})
	}
	c.AssertFormat()
	const url = "https://tincan.invalid/1.0.1/schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	statement, err := c.Compile(url + "#statement")
	if err != nil {
		return nil, err
	}
	return &Validator{statement: statement}, nil
}

// MustLoad loads the schema for a test, failing it loudly when the conformance folder is
// missing: a skipped conformance test would hide regressions.
func MustLoad(t testing.TB, dir string) *Validator {
	t.Helper()
	v, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Validate checks one statement given as JSON and returns every violation found.
func (v *Validator) Validate(statement []byte) error {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(statement)))
	if err != nil {
		return err
	}
	return v.statement.Validate(doc)
}
