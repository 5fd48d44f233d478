package quiz

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAiken(t *testing.T) {
	src := "顾客退货时首先应当：\r\nA) 核对小票\r\nB. 直接退款\r\nC)拒绝\r\nANSWER: A\r\n\r\nIs 1 < 2 & 3 > 2?\nA) Yes\nB) No\nANSWER: A\n"
	qs, errs := ParseAiken([]byte(src))
	if len(errs) != 0 || len(qs) != 2 {
		t.Fatalf("got %d questions, errors %v", len(qs), errs)
	}
	want := Question{Type: MultiChoice, Name: "顾客退货时首先应当：", Text: "顾客退货时首先应当：", Format: "html", Line: 1, Single: true,
		Answers: []Answer{{Text: "核对小票", Fraction: 1}, {Text: "直接退款"}, {Text: "拒绝"}}}
	if !reflect.DeepEqual(qs[0], want) {
		t.Errorf("\n got %#v\nwant %#v", qs[0], want)
	}
	if q := qs[1]; q.Text != "Is 1 &lt; 2 &amp; 3 &gt; 2?" || q.Name != "Is 1 < 2 & 3 > 2?" || q.Line != 7 {
		t.Errorf("HTML escaping or line: %#v", q)
	}
}

func TestParseAikenErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"choice before question", "A) x\n", 1, "before any question"},
		{"answer before question", "ANSWER: A\n", 1, "before any question"},
		{"too few choices", "Qu\nA) x\nANSWER: A\n", 3, "at least two choices"},
		{"letter beyond the choices", "Qu\nA) x\nB) y\nANSWER: C\n", 4, "names no choice"},
		{"lower-case letter", "Qu\nA) x\nB) y\nANSWER: a\n", 4, "names no choice"},
		{"no letter", "Qu\nA) x\nB) y\nANSWER:\n", 4, "names no choice"},
		{"unfinished before next question", "Qu\nA) x\nB) y\n\nRe\nA) x\nB) y\nANSWER: B\n", 5, "no ANSWER line"},
		{"unfinished at the end", "Qu\nA) x\nB) y\n", 1, "no ANSWER line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := ParseAiken([]byte(tt.src))
			if len(errs) != 1 || errs[0].Line != tt.line || !strings.Contains(errs[0].Message, tt.msg) {
				t.Errorf("errors = %v, want one at line %d containing %q", errs, tt.line, tt.msg)
			}
		})
	}
}
