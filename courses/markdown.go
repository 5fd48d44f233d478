package courses

import (
	"bytes"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// newMarkdown is the one Markdown configuration of the platform: GFM and CJK line breaking,
// heading IDs for in-page links, and raw HTML left out (goldmark's renderer omits raw HTML
// and dangerous link schemes unless told to be unsafe, and it never is).
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.CJK),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
}

// markdownDoc is a parsed Markdown body with what is needed to report lines and render parts.
type markdownDoc struct {
	md        goldmark.Markdown
	src       []byte
	root      ast.Node
	file      string
	firstLine int   // file line of src's first byte
	starts    []int // byte offset of each line start in src
}

func parseMarkdown(md goldmark.Markdown, file string, src []byte, firstLine int) *markdownDoc {
	d := &markdownDoc{md: md, src: src, file: file, firstLine: firstLine, starts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			d.starts = append(d.starts, i+1)
		}
	}
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]bool{}}))
	d.root = md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	return d
}

// headingIDs makes heading IDs that keep Chinese characters, so that `#要点` links work and IDs
// read like their headings; goldmark's default keeps only ASCII.
type headingIDs struct{ seen map[string]bool }

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(string(value)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.TrimSuffix(b.String(), "-")
	if id == "" {
		id = "section"
	}
	unique := id
	for i := 1; h.seen[unique]; i++ {
		unique = id + "-" + strconv.Itoa(i)
	}
	h.seen[unique] = true
	return []byte(unique)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = true }

// lineAt converts a byte offset in the body to a line of the file.
func (d *markdownDoc) lineAt(offset int) int {
	i := sort.Search(len(d.starts), func(i int) bool { return d.starts[i] > offset }) - 1
	return d.firstLine + i
}

// nodeLine finds the file line of a node, walking up to the nearest block with source lines.
func (d *markdownDoc) nodeLine(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return d.lineAt(n.Lines().At(0).Start)
		}
	}
	return d.firstLine
}

// fencedBlock is a fenced code block taken out of the document: its content and the file
// line of its first content line.
type fencedBlock struct {
	content   []byte
	line      int // file line of the first content line
	fenceLine int // file line of the opening fence
}

// takeFenced removes every fenced block with the given info string from the document and
// returns them in order; they are data (a quiz, a dialogue), not part of the lesson's text.
func (d *markdownDoc) takeFenced(info string) []fencedBlock {
	var found []*ast.FencedCodeBlock
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fb, ok := n.(*ast.FencedCodeBlock); ok && entering && strings.TrimSpace(string(fb.Language(d.src))) == info {
			found = append(found, fb)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	blocks := make([]fencedBlock, 0, len(found))
	for _, fb := range found {
		var buf bytes.Buffer
		lines := fb.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			buf.Write(seg.Value(d.src))
		}
		b := fencedBlock{content: buf.Bytes()}
		if fb.Info != nil {
			b.fenceLine = d.lineAt(fb.Info.Segment.Start)
			b.line = b.fenceLine + 1
		}
		if lines.Len() > 0 {
			b.line = d.lineAt(lines.At(0).Start)
			if b.fenceLine == 0 {
				b.fenceLine = b.line - 1
			}
		}
		blocks = append(blocks, b)
		fb.Parent().RemoveChild(fb.Parent(), fb)
	}
	return blocks
}

// rewriteLinks turns relative links to module files into the modules' URLs, and reports links
// to module files that do not exist. dir is the file's folder inside the content FS.
func (d *markdownDoc) rewriteLinks(dir string, moduleURL func(file string) (string, bool), ps *Problems) {
	_ = ast.Walk(d.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		link, ok := n.(*ast.Link)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		dest := string(link.Destination)
		u, err := url.Parse(dest)
		if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(dest, "/") || !strings.HasSuffix(u.Path, ".md") {
			return ast.WalkContinue, nil
		}
		target := path.Clean(path.Join(dir, u.Path))
		to, ok := moduleURL(target)
		if !ok {
			ps.add(d.file, d.nodeLine(link), "link to %q: no module file %s", dest, target)
			return ast.WalkContinue, nil
		}
		if u.Fragment != "" {
			to += "#" + u.Fragment
		}
		link.Destination = []byte(to)
		return ast.WalkContinue, nil
	})
}

// render turns a node tree into HTML.
func (d *markdownDoc) render(root ast.Node) (string, error) {
	var buf bytes.Buffer
	if err := d.md.Renderer().Render(&buf, d.src, root); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// section is a part of a document under one second-level heading.
type section struct {
	title string
	line  int
	root  *ast.Document
}

// splitSections cuts the document at its second-level headings; text before the first one is
// returned under the empty title.
func (d *markdownDoc) splitSections() []section {
	var out []section
	current := section{root: ast.NewDocument(), line: d.firstLine}
	for n := d.root.FirstChild(); n != nil; {
		next := n.NextSibling()
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			if current.title != "" || current.root.ChildCount() > 0 {
				out = append(out, current)
			}
			current = section{title: strings.TrimSpace(string(h.Lines().Value(d.src))), line: d.nodeLine(h), root: ast.NewDocument()}
			d.root.RemoveChild(d.root, n)
			n = next
			continue
		}
		d.root.RemoveChild(d.root, n)
		current.root.AppendChild(current.root, n)
		n = next
	}
	if current.title != "" || current.root.ChildCount() > 0 {
		out = append(out, current)
	}
	return out
}
