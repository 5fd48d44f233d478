package quiz

import (
	"reflect"
	"strings"
	"testing"
)

// parseOne parses src and requires exactly one question and no errors.
func parseOne(t *testing.T, src string) Question {
	t.Helper()
	qs, errs := ParseGIFT([]byte(src))
	if len(errs) != 0 || len(qs) != 1 {
		t.Fatalf("ParseGIFT(%q) = %d questions, errors %v; want 1 question", src, len(qs), errs)
	}
	return qs[0]
}

func TestParseGIFTTypes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Question
	}{
		{
			name: "single-answer multiple choice",
			src:  "Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}",
			want: Question{Type: MultiChoice, Name: "Who's buried in Grant's tomb?", Text: "Who's buried in Grant's tomb?",
				Format: "moodle", Line: 1, Single: true, Answers: []Answer{{Text: "Grant"}, {Text: "Jefferson"}, {Text: "no one", Fraction: 1}}},
		},
		{
			name: "multiple answers with negative weights",
			src:  "::m::Pick two {~%50%a#yes ~%50%b ~%-100%c#no}",
			want: Question{Type: MultiChoice, Name: "m", Text: "Pick two", Format: "moodle", Line: 1,
				Answers: []Answer{{Text: "a", Fraction: 0.5, Feedback: "yes"}, {Text: "b", Fraction: 0.5}, {Text: "c", Fraction: -1, Feedback: "no"}}},
		},
		{
			name: "thirds add up to 100%",
			src:  "::m::Q{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-50%d}",
			want: Question{Type: MultiChoice, Name: "m", Text: "Q", Format: "moodle", Line: 1,
				Answers: []Answer{{Text: "a", Fraction: 0.3333333}, {Text: "b", Fraction: 0.3333333}, {Text: "c", Fraction: 0.3333333}, {Text: "d", Fraction: -0.5}}},
		},
		{
			name: "true",
			src:  "::t::The sun rises in the east.{T}",
			want: Question{Type: TrueFalse, Name: "t", Text: "The sun rises in the east.", Format: "moodle", Line: 1, Correct: true},
		},
		{
			name: "TRUE with feedback: first # is for a wrong answer, second for a right one",
			src:  "::t::Q{TRUE#you said false, wrong#you said true, right}",
			want: Question{Type: TrueFalse, Name: "t", Text: "Q", Format: "moodle", Line: 1, Correct: true,
				FeedbackTrue: "you said true, right", FeedbackFalse: "you said false, wrong"},
		},
		{
			name: "FALSE with feedback",
			src:  "::t::Q{F#you said true, wrong#you said false, right}",
			want: Question{Type: TrueFalse, Name: "t", Text: "Q", Format: "moodle", Line: 1, Correct: false,
				FeedbackTrue: "you said true, wrong", FeedbackFalse: "you said false, right"},
		},
		{
			name: "lower-case true is a short answer, as in Moodle",
			src:  "::s::Q{true}",
			want: Question{Type: ShortAnswer, Name: "s", Text: "Q", Format: "moodle", Line: 1, Answers: []Answer{{Text: "true", Fraction: 1}}},
		},
		{
			name: "short answer with weights and wildcard",
			src:  "::s::Best animal?{=Frog#Good! =%50%Cat =%0%*#Completely wrong}",
			want: Question{Type: ShortAnswer, Name: "s", Text: "Best animal?", Format: "moodle", Line: 1,
				Answers: []Answer{{Text: "Frog", Fraction: 1, Feedback: "Good!"}, {Text: "Cat", Fraction: 0.5}, {Text: "*", Feedback: "Completely wrong"}}},
		},
		{
			name: "matching with a distractor",
			src:  "::m::Match {=Canada -> Ottawa =Italy->Rome = -> Paris}",
			want: Question{Type: Matching, Name: "m", Text: "Match", Format: "moodle", Line: 1,
				Pairs: []Pair{{"Canada", "Ottawa"}, {"Italy", "Rome"}, {"", "Paris"}}},
		},
		{
			name: "numerical exact",
			src:  "::n::Year?{#1822}",
			want: Question{Type: Numerical, Name: "n", Text: "Year?", Format: "moodle", Line: 1, Answers: []Answer{{Text: "1822", Fraction: 1}}},
		},
		{
			name: "numerical with tolerance",
			src:  "::n::Pi?{#3.1415:0.0005}",
			want: Question{Type: Numerical, Name: "n", Text: "Pi?", Format: "moodle", Line: 1, Answers: []Answer{{Text: "3.1415", Fraction: 1, Tolerance: 0.0005}}},
		},
		{
			name: "numerical range is midpoint and half range",
			src:  "::n::Between?{#1..3}",
			want: Question{Type: Numerical, Name: "n", Text: "Between?", Format: "moodle", Line: 1, Answers: []Answer{{Text: "2", Fraction: 1, Tolerance: 1}}},
		},
		{
			name: "numerical weighted alternatives and catch-all",
			src:  "::n::Year?{#\n=1822:0#exact\n=%50%1822:2#close\n~#not even close}",
			want: Question{Type: Numerical, Name: "n", Text: "Year?", Format: "moodle", Line: 1, Answers: []Answer{
				{Text: "1822", Fraction: 1, Feedback: "exact"}, {Text: "1822", Fraction: 0.5, Feedback: "close", Tolerance: 2},
				{Text: "*", Feedback: "not even close"}}},
		},
		{
			name: "numerical explicit star",
			src:  "::n::Q{#=5 =%0%*#anything else}",
			want: Question{Type: Numerical, Name: "n", Text: "Q", Format: "moodle", Line: 1, Answers: []Answer{
				{Text: "5", Fraction: 1}, {Text: "*", Feedback: "anything else"}}},
		},
		{
			name: "essay",
			src:  "::e::Describe your day.{}",
			want: Question{Type: Essay, Name: "e", Text: "Describe your day.", Format: "moodle", Line: 1},
		},
		{
			name: "essay with general feedback",
			src:  "::e::Describe.{####Mention the customer.}",
			want: Question{Type: Essay, Name: "e", Text: "Describe.", Format: "moodle", GeneralFeedback: "Mention the customer.", Line: 1},
		},
		{
			name: "description has no braces",
			src:  "::d::Read the following case carefully.",
			want: Question{Type: Description, Name: "d", Text: "Read the following case carefully.", Format: "moodle", Line: 1},
		},
		{
			name: "missing word",
			src:  "Grant is {~buried =entombed ~living} in Grant's tomb.",
			want: Question{Type: MultiChoice, Name: "Grant is _____ in Grant's tomb.", Text: "Grant is _____ in Grant's tomb.",
				Format: "moodle", Line: 1, Single: true, Answers: []Answer{{Text: "buried"}, {Text: "entombed", Fraction: 1}, {Text: "living"}}},
		},
		{
			name: "formats on text, answers and feedback",
			src:  "::f::[html]<b>Q</b>{=[plain]a#[markdown]*fb* ~b####[moodle]general}",
			want: Question{Type: MultiChoice, Name: "f", Text: "<b>Q</b>", Format: "html", GeneralFeedback: "general", Line: 1, Single: true,
				Answers: []Answer{{Text: "a", Fraction: 1, Feedback: "*fb*"}, {Text: "b"}}},
		},
		{
			name: "unknown format stays in the text",
			src:  "::f::[rtf]Q{T}",
			want: Question{Type: TrueFalse, Name: "f", Text: "[rtf]Q", Format: "moodle", Line: 1, Correct: true},
		},
		{
			name: "general feedback",
			src:  "::g::Q{T####Because.}",
			want: Question{Type: TrueFalse, Name: "g", Text: "Q", Format: "moodle", GeneralFeedback: "Because.", Line: 1, Correct: true},
		},
		{
			name: "id and tags from comments, after a leading comment line",
			src:  "// [id:Q-1] [tag:refund] [tag: 退货 ]\n// [tag:a\\]b]\n::t::Q{T}",
			want: Question{Type: TrueFalse, Name: "t", Text: "Q", Format: "moodle", ID: "Q-1", Tags: []string{"refund", "退货", "a]b"}, Line: 3, Correct: true},
		},
		{
			name: "category",
			src:  "// switch\n$CATEGORY: $course$/售后/退换货",
			want: Question{Type: Category, Category: "$course$/售后/退换货", Line: 2},
		},
		{
			name: "question spread over lines",
			src:  "::n::\nFirst line\nsecond line {\n=a\n~b\n}",
			want: Question{Type: MultiChoice, Name: "n", Text: "First line\nsecond line", Format: "moodle", Line: 1, Single: true,
				Answers: []Answer{{Text: "a", Fraction: 1}, {Text: "b"}}},
		},
		{
			name: "name without closing colons is part of the default name",
			src:  "::no end{T}",
			want: Question{Type: TrueFalse, Name: "no end", Text: "no end", Format: "moodle", Line: 1, Correct: true},
		},
		{
			name: "HTML is stripped from the default name",
			src:  "[html]<p>Hello <b>there</b></p>{T}",
			want: Question{Type: TrueFalse, Name: "Hello there", Text: "<p>Hello <b>there</b></p>", Format: "html", Line: 1, Correct: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseOne(t, tt.src)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseGIFT(%q)\n got %#v\nwant %#v", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseGIFTEscapes(t *testing.T) {
	tests := []struct {
		name, src, text, answer string
	}{
		{"tilde", `::e::a \~ b{T}`, "a ~ b", ""},
		{"equals", `::e::a \= b{T}`, "a = b", ""},
		{"hash", `::e::a \# b{T}`, "a # b", ""},
		{"braces", `::e::a \{x\} b{T}`, "a {x} b", ""},
		{"colon", `::e::a\: b{T}`, "a: b", ""},
		{"backslash", `::e::a \\ b{T}`, `a \ b`, ""},
		{"newline", `::e::a\nb{T}`, "a\nb", ""},
		{"escaped backslash before n", `::e::a\\nb{T}`, `a\nb`, ""},
		{"other backslashes stay", `::e::C:\path\x{T}`, `C:\path\x`, ""},
		{"in an answer", `::e::Q{=\= 2 + 3 ~\~x}`, "Q", "= 2 + 3"},
		{"backslash then control character", `::e::Q{=a\\#fb ~b}`, "Q", `a\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := parseOne(t, tt.src)
			if q.Text != tt.text {
				t.Errorf("text = %q, want %q", q.Text, tt.text)
			}
			if tt.answer != "" && q.Answers[0].Text != tt.answer {
				t.Errorf("answer = %q, want %q", q.Answers[0].Text, tt.answer)
			}
		})
	}
	if q := parseOne(t, `::a\:b\:::Q{T}`); q.Name != "a:b:" {
		t.Errorf("escaped colons in name: got %q", q.Name)
	}
}

func TestParseGIFTFullWidthPunctuationIsText(t *testing.T) {
	tests := []struct {
		name, src string
		want      Question
	}{
		{
			name: "full-width braces make a description",
			src:  "::说明::请阅读：｛＝对～错＃注｝",
			want: Question{Type: Description, Name: "说明", Text: "请阅读：｛＝对～错＃注｝", Format: "moodle", Line: 1},
		},
		{
			name: "full-width signs inside answers",
			src:  "::题::顾客说：“退货”，应当？{=先受理＝登记＃好 ~推诿～拖延#不对}",
			want: Question{Type: MultiChoice, Name: "题", Text: "顾客说：“退货”，应当？", Format: "moodle", Line: 1, Single: true,
				Answers: []Answer{{Text: "先受理＝登记＃好", Fraction: 1}, {Text: "推诿～拖延", Feedback: "不对"}}},
		},
		{
			name: "full-width colons are not a name",
			src:  "：：名：：问题{T}",
			want: Question{Type: TrueFalse, Name: "：：名：：问题", Text: "：：名：：问题", Format: "moodle", Line: 1, Correct: true},
		},
		{
			name: "ideographic spaces are kept",
			src:  "::题::\u3000缩进{=对\u3000 ~错}",
			want: Question{Type: MultiChoice, Name: "题", Text: "\u3000缩进", Format: "moodle", Line: 1, Single: true,
				Answers: []Answer{{Text: "对\u3000", Fraction: 1}, {Text: "错"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseOne(t, tt.src); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseGIFTChinese(t *testing.T) {
	src := `// [tag:complaint]
::受理第一步:: 顾客到店投诉，第一步应当怎么做？ {
  =立即回应并登记顾客、商品与诉求 # 对：先接住情绪，再记录事实。
  ~先判断责任再决定是否受理 # 不对：先受理、后判断。
  ~请顾客改天再来 # 不对：拖延只会让情绪升级。
}

// [tag:law]
::无理由退货天数:: 网购商品（无特殊约定）在收货后几日内可以无理由退货？ {#7}

顾客的诉求应当在 {=24 =二十四} 小时内回复。
`
	qs, errs := ParseGIFT([]byte(src))
	if len(errs) != 0 || len(qs) != 3 {
		t.Fatalf("got %d questions, errors %v", len(qs), errs)
	}
	if q := qs[0]; q.Name != "受理第一步" || q.Answers[0].Feedback != "对：先接住情绪，再记录事实。" || q.Tags[0] != "complaint" || q.Line != 2 {
		t.Errorf("first question: %#v", q)
	}
	if q := qs[1]; q.Type != Numerical || q.Answers[0].Text != "7" || q.Line != 9 {
		t.Errorf("second question: %#v", q)
	}
	if q := qs[2]; q.Text != "顾客的诉求应当在 _____ 小时内回复。" || q.Name != q.Text || q.Type != ShortAnswer {
		t.Errorf("third question: %#v", q)
	}
}

func TestDefaultNameIsShortened(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"short", "Short question?", "Short question?"},
		{"cut at a space", strings.Repeat("word ", 20), strings.Repeat("word ", 15) + "..."},
		{"Chinese cut anywhere", strings.Repeat("售后", 50), strings.Repeat("售后", 38) + "售..."},
		{"no HTML", "<p>Hi <i>there</i></p>", "Hi there"},
		{"empty", "", "Question name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := defaultName(tt.text); got != tt.want {
				t.Errorf("defaultName(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseGIFTErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"unclosed brace", "// c\n::a::Q {=a ~b", 2, "no closing brace"},
		{"closing brace alone", "\n\n::a::Q =a ~b}", 3, "without an opening"},
		{"closing before opening", "::a::Q } x {", 1, "before"},
		{"one multiple-choice answer", "::a::Q{~a}", 1, "at least two answers"},
		{"multiple choice without a right answer", "::a::Q{~a ~b}", 1, "no correct answer"},
		{"multiple choice with only negative weights", "::a::Q{~%-50%a ~b}", 1, "no correct answer"},
		{"positive weights short of 100%", "::a::Q{~%50%a ~%25%b ~c}", 1, "add up to 75%"},
		{"weight not a Moodle fraction", "::a::Q{=a ~%33%b}", 1, "%33% is not one of Moodle's grades"},
		{"weight above 100%", "::a::Q{=%150%a}", 1, "%150% is not one of Moodle's grades"},
		{"weight in short answer", "::a::Q{=a =%45%b}", 1, "%45%"},
		{"weight in numerical", "::a::Q{#=5 =%42%6}", 1, "%42%"},
		{"double minus weight", "::a::Q{=a ~%--50%b}", 1, "not a number"},
		{"empty answer", "::a::Q{=a ~ ~b}", 1, "answer 2 has no text"},
		{"empty short answer", "::a::Q{=a =#fb}", 1, "answer 2 has no text"},
		{"short answer never 100%", "::a::Q{=%50%a =%25%b}", 1, "no answer is worth 100%"},
		{"matching with one real pair", "::a::Q{=a -> 1 = -> 2}", 1, "at least two pairs"},
		{"matching pair without arrow", "::a::Q{=a -> 1 =b -> 2 =c}", 1, "pair 3 has no '->'"},
		{"matching pair without answer", "::a::Q{=a -> 1 =b -> }", 1, "pair 2 has no answer"},
		{"numerical not a number", "::a::Q{#abc}", 1, `"abc" is not a number`},
		{"numerical bad tolerance", "::a::Q{#5:x}", 1, `tolerance "x"`},
		{"numerical bad range", "::a::Q{#1..x}", 1, "range"},
		{"numerical range overflows", "::a::Q{#1e308..1.7e308}", 1, "too large"},
		{"numerical without answer", "::a::Q{#~#fb}", 1, "no answer"},
		{"numerical never 100%", "::a::Q{#=%50%5}", 1, "no answer is worth 100%"},
		{"category then text", "$CATEGORY: a\n::q::Q{T}", 1, "blank line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, errs := ParseGIFT([]byte(tt.src))
			if len(qs) != 0 || len(errs) != 1 {
				t.Fatalf("got %d questions, errors %v; want one error", len(qs), errs)
			}
			if errs[0].Line != tt.line || !strings.Contains(errs[0].Message, tt.msg) {
				t.Errorf("error = %v, want line %d containing %q", errs[0], tt.line, tt.msg)
			}
		})
	}
}

func TestParseGIFTKeepsGoingAfterErrors(t *testing.T) {
	src := `::ok1::Q{T}

::bad1::Q{~a ~b}

// comment only

::ok2::Q{#5}

::bad2::Q{=a ~%12%b}

::bad3::Q {
=a

::ok3::Q{=a ~b}`
	qs, errs := ParseGIFT([]byte(src))
	var names []string
	for _, q := range qs {
		names = append(names, q.Name)
	}
	if strings.Join(names, ",") != "ok1,ok2,ok3" {
		t.Errorf("questions = %v, want ok1,ok2,ok3", names)
	}
	var lines []int
	for _, e := range errs {
		lines = append(lines, e.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 9, 11}) {
		t.Errorf("error lines = %v, want [3 9 11]; errors %v", lines, errs)
	}
}

func TestParseGIFTBlankLineInsideBraces(t *testing.T) {
	_, errs := ParseGIFT([]byte("::a::Q {\n=a\n\n~b}"))
	if len(errs) != 2 || errs[0].Line != 1 || errs[1].Line != 4 ||
		!strings.Contains(errs[0].Message, "blank line ends a question") {
		t.Errorf("errors = %v, want a missing '}' at line 1 and a missing '{' at line 4", errs)
	}
}

func TestParseGIFTNotUTF8(t *testing.T) {
	src := []byte("::a::Q{T}\n\n::b::caf\xe9{T}\n")
	qs, errs := ParseGIFT(src)
	if len(qs) != 0 || len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "UTF-8") {
		t.Errorf("got %v, %v; want one UTF-8 error at line 3", qs, errs)
	}
	if _, errs := ParseAiken(src); len(errs) != 1 || errs[0].Line != 3 {
		t.Errorf("Aiken: errors %v, want one at line 3", errs)
	}
}

func TestParseGIFTLineEndings(t *testing.T) {
	for name, src := range map[string]string{
		"windows": "// [tag:x]\r\n::a::Q{\r\n=a\r\n~b}\r\n\r\n::b::R{T}\r\n",
		"old mac": "// [tag:x]\r::a::Q{\r=a\r~b}\r\r::b::R{T}\r",
		"bom":     "\xef\xbb\xbf// [tag:x]\n::a::Q{\n=a\n~b}\n\n::b::R{T}\n",
	} {
		t.Run(name, func(t *testing.T) {
			qs, errs := ParseGIFT([]byte(src))
			if len(errs) != 0 || len(qs) != 2 {
				t.Fatalf("got %d questions, errors %v", len(qs), errs)
			}
			if qs[0].Answers[1].Text != "b" || qs[0].Tags[0] != "x" || qs[0].Line != 2 || qs[1].Line != 6 {
				t.Errorf("got %#v", qs)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	if got := (Error{Line: 7, Message: "bad"}).Error(); got != "line 7: bad" {
		t.Errorf("Error() = %q", got)
	}
}
