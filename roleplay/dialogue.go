package roleplay

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Choice is one reply a trainee can pick at a node: the points it earns (0–10), the reply,
// the node it leads to and the feedback shown after it (several 反馈 lines are joined with
// "\n"). Line is the choice's line in the block, for error messages.
type Choice struct {
	Points   int
	Text     string
	Target   string
	Feedback string
	Line     int
}

// Node is one step of a self-practice dialogue: what the customer says and either the
// replies to choose from or, for an ending, the outcome. Line is the node's "== id" line.
type Node struct {
	ID       string
	Customer []string
	Choices  []Choice
	Outcome  string
	Line     int
}

// Ending reports whether the node ends the dialogue (it has no choices, only an outcome).
func (n Node) Ending() bool { return len(n.Choices) == 0 }

// Dialogue is a parsed, validated self-practice script: a tree-like graph of nodes without
// loops, played from Start. It is read-only after parsing, so one value can serve every
// request at once.
type Dialogue struct {
	Start string
	Nodes []Node

	index map[string]int // node ID -> position in Nodes
}

// LineError is a problem in a dialogue block. Line counts from 1 at the block's first line
// (the line after the opening fence), so the loader adds the fence's file line to it; Line 0
// is about the block as a whole, such as an empty block.
type LineError struct {
	Line    int
	Message string
}

// Error formats the problem with its line, for logs and tests.
func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ParseDialogue parses and validates the body of a fenced dialogue block in the format of
// docs/authoring.md and returns either the dialogue or every problem found, sorted by line
// (never both). Blank lines are ignored; trailing spaces and a trailing \r are ignored; 顾客,
// 反馈 and 结局 may be followed by a full-width "：" or an ASCII ":". Any other line, or a
// known line in the wrong place, is an error. It never panics.
func ParseDialogue(src string) (*Dialogue, []LineError) {
	p := &parser{ids: map[string]int{}}
	for i, raw := range strings.Split(src, "\n") {
		p.line(i+1, raw)
	}
	p.check()
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	d := &Dialogue{Start: p.nodes[0].ID, index: map[string]int{}}
	for i, n := range p.nodes {
		d.Nodes = append(d.Nodes, n.Node)
		d.index[n.ID] = i
	}
	return d, nil
}

// pnode is a node while it is being parsed.
type pnode struct {
	Node
	bad         bool // the header is wrong; graph checks leave the node alone
	outcomeLine int
}

type parser struct {
	nodes []*pnode
	ids   map[string]int // valid, first-seen node ID -> index in nodes
	errs  []LineError
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, LineError{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) current(line int) *pnode {
	if len(p.nodes) == 0 {
		p.errorf(line, "line before the first node: start the block with \"== id\"")
		return nil
	}
	return p.nodes[len(p.nodes)-1]
}

// line classifies one line of the block and files it under the current node.
func (p *parser) line(n int, raw string) {
	s := strings.TrimRightFunc(raw, unicode.IsSpace)
	if s == "" {
		return
	}
	if !utf8.ValidString(s) {
		p.errorf(n, "line is not valid UTF-8")
		return
	}
	body := strings.TrimLeftFunc(s, unicode.IsSpace)
	if len(body) < len(s) { // indented: only feedback under a choice may be
		if text, ok := marked(body, "反馈"); ok {
			p.feedback(n, text)
		} else {
			p.errorf(n, "only 反馈 lines are indented (under their choice)")
		}
		return
	}
	if rest, ok := strings.CutPrefix(s, "=="); ok {
		p.header(n, rest)
		return
	}
	if rest, ok := strings.CutPrefix(s, "*"); ok {
		p.choice(n, rest)
		return
	}
	if text, ok := marked(s, "顾客"); ok {
		p.customer(n, text)
		return
	}
	if text, ok := marked(s, "结局"); ok {
		p.outcome(n, text)
		return
	}
	if _, ok := marked(s, "反馈"); ok {
		p.errorf(n, "indent the 反馈 line under its choice")
		return
	}
	p.errorf(n, "unrecognised line: want \"== id\", \"顾客：\", \"* [points] reply -> target\", an indented \"反馈：\" or \"结局：\"")
}

// marked cuts a "顾客：" style prefix (full-width or ASCII colon) and returns the trimmed text.
func marked(s, word string) (string, bool) {
	rest, ok := strings.CutPrefix(s, word)
	if !ok {
		return "", false
	}
	if r, ok := strings.CutPrefix(rest, "："); ok {
		return strings.TrimSpace(r), true
	}
	if r, ok := strings.CutPrefix(rest, ":"); ok {
		return strings.TrimSpace(r), true
	}
	return "", false
}

func (p *parser) header(n int, rest string) {
	id := strings.TrimSpace(rest)
	node := &pnode{Node: Node{ID: id, Line: n}}
	switch first, dup := p.ids[id]; {
	case id == "":
		p.errorf(n, "node has no id: write \"== id\"")
		node.bad = true
	case !validID(id):
		p.errorf(n, "node id %q may use only a-z, 0-9 and -", id)
		node.bad = true
	case dup:
		p.errorf(n, "node id %q is already used at line %d", id, p.nodes[first].Line)
		node.bad = true
	default:
		p.ids[id] = len(p.nodes)
	}
	p.nodes = append(p.nodes, node)
}

func (p *parser) customer(n int, text string) {
	cur := p.current(n)
	switch {
	case cur == nil:
	case text == "":
		p.errorf(n, "顾客 line is empty")
	case len(cur.Choices) > 0:
		p.errorf(n, "顾客 line after a choice: the customer speaks before the choices")
	case cur.outcomeLine > 0:
		p.errorf(n, "顾客 line after 结局: the 结局 line ends the node")
	default:
		cur.Customer = append(cur.Customer, text)
	}
}

func (p *parser) outcome(n int, text string) {
	cur := p.current(n)
	switch {
	case cur == nil:
	case text == "":
		p.errorf(n, "结局 line is empty")
	case cur.outcomeLine > 0:
		p.errorf(n, "second 结局 line in node %q (the first is at line %d)", cur.ID, cur.outcomeLine)
	default:
		cur.Outcome, cur.outcomeLine = text, n
	}
}

func (p *parser) feedback(n int, text string) {
	cur := p.current(n)
	switch {
	case cur == nil:
	case text == "":
		p.errorf(n, "反馈 line is empty")
	case len(cur.Choices) == 0:
		p.errorf(n, "反馈 line is not under a choice")
	default:
		c := &cur.Choices[len(cur.Choices)-1]
		if c.Feedback != "" {
			c.Feedback += "\n"
		}
		c.Feedback += text
	}
}

func (p *parser) choice(n int, rest string) {
	if cur := p.current(n); cur != nil {
		// A malformed choice is still added, so the node's choice count stays right.
		cur.Choices = append(cur.Choices, p.parseChoice(n, rest))
	}
}

// parseChoice parses "[points] reply -> target" (the text after "*") and reports what is
// wrong with it.
func (p *parser) parseChoice(n int, rest string) Choice {
	c := Choice{Line: n}
	rest = strings.TrimSpace(rest)
	end := strings.IndexByte(rest, ']')
	if !strings.HasPrefix(rest, "[") || end < 0 {
		p.errorf(n, "choice must look like \"* [points] reply -> target\"")
		return c
	}
	points, ok := parsePoints(strings.TrimSpace(rest[1:end]))
	if !ok {
		p.errorf(n, "points %q: want a whole number from 0 to 10", rest[1:end])
	}
	c.Points = points
	body := rest[end+1:]
	arrow := strings.LastIndex(body, "->")
	if arrow < 0 {
		p.errorf(n, "choice has no target: end it with \"-> node-id\"")
		c.Text = strings.TrimSpace(body)
		return c
	}
	c.Text = strings.TrimSpace(body[:arrow])
	c.Target = strings.TrimSpace(body[arrow+2:])
	if c.Text == "" {
		p.errorf(n, "choice has no reply text")
	}
	switch {
	case c.Target == "":
		p.errorf(n, "choice has no target after \"->\"")
	case !validID(c.Target):
		p.errorf(n, "target %q is not a node id (a-z, 0-9 and -)", c.Target)
	}
	return c
}

// parsePoints accepts "0" to "10" written with ASCII digits only.
func parsePoints(s string) (int, bool) {
	if s == "" || len(s) > 2 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, v <= 10
}

// check applies the rules about whole nodes and the graph once every line is read.
func (p *parser) check() {
	if len(p.nodes) == 0 {
		p.errorf(0, "dialogue has no nodes: start with \"== id\"")
		return
	}
	for _, nd := range p.nodes {
		switch k := len(nd.Choices); {
		case k == 0 && nd.outcomeLine == 0:
			p.errorf(nd.Line, "node %q has no choices and no 结局 line: an ending needs one 结局 line", nd.ID)
		case k == 1:
			p.errorf(nd.Line, "node %q has 1 choice, want 2 to 4 (or none for an ending)", nd.ID)
		case k > 4:
			p.errorf(nd.Line, "node %q has %d choices, want 2 to 4", nd.ID, k)
		}
		if len(nd.Choices) > 0 {
			if len(nd.Customer) == 0 {
				p.errorf(nd.Line, "node %q has choices but no 顾客 line", nd.ID)
			}
			if nd.outcomeLine > 0 {
				p.errorf(nd.outcomeLine, "结局 line in node %q, which has choices: only an ending has one", nd.ID)
			}
		}
		for _, c := range nd.Choices {
			if _, ok := p.ids[c.Target]; validID(c.Target) && !ok {
				p.errorf(c.Line, "target %q does not exist", c.Target)
			}
		}
	}
	p.checkReachable()
	p.checkLoops()
}

// checkReachable reports every well-named node that cannot be reached from the first node.
func (p *parser) checkReachable() {
	if p.nodes[0].bad {
		return // the start itself is broken; its error says enough
	}
	seen := make([]bool, len(p.nodes))
	seen[0] = true
	queue := []int{0}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, c := range p.nodes[i].Choices {
			if j, ok := p.ids[c.Target]; ok && !seen[j] {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	for i, nd := range p.nodes {
		if !seen[i] && !nd.bad {
			p.errorf(nd.Line, "node %q cannot be reached from %q", nd.ID, p.nodes[0].ID)
		}
	}
}

// checkLoops reports each choice that leads back to a node on the current path, at the
// choice's line, with the loop spelled out.
func (p *parser) checkLoops() {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(p.nodes))
	var path []int
	var visit func(i int)
	visit = func(i int) {
		state[i] = onPath
		path = append(path, i)
		for _, c := range p.nodes[i].Choices {
			j, ok := p.ids[c.Target]
			if !ok {
				continue
			}
			switch state[j] {
			case unseen:
				visit(j)
			case onPath:
				var ids []string
				for k := slices.Index(path, j); k < len(path); k++ {
					ids = append(ids, p.nodes[path[k]].ID)
				}
				ids = append(ids, p.nodes[j].ID)
				p.errorf(c.Line, "choice leads back to %q, making a loop: %s", p.nodes[j].ID, strings.Join(ids, " -> "))
			}
		}
		path = path[:len(path)-1]
		state[i] = done
	}
	for i, nd := range p.nodes {
		if state[i] == unseen && !nd.bad {
			visit(i)
		}
	}
}

// Node returns the node with the given id. The returned node shares its slices with the
// dialogue, which callers treat as read-only.
func (d *Dialogue) Node(id string) (Node, bool) {
	if d == nil {
		return Node{}, false
	}
	if i, ok := d.index[id]; ok && i < len(d.Nodes) && d.Nodes[i].ID == id {
		return d.Nodes[i], true
	}
	for _, n := range d.Nodes { // a Dialogue built by hand has no index
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// MaxPoints is the total of the best path from the start to an ending, the "out of" a
// self-practice result is shown against.
func (d *Dialogue) MaxPoints() int {
	if d == nil {
		return 0
	}
	memo := map[string]int{}
	onPath := map[string]bool{} // guards hand-built dialogues with loops
	var best func(id string) int
	best = func(id string) int {
		if v, ok := memo[id]; ok {
			return v
		}
		n, ok := d.Node(id)
		if !ok || onPath[id] {
			return 0
		}
		onPath[id] = true
		m := 0
		for i, c := range n.Choices {
			if v := c.Points + best(c.Target); i == 0 || v > m {
				m = v
			}
		}
		onPath[id] = false
		memo[id] = m
		return m
	}
	return best(d.Start)
}

// ErrPath means a replayed path is not a valid playthrough of the dialogue: a choice index
// out of range, or a choice after an ending. The web layer answers it as bad input.
var ErrPath = errors.New("invalid dialogue path")

// TurnKind says who speaks in a transcript turn, so a view can style it.
type TurnKind string

// The kinds of transcript turn.
const (
	TurnCustomer TurnKind = "customer" // a 顾客 line
	TurnReply    TurnKind = "reply"    // the reply the trainee chose
	TurnFeedback TurnKind = "feedback" // the chosen reply's feedback
)

// Turn is one line of a playthrough's transcript. Points is what a reply earned (0 for the
// other kinds).
type Turn struct {
	Kind   TurnKind
	Text   string
	Points int
}

// Playthrough is where a player stands after a path of choices: the current node, the points
// earned so far, the transcript so far (customer lines, chosen replies and their feedback)
// and whether the current node is an ending (its Outcome is then Node.Outcome).
type Playthrough struct {
	Node       Node
	Points     int
	Transcript []Turn
	Ended      bool
}

// Play replays a path of choice indexes (0-based, one per node passed) from the start and
// returns where it leads. The server stores the path and replays it on every request rather
// than trusting a total sent by the client; an index out of range or a choice after an
// ending is an error wrapping ErrPath. Play does no more steps than the path has, so it
// always ends.
func (d *Dialogue) Play(path []int) (Playthrough, error) {
	if d == nil {
		return Playthrough{}, fmt.Errorf("%w: no dialogue", ErrPath)
	}
	n, ok := d.Node(d.Start)
	if !ok {
		return Playthrough{}, fmt.Errorf("%w: start node %q does not exist", ErrPath, d.Start)
	}
	var p Playthrough
	p.hear(n)
	for step, i := range path {
		if n.Ending() {
			return Playthrough{}, fmt.Errorf("%w: step %d: the dialogue already ended at %q", ErrPath, step+1, n.ID)
		}
		if i < 0 || i >= len(n.Choices) {
			return Playthrough{}, fmt.Errorf("%w: step %d: node %q has no choice %d (it has %d)", ErrPath, step+1, n.ID, i, len(n.Choices))
		}
		c := n.Choices[i]
		p.Points += c.Points
		p.Transcript = append(p.Transcript, Turn{Kind: TurnReply, Text: c.Text, Points: c.Points})
		if c.Feedback != "" {
			p.Transcript = append(p.Transcript, Turn{Kind: TurnFeedback, Text: c.Feedback})
		}
		if n, ok = d.Node(c.Target); !ok {
			return Playthrough{}, fmt.Errorf("%w: step %d: target %q does not exist", ErrPath, step+1, c.Target)
		}
		p.hear(n)
	}
	p.Node = n
	p.Ended = n.Ending()
	return p, nil
}

func (p *Playthrough) hear(n Node) {
	for _, line := range n.Customer {
		p.Transcript = append(p.Transcript, Turn{Kind: TurnCustomer, Text: line})
	}
}
