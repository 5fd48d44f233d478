package quiz

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// assertRoundTrip writes questions as GIFT, reads them back and requires the
// same questions (Line aside, since the layout changes).
func assertRoundTrip(t *testing.T, first []Question) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteGIFT(&buf, first); err != nil {
		t.Fatalf("WriteGIFT: %v", err)
	}
	second, errs := ParseGIFT(buf.Bytes())
	if len(errs) != 0 {
		t.Fatalf("reading written GIFT: %v\n%s", errs, buf.String())
	}
	if len(second) != len(first) {
		t.Fatalf("round trip gave %d questions, want %d\n%s", len(second), len(first), buf.String())
	}
	for i := range first {
		a, b := first[i], second[i]
		a.Line, b.Line = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("question %d changed in the round trip:\nbefore %#v\nafter  %#v\nGIFT:\n%s", i+1, a, b, buf.String())
		}
	}
}

// chineseBank is a sample bank with every question type in Chinese, used for
// round-trip tests and benchmarks.
const chineseBank = `$CATEGORY: $course$/售后服务/投诉处理

// [id:CP-001] [tag:complaint] [tag:投诉]
::受理第一步:: 顾客到店投诉，第一步应当怎么做？ {
  =立即回应并登记顾客、商品与诉求 # 对：先接住情绪，再记录事实。
  ~先判断责任再决定是否受理 # 不对：先受理、后判断。
  ~请顾客改天再来 # 不对：拖延只会让情绪升级。
  ####受理→记录→判断→答复。
}

// [tag:law]
::无理由退货天数:: 网购商品（无特殊约定）在收货后几日内可以无理由退货？ {#7}

::多选::以下哪些做法正确？{
  ~%50%倾听顾客
  ~%50%记录诉求
  ~%-100%与顾客争吵 # 绝对不行
}

::判断::瓷砖色差属于质量问题。{F#不对：色差在标准范围内不算质量问题。#对。}

::简答::保修卡上“三包”指包修、包换和什么？{=包退 =%50%退* # 差不多}

::配对::把问题与处理方式配对。{
  =色差 -> 现场比对样板
  =破损 -> 拍照登记后换货
  =少件 -> 核对出库单
  = -> 直接拒绝
}

::区间::一件商品的合理检测时间是几天？{#3..7}

::论述::请描述你处理过的一次投诉。{}

::说明::以下题目基于同一个案例：顾客小王购买的地砖……

[markdown]::格式::**注意**：全角符号＝～＃：｛｝只是普通文字。{T}
`

func TestRoundTripChinese(t *testing.T) {
	qs, errs := ParseGIFT([]byte(chineseBank))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(qs) != 11 {
		t.Fatalf("got %d questions, want 11", len(qs))
	}
	assertRoundTrip(t, qs)
}

func TestRoundTripTrickyQuestions(t *testing.T) {
	qs := []Question{
		{Type: TrueFalse, Name: "looks like a format", Text: "[html]not a format", Format: "moodle", Correct: true},
		{Type: MultiChoice, Name: "all right", Text: "Q", Format: "moodle", Single: true,
			Answers: []Answer{{Text: "a", Fraction: 1}, {Text: "b", Fraction: 1}}},
		{Type: MultiChoice, Name: "percent text", Text: "Q", Format: "plain", Single: false,
			Answers: []Answer{{Text: "%50%a", Fraction: 1}, {Text: "%50%b"}, {Text: "[plain]c", Feedback: "[html]x"}}},
		{Type: ShortAnswer, Name: "arrow", Text: "Q", Format: "moodle", Answers: []Answer{{Text: "a->b", Fraction: 1, Feedback: "c->d"}}},
		{Type: Numerical, Name: "star first", Text: "Q", Format: "moodle", Answers: []Answer{
			{Text: "*", Fraction: 0, Feedback: "any"}, {Text: "5", Fraction: 1, Tolerance: 0.25}, {Text: "1e3", Fraction: 0.5}}},
		{Type: Matching, Name: "arrows on the right", Text: "Q", Format: "moodle", Pairs: []Pair{{"a-", ">b"}, {"c", "d -> e"}, {"", "{x}"}}},
		{Type: Essay, Name: "control characters", Text: "a:b#c=d~e{f}g\\h\ni\\nj", Format: "html", GeneralFeedback: "#### not a separator"},
		{Type: TrueFalse, Name: "right feedback only", Text: "Q", Format: "moodle", FeedbackFalse: "right"},
		{Type: Description, Name: "", Text: "", Format: "markdown"},
		{Type: MultiChoice, Name: "thirds", Text: "Q", Format: "moodle", Answers: []Answer{
			{Text: "a", Fraction: 0.3333333}, {Text: "b", Fraction: 0.6666667}, {Text: "c", Fraction: -0.1428571}}},
		{Type: TrueFalse, Name: "tags", Text: "Q", Format: "moodle", ID: "x]y", Tags: []string{"a]", "售后"}},
		// From "// [tag:a] [id:0[tag:0] [tag:b]": the ID's text also reads as a tag.
		{Type: TrueFalse, Name: "id holding a tag", Text: "Q", Format: "moodle", ID: "0[tag:0", Tags: []string{"a", "0", "b"}},
		{Type: TrueFalse, Name: "id ending in a backslash", Text: "Q", Format: "moodle", ID: `x\`, Tags: []string{`y\`}},
	}
	assertRoundTrip(t, qs)
}

func TestWriteGIFTRefusesWhatGIFTCannotSay(t *testing.T) {
	tests := []struct {
		name string
		q    Question
		msg  string
	}{
		{"unknown type", Question{Type: "cloze"}, "unknown question type"},
		{"unknown format", Question{Type: Essay, Format: "rtf"}, "unknown text format"},
		{"weight", Question{Type: ShortAnswer, Answers: []Answer{{Text: "a", Fraction: 0.33}}}, "not one of Moodle's grades"},
		{"arrow on the left", Question{Type: Matching, Pairs: []Pair{{"a->b", "c"}, {"d", "e"}}}, "->"},
		{"not a number", Question{Type: Numerical, Answers: []Answer{{Text: "seven", Fraction: 1}}}, "not a number"},
		{"multi-line category", Question{Type: Category, Category: "a\nb"}, "one line"},
		{"tag with <", Question{Type: Essay, Tags: []string{"<b>"}}, "tag"},
		{"single answer with nothing right", Question{Type: MultiChoice, Single: true, Answers: []Answer{{Text: "a"}, {Text: "b"}}}, "100%"},
		{"arrow in one of several short answers", Question{Type: ShortAnswer, Answers: []Answer{{Text: "a->b", Fraction: 1}, {Text: "c", Fraction: 1}}}, "->"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteGIFT(&buf, []Question{tt.q})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("WriteGIFT error = %v, want one containing %q", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteGIFT wrote %q before failing", buf.String())
			}
		})
	}
}

func TestWriteGIFTLayout(t *testing.T) {
	qs := []Question{
		{Type: Category, Category: "$course$/top"},
		{Type: TrueFalse, Name: "t", Text: "Q", Format: "moodle", Correct: true, FeedbackTrue: "yes", FeedbackFalse: "no", Tags: []string{"x"}},
		{Type: MultiChoice, Name: "m", Text: "Q", Format: "html", Single: true, GeneralFeedback: "gf",
			Answers: []Answer{{Text: "a", Fraction: 1, Feedback: "ok"}, {Text: "b"}, {Text: "c", Fraction: -0.5}}},
	}
	want := "$CATEGORY: $course$/top\n\n" +
		"// [tag:x]\n::t::Q{TRUE#no#yes\n}\n\n" +
		"::m::[html]Q{\n\t=a#ok\n\t~b\n\t~%-50%c\n\t####gf\n}\n\n"
	var buf bytes.Buffer
	if err := WriteGIFT(&buf, qs); err != nil {
		t.Fatal(err)
	}
	if buf.String() != want {
		t.Errorf("WriteGIFT wrote\n%s\nwant\n%s", buf.String(), want)
	}
}

// FuzzParseGIFT checks that no input makes the parser panic, and that
// whatever questions it reads survive a write and a second read unchanged.
func FuzzParseGIFT(f *testing.F) {
	seeds := []string{
		chineseBank,
		"Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}",
		"Grant is {~buried =entombed ~living} in Grant's tomb.",
		"::Q1:: 42 is the Absolute Answer to everything.{\nFALSE#42 is the Ultimate Answer.#You gave the right answer.\n####This is, of course, a Hitchiker's Guide to the Galaxy reference.}\";",
		"::Q5:: What is a number from 1 to 5? {#3:2~#Completely wrong}\";",
		"When was Ulysses S. Grant born? {#\n    =1822:0\n    =%50%1822:2}",
		"Which answer equals 5? {\n     ~ \\= 2 + 2\n     = \\= 2 + 3\n     ~ \\= 2 + 4  }",
		"::Moodle activities::[html]Match the <b>activity</b> to the description.{\n=[html]An activity. -> Forum\n= -> Chat\n=b -> c}",
		"// [id:x] [tag:y]\n$CATEGORY: $course$/top\n\n::d::description",
		"::a::{=%33.33333%a =%-100%*}",
		"::s::Q{a->b}",
		"顾客说：“退货”，应当？{=先受理＝登记＃好 ~推诿～拖延#不对}",
		"::x::Q{#1..3 ~#no}",
		`::e::C:\path\x \\ \n \: {####g\#f}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		first, _ := ParseGIFT(src)
		if len(first) == 0 {
			return
		}
		var buf bytes.Buffer
		if err := WriteGIFT(&buf, first); err != nil {
			// WriteGIFT's contract: write questions that read back the same, or refuse before
			// writing anything. Some values Moodle reads cannot be written back (an ID or tag
			// containing brackets, as from "//[tag:[id:x]"; a lone CR inside a category), and
			// refusing them is correct.
			if buf.Len() != 0 {
				t.Fatalf("WriteGIFT wrote %d bytes before refusing: %v", buf.Len(), err)
			}
			return
		}
		second, errs := ParseGIFT(buf.Bytes())
		if len(errs) != 0 || len(second) != len(first) {
			t.Fatalf("re-reading written GIFT: %d questions (want %d), errors %v\n%s", len(second), len(first), errs, buf.String())
		}
		for i := range first {
			a, b := first[i], second[i]
			a.Line, b.Line = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("question %d changed:\nbefore %#v\nafter  %#v\nGIFT:\n%s", i+1, a, b, buf.String())
			}
		}
	})
}
