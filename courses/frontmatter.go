package courses

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// document is a content file split into its front matter and body, with the line on which
// each starts so that problems in either can name the file's own line numbers.
type document struct {
	file      string
	front     []byte
	frontLine int // file line of the first front-matter line
	body      []byte
	bodyLine  int // file line of the first body line
}

// splitFrontMatter separates the YAML between the first two `---` lines from the Markdown.
func splitFrontMatter(file string, src []byte, ps *Problems) (document, bool) {
	d := document{file: file}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) == 0 || string(bytes.TrimRight(lines[0], "\r\n")) != "---" {
		ps.add(file, 1, "the file must start with a front-matter line `---`")
		return d, false
	}
	offset := len(lines[0])
	for i := 1; i < len(lines); i++ {
		if string(bytes.TrimRight(lines[i], "\r\n")) == "---" {
			d.front = src[len(lines[0]):offset]
			d.frontLine = 2
			d.body = src[offset+len(lines[i]):]
			d.bodyLine = i + 2
			return d, true
		}
		offset += len(lines[i])
	}
	ps.add(file, 1, "front matter is not closed: add a line `---` after it")
	return d, false
}

// field describes one allowed front-matter key: where to decode it and how to check it.
type field struct {
	target   any
	required bool
	check    func(n *yaml.Node) string // returns a message when the value is wrong
}

// decodeMapping decodes a YAML mapping into the given fields, reporting unknown keys, missing
// required keys, duplicate keys and values of the wrong type, each at its own line.
func decodeMapping(file string, lineOffset int, n *yaml.Node, fields map[string]field, what string, ps *Problems) {
	if n.Kind != yaml.MappingNode {
		ps.add(file, lineOffset+n.Line-1, "%s must be a mapping of keys to values", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		line := lineOffset + k.Line - 1
		f, ok := fields[k.Value]
		if !ok {
			ps.add(file, line, "unknown key %q in %s", k.Value, what)
			continue
		}
		if seen[k.Value] {
			ps.add(file, line, "key %q appears twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		if err := v.Decode(f.target); err != nil {
			ps.add(file, line, "%s: %s", k.Value, typeMessage(f.target))
			continue
		}
		if f.check != nil {
			if msg := f.check(v); msg != "" {
				ps.add(file, line, "%s: %s", k.Value, msg)
			}
		}
	}
	for _, key := range sortedKeys(fields) {
		if fields[key].required && !seen[key] {
			ps.add(file, lineOffset+n.Line-1, "missing %q in %s", key, what)
		}
	}
}

func typeMessage(target any) string {
	switch target.(type) {
	case *string:
		return "want a text value"
	case *int:
		return "want a whole number"
	case *float64:
		return "want a number"
	case *[]string:
		return "want a list of text values"
	}
	return "value has the wrong shape"
}

// parseYAML parses a YAML document and returns its root node, reporting a syntax error at the
// file line where yaml.v3 found it.
func parseYAML(file string, lineOffset int, src []byte, ps *Problems) (*yaml.Node, bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line, msg := yamlErrorLine(err.Error())
		ps.add(file, lineOffset+line-1, "YAML: %s", msg)
		return nil, false
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Line: 1}, true
	}
	return doc.Content[0], true
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func yamlErrorLine(msg string) (int, string) {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n, m[2]
		}
	}
	return 1, msg
}

func nonEmpty(n *yaml.Node) string {
	if n.Value == "" {
		return "must not be empty"
	}
	return ""
}

func between(lo, hi float64, step float64) func(n *yaml.Node) string {
	return func(n *yaml.Node) string {
		var v float64
		if err := n.Decode(&v); err != nil {
			return "want a number"
		}
		if v < lo || v > hi {
			return fmt.Sprintf("%v is out of range %v–%v", v, lo, hi)
		}
		if step > 0 && math.Abs(v/step-math.Round(v/step)) > 1e-9 {
			return fmt.Sprintf("%v is not a multiple of %v", v, step)
		}
		return ""
	}
}

func oneOf(values ...string) func(n *yaml.Node) string {
	return func(n *yaml.Node) string {
		for _, v := range values {
			if n.Value == v {
				return ""
			}
		}
		return fmt.Sprintf("%q is not one of %v", n.Value, values)
	}
}

// keyLine is the file line of a key in a mapping, or the mapping's own line when absent, so a
// problem found after decoding (an unknown tag, a missing module) still points at its key.
func keyLine(n *yaml.Node, lineOffset int, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return lineOffset + n.Content[i].Line - 1
		}
	}
	return lineOffset + n.Line - 1
}
