package roleplay

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// example is the dialogue of docs/authoring.md (TestAuthoringExample checks the document's
// own copy still parses).
const example = `== start
顾客：我家刚铺好的砖一块深一块浅，你们是不是拿次品糊弄人？
* [3] 您先别着急，麻烦您说说是哪个房间、哪几块，我马上登记。 -> facts
  反馈：先接住情绪、再了解事实，是受理投诉的第一步。
* [0] 瓷砖都有色差，这很正常。 -> angry
  反馈：一开口就下结论，顾客只会觉得你在推卸责任。
== facts
顾客：客厅，靠窗那一片特别明显。
* [3] 我今天就安排技术人员上门，用色差仪测一下，两小时内联系您确认时间。 -> end-good
  反馈：给出具体的时间点，顾客才安心。
* [1] 我回去问问领导再说。 -> end-weak
  反馈：没有时间承诺，顾客会觉得被敷衍。
== angry
顾客：正常？我花了几万块钱就买个正常？叫你们经理来！
结局：顾客情绪失控，投诉升级。
== end-good
顾客：行，那我等你们电话。
结局：顾客同意上门检测，投诉进入处理流程。
== end-weak
顾客：那你快点。
结局：顾客勉强接受，但对门店的信任下降。
`

// small is a minimal valid dialogue that the error cases below change one line at a time.
//
//	1 == start
//	2 顾客：你好。
//	3 * [3] 好的 -> good
//	4   反馈：对。
//	5 * [0] 不行 -> bad
//	6 == good
//	7 结局：好结局。
//	8 == bad
//	9 结局：坏结局。
var small = []string{
	"== start",
	"顾客：你好。",
	"* [3] 好的 -> good",
	"  反馈：对。",
	"* [0] 不行 -> bad",
	"== good",
	"结局：好结局。",
	"== bad",
	"结局：坏结局。",
}

// edit returns small with line n (1-based) replaced by the given lines (none deletes it).
func edit(n int, with ...string) string {
	lines := append([]string{}, small[:n-1]...)
	lines = append(lines, with...)
	lines = append(lines, small[n:]...)
	return strings.Join(lines, "\n")
}

// appended returns small followed by more lines.
func appended(more ...string) string {
	return strings.Join(append(append([]string{}, small...), more...), "\n")
}

func mustParse(t *testing.T, src string) *Dialogue {
	t.Helper()
	d, errs := ParseDialogue(src)
	if errs != nil {
		t.Fatalf("ParseDialogue() errors: %v", errs)
	}
	return d
}

func TestAuthoringExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/authoring.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```dialogue\n")
	if !ok {
		t.Fatal("docs/authoring.md has no dialogue block")
	}
	block, _, _ := strings.Cut(rest, "```")
	d := mustParse(t, block)
	if d.Start != "start" || len(d.Nodes) != 5 {
		t.Errorf("start %q with %d nodes, want start with 5", d.Start, len(d.Nodes))
	}
}

func TestParseDialogueExample(t *testing.T) {
	d := mustParse(t, example)
	if d.Start != "start" {
		t.Errorf("Start = %q, want start", d.Start)
	}
	var ids []string
	for _, n := range d.Nodes {
		ids = append(ids, n.ID)
	}
	if want := []string{"start", "facts", "angry", "end-good", "end-weak"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("node ids = %v, want %v", ids, want)
	}
	start, _ := d.Node("start")
	want := Node{
		ID:       "start",
		Line:     1,
		Customer: []string{"我家刚铺好的砖一块深一块浅，你们是不是拿次品糊弄人？"},
		Choices: []Choice{
			{Points: 3, Text: "您先别着急，麻烦您说说是哪个房间、哪几块，我马上登记。", Target: "facts", Feedback: "先接住情绪、再了解事实，是受理投诉的第一步。", Line: 3},
			{Points: 0, Text: "瓷砖都有色差，这很正常。", Target: "angry", Feedback: "一开口就下结论，顾客只会觉得你在推卸责任。", Line: 5},
		},
	}
	if !reflect.DeepEqual(start, want) {
		t.Errorf("start node =\n  %+v\nwant\n  %+v", start, want)
	}
	angry, ok := d.Node("angry")
	if !ok || !angry.Ending() || angry.Outcome != "顾客情绪失控，投诉升级。" || angry.Line != 13 {
		t.Errorf("angry = %+v, %v; want an ending at line 13 with its outcome", angry, ok)
	}
	if _, ok := d.Node("nowhere"); ok {
		t.Error(`Node("nowhere") found a node`)
	}
}

func TestParseDialogueAccepts(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, d *Dialogue)
	}{
		{"ASCII colons", strings.NewReplacer("：", ":").Replace(strings.Join(small, "\n")), func(t *testing.T, d *Dialogue) {
			n, _ := d.Node("start")
			if n.Customer[0] != "你好。" || n.Choices[0].Feedback != "对。" {
				t.Errorf("start = %+v", n)
			}
		}},
		{"CRLF, blank lines and trailing spaces", strings.ReplaceAll(strings.Join(small, "  \n\n"), "\n", "\r\n"), func(t *testing.T, d *Dialogue) {
			n, _ := d.Node("good")
			if n.Outcome != "好结局。" || n.Line != 11 {
				t.Errorf("good = %+v, want outcome 好结局。 at line 11", n)
			}
		}},
		{"several feedback lines, tab and full-width-space indents", edit(4, "\t反馈：对。", "\u3000反馈：再想想。"), func(t *testing.T, d *Dialogue) {
			n, _ := d.Node("start")
			if n.Choices[0].Feedback != "对。\n再想想。" {
				t.Errorf("feedback = %q", n.Choices[0].Feedback)
			}
		}},
		{"choice without feedback", edit(4), nil},
		{"several customer lines", edit(2, "顾客：你好。", "顾客：我要投诉。"), func(t *testing.T, d *Dialogue) {
			if n, _ := d.Node("start"); len(n.Customer) != 2 {
				t.Errorf("customer = %q", n.Customer)
			}
		}},
		{"four choices, two to the same node", edit(5, "* [0] 不行 -> bad", "* [10] 好好好 -> good", "* [1] 嗯 -> bad"), func(t *testing.T, d *Dialogue) {
			if n, _ := d.Node("start"); len(n.Choices) != 4 || n.Choices[2].Points != 10 {
				t.Errorf("choices = %+v", n.Choices)
			}
		}},
		{"ending without customer line", strings.Join(small, "\n"), func(t *testing.T, d *Dialogue) {
			if n, _ := d.Node("bad"); len(n.Customer) != 0 || n.Outcome != "坏结局。" {
				t.Errorf("bad = %+v", n)
			}
		}},
		{"arrow inside the reply", edit(3, "* [3] 先 -> 后 -> good"), func(t *testing.T, d *Dialogue) {
			if n, _ := d.Node("start"); n.Choices[0].Text != "先 -> 后" {
				t.Errorf("reply = %q", n.Choices[0].Text)
			}
		}},
		{"two paths into one node", "== start\n顾客：甲\n* [1] a -> x\n* [2] b -> y\n== x\n顾客：乙\n* [1] c -> end\n* [0] d -> y\n== y\n顾客：丙\n* [1] e -> end\n* [0] f -> end\n== end\n结局：完", func(t *testing.T, d *Dialogue) {
			if got := d.MaxPoints(); got != 3 {
				t.Errorf("MaxPoints() = %d, want 3", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			if tt.check != nil {
				tt.check(t, d)
			}
		})
	}
}

func TestParseDialogueErrors(t *testing.T) {
	type want struct {
		line int
		msg  string // a part of the message
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"empty block", "", []want{{0, "no nodes"}}},
		{"blank lines only", "\n  \n\n", []want{{0, "no nodes"}}},
		{"line before the first node", "顾客：你好。\n" + strings.Join(small, "\n"), []want{{1, "before the first node"}}},
		{"node without id", edit(6, "=="), []want{{3, `target "good" does not exist`}, {6, "node has no id"}}},
		{"bad node id", edit(8, "== Bad"), []want{{5, `target "bad" does not exist`}, {8, `node id "Bad" may use only`}}},
		{"duplicate node id", edit(8, "== good"), []want{{5, `target "bad" does not exist`}, {8, `node id "good" is already used at line 6`}}},
		{"one choice", edit(5), []want{{1, `node "start" has 1 choice`}, {7, `node "bad" cannot be reached from "start"`}}},
		{"five choices", edit(5, "* [0] 不行 -> bad", "* [1] 1 -> bad", "* [2] 2 -> good", "* [3] 3 -> good"), []want{{1, `node "start" has 5 choices`}}},
		{"points above 10", edit(3, "* [11] 好的 -> good"), []want{{3, `points "11"`}}},
		{"negative points", edit(3, "* [-1] 好的 -> good"), []want{{3, `points "-1"`}}},
		{"fractional points", edit(3, "* [2.5] 好的 -> good"), []want{{3, `points "2.5"`}}},
		{"full-width digits", edit(3, "* [３] 好的 -> good"), []want{{3, `points "３"`}}},
		{"no points", edit(3, "* [] 好的 -> good"), []want{{3, `points ""`}}},
		{"no brackets", edit(3, "* 3 好的 -> good"), []want{{3, "choice must look like"}, {6, `node "good" cannot be reached`}}},
		{"no arrow", edit(3, "* [3] 好的 good"), []want{{3, "choice has no target"}, {6, `node "good" cannot be reached`}}},
		{"full-width arrow", edit(3, "* [3] 好的 → good"), []want{{3, "choice has no target"}, {6, `node "good" cannot be reached`}}},
		{"no reply", edit(3, "* [3] -> good"), []want{{3, "no reply text"}}},
		{"no target after arrow", edit(3, "* [3] 好的 ->"), []want{{3, `no target after "->"`}, {6, `node "good" cannot be reached`}}},
		{"target is not an id", edit(3, "* [3] 好的 -> Good"), []want{{3, `target "Good" is not a node id`}, {6, `node "good" cannot be reached`}}},
		{"target does not exist", edit(3, "* [3] 好的 -> great"), []want{{3, `target "great" does not exist`}, {6, `node "good" cannot be reached`}}},
		{"unreachable node", appended("== orphan", "结局：没人来。"), []want{{10, `node "orphan" cannot be reached from "start"`}}},
		{"loop back to the start", edit(7, "顾客：再来一次？", "* [1] 好 -> start", "* [0] 不 -> bad"), []want{{8, `making a loop: start -> good -> start`}}},
		{"node leading to itself", edit(7, "顾客：嗯？", "* [1] 再说一遍 -> good", "* [0] 算了 -> bad"), []want{{8, "making a loop: good -> good"}}},
		{"loop among unreachable nodes", appended("== x", "顾客：甲", "* [1] a -> y", "* [1] b -> y", "== y", "顾客：乙", "* [1] c -> x", "* [1] d -> x"), []want{
			{10, `node "x" cannot be reached`}, {14, `node "y" cannot be reached`}, {16, "making a loop: x -> y -> x"}, {17, "making a loop: x -> y -> x"},
		}},
		{"ending without 结局", edit(7, "顾客：好吧。"), []want{{6, `node "good" has no choices and no 结局 line`}}},
		{"two 结局 lines", edit(7, "结局：好结局。", "结局：又一个结局。"), []want{{8, "second 结局 line"}}},
		{"结局 in a choice node", edit(2, "顾客：你好。", "结局：已经结束？"), []want{{3, `结局 line in node "start", which has choices`}}},
		{"choice node without 顾客", edit(2), []want{{1, `node "start" has choices but no 顾客 line`}}},
		{"顾客 after a choice", edit(5, "* [0] 不行 -> bad", "顾客：还有吗？"), []want{{6, "顾客 line after a choice"}}},
		{"顾客 after 结局", edit(7, "结局：好结局。", "顾客：谢谢。"), []want{{8, "顾客 line after 结局"}}},
		{"反馈 before any choice", edit(2, "顾客：你好。", "  反馈：太早了。"), []want{{3, "反馈 line is not under a choice"}}},
		{"反馈 in an ending", edit(7, "结局：好结局。", "  反馈：不该在这。"), []want{{8, "反馈 line is not under a choice"}}},
		{"反馈 not indented", edit(4, "反馈：对。"), []want{{4, "indent the 反馈 line"}}},
		{"indented 顾客", edit(2, "  顾客：你好。"), []want{{1, `node "start" has choices but no 顾客 line`}, {2, "only 反馈 lines are indented"}}},
		{"unrecognised line", edit(2, "顾客：你好。", "旁白：店里很安静。"), []want{{3, "unrecognised line"}}},
		{"marker without colon", edit(2, "顾客说：你好。"), []want{{1, "no 顾客 line"}, {2, "unrecognised line"}}},
		{"markdown fence inside", appended("```"), []want{{10, "unrecognised line"}}},
		{"empty 顾客", edit(2, "顾客：你好。", "顾客："), []want{{3, "顾客 line is empty"}}},
		{"empty 反馈", edit(4, "  反馈： "), []want{{4, "反馈 line is empty"}}},
		{"empty 结局", edit(7, "结局："), []want{{6, "no 结局 line"}, {7, "结局 line is empty"}}},
		{"invalid UTF-8", edit(2, "顾客：你好。", "顾客：\xff\xfe"), []want{{3, "not valid UTF-8"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, errs := ParseDialogue(tt.src)
			if d != nil {
				t.Errorf("ParseDialogue() returned a dialogue along with errors")
			}
			ok := len(errs) == len(tt.want)
			for i := 0; ok && i < len(errs); i++ {
				ok = errs[i].Line == tt.want[i].line && strings.Contains(errs[i].Message, tt.want[i].msg)
			}
			if !ok {
				t.Errorf("errors =\n  %v\nwant\n  %v", errs, tt.want)
			}
		})
	}
}

func TestPlay(t *testing.T) {
	d := mustParse(t, example)
	tests := []struct {
		name       string
		path       []int
		node       string
		points     int
		ended      bool
		transcript []Turn
	}{
		{"nothing chosen yet", nil, "start", 0, false, []Turn{
			{TurnCustomer, "我家刚铺好的砖一块深一块浅，你们是不是拿次品糊弄人？", 0},
		}},
		{"one good reply", []int{0}, "facts", 3, false, []Turn{
			{TurnCustomer, "我家刚铺好的砖一块深一块浅，你们是不是拿次品糊弄人？", 0},
			{TurnReply, "您先别着急，麻烦您说说是哪个房间、哪几块，我马上登记。", 3},
			{TurnFeedback, "先接住情绪、再了解事实，是受理投诉的第一步。", 0},
			{TurnCustomer, "客厅，靠窗那一片特别明显。", 0},
		}},
		{"best path", []int{0, 0}, "end-good", 6, true, nil},
		{"weak ending", []int{0, 1}, "end-weak", 4, true, nil},
		{"straight to anger", []int{1}, "angry", 0, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := d.Play(tt.path)
			if err != nil {
				t.Fatalf("Play(%v) error = %v", tt.path, err)
			}
			if p.Node.ID != tt.node || p.Points != tt.points || p.Ended != tt.ended {
				t.Errorf("Play(%v) at %q with %d points, ended %v; want %q, %d, %v", tt.path, p.Node.ID, p.Points, p.Ended, tt.node, tt.points, tt.ended)
			}
			if tt.transcript != nil && !reflect.DeepEqual(p.Transcript, tt.transcript) {
				t.Errorf("transcript =\n  %v\nwant\n  %v", p.Transcript, tt.transcript)
			}
		})
	}
	end, _ := d.Play([]int{0, 0})
	if end.Node.Outcome != "顾客同意上门检测，投诉进入处理流程。" || len(end.Transcript) != 7 {
		t.Errorf("end-good playthrough = %+v", end)
	}
}

func TestPlayInvalid(t *testing.T) {
	d := mustParse(t, example)
	tests := []struct {
		name string
		path []int
		msg  string
	}{
		{"index past the choices", []int{2}, `step 1: node "start" has no choice 2`},
		{"negative index", []int{-1}, "has no choice -1"},
		{"second step out of range", []int{0, 5}, `step 2: node "facts" has no choice 5`},
		{"choosing after an ending", []int{1, 0}, `step 2: the dialogue already ended at "angry"`},
		{"choosing long after an ending", []int{0, 0, 0, 0}, "step 3: the dialogue already ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := d.Play(tt.path)
			if !errors.Is(err, ErrPath) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Play(%v) error = %v, want ErrPath with %q", tt.path, err, tt.msg)
			}
			if !reflect.DeepEqual(p, Playthrough{}) {
				t.Errorf("Play(%v) returned %+v with its error", tt.path, p)
			}
		})
	}
	var nilDialogue *Dialogue
	if _, err := nilDialogue.Play(nil); !errors.Is(err, ErrPath) {
		t.Errorf("nil dialogue: Play error = %v, want ErrPath", err)
	}
}

func TestMaxPoints(t *testing.T) {
	// The greedy first step (5) is not the best path: 1 + 10 is.
	notGreedy := `== start
顾客：选吧。
* [5] 大 -> end-a
* [1] 小 -> more
== more
顾客：还有。
* [10] 好 -> end-b
* [0] 差 -> end-a
== end-a
结局：甲。
== end-b
结局：乙。`
	tests := []struct {
		name string
		d    *Dialogue
		want int
	}{
		{"authoring example", mustParse(t, example), 6},
		{"best path is not greedy", mustParse(t, notGreedy), 11},
		{"all zero", mustParse(t, strings.NewReplacer("[3]", "[0]").Replace(strings.Join(small, "\n"))), 0},
		{"nil dialogue", nil, 0},
		{"hand-built with a loop", &Dialogue{Start: "a", Nodes: []Node{
			{ID: "a", Choices: []Choice{{Points: 2, Target: "b"}, {Points: 1, Target: "end"}}},
			{ID: "b", Choices: []Choice{{Points: 3, Target: "a"}, {Points: 1, Target: "end"}}},
			{ID: "end", Outcome: "完"},
		}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.MaxPoints(); got != tt.want {
				t.Errorf("MaxPoints() = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestHandBuiltDialogue(t *testing.T) {
	// A Dialogue built without the parser has no index; Node and Play still work.
	d := &Dialogue{Start: "a", Nodes: []Node{
		{ID: "a", Customer: []string{"嗨"}, Choices: []Choice{{Points: 2, Text: "你好", Target: "end"}, {Target: "end"}}},
		{ID: "end", Outcome: "完"},
	}}
	p, err := d.Play([]int{0})
	if err != nil || !p.Ended || p.Points != 2 || p.Node.Outcome != "完" {
		t.Errorf("Play = %+v, %v", p, err)
	}
	broken := &Dialogue{Start: "missing"}
	if _, err := broken.Play(nil); !errors.Is(err, ErrPath) {
		t.Errorf("missing start: Play error = %v, want ErrPath", err)
	}
}

func FuzzParseDialogue(f *testing.F) {
	f.Add(example, []byte{0, 1})
	f.Add(strings.Join(small, "\n"), []byte{1})
	f.Add(edit(7, "顾客：再来一次？", "* [1] 好 -> start", "* [0] 不 -> bad"), []byte{})
	f.Add("== a\n顾客:x\n* [1] y -> b\n* [2] z -> b\n== b\n结局:end", []byte{7})
	f.Add("==\n*[\n  反馈：\n结局：\xff", []byte{})
	f.Fuzz(func(t *testing.T, src string, seed []byte) {
		d, errs := ParseDialogue(src)
		if (d == nil) == (errs == nil) {
			t.Fatalf("want exactly one of dialogue and errors, got %v and %v", d, errs)
		}
		lines := strings.Count(src, "\n") + 1
		for _, e := range errs {
			if e.Line < 0 || e.Line > lines {
				t.Fatalf("error at line %d of %d: %v", e.Line, lines, e)
			}
		}
		if d == nil {
			return
		}
		// Walk a valid path chosen by seed; without loops it ends within len(Nodes) steps.
		var path []int
		n, ok := d.Node(d.Start)
		for steps := 0; ok && !n.Ending(); steps++ {
			if steps > len(d.Nodes) {
				t.Fatalf("path %v has not ended after %d steps: a loop got through", path, steps)
			}
			i := 0
			if len(seed) > 0 {
				i = int(seed[steps%len(seed)]) % len(n.Choices)
			}
			path = append(path, i)
			n, ok = d.Node(n.Choices[i].Target)
		}
		if !ok {
			t.Fatalf("path %v leads to a missing node", path)
		}
		p, err := d.Play(path)
		if err != nil || !p.Ended || p.Points > d.MaxPoints() {
			t.Fatalf("Play(%v) = %+v, %v (max %d)", path, p, err, d.MaxPoints())
		}
		if _, err := d.Play(append(path, 0)); !errors.Is(err, ErrPath) {
			t.Fatalf("a choice after the ending: error = %v, want ErrPath", err)
		}
	})
}
