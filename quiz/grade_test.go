package quiz

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// gradeBank holds one question of each kind the grading tests use.
var gradeBank = map[string]string{
	"single":    "::single::Q{~wrong#no =right#yes ~%-50%bad#ouch ####general}",
	"multiple":  "::multiple::Q{~%50%a#fa ~%50%b ~%-100%c#fc ~d}",
	"true":      "::true::Q{T#said false#said true}",
	"false":     "::false::Q{F#said true#said false}",
	"short":     `::short::Q{=Frog#frog! =%50%Cat =%75%Naz*th =%25%a\*b =%0%*#anything}`,
	"chinese":   "::chinese::Q{=退货#对 =%50%退*}",
	"starfirst": "::starfirst::Q{=%0%*#anything =Frog#yes}",
	"year":      "::year::Q{#=1822:0#exact =%50%1822:2#close ~#no}",
	"range":     "::range::Q{#1..3}",
	"big":       "::big::Q{#1234.5}",
	"match":     "::match::Q{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo = -> Paris}",
	"samepair":  "::samepair::Q{=red -> colour =blue -> colour =cat -> animal}",
	"essay":     "::essay::Q{####model answer}",
	"desc":      "::desc::Just read this.",
}

// bankQuestion parses one question of gradeBank.
func bankQuestion(t *testing.T, name string) Question {
	t.Helper()
	return parseOne(t, gradeBank[name])
}

func TestGrade(t *testing.T) {
	tests := []struct {
		name     string
		question string
		response Response
		want     Mark
	}{
		{"single right", "single", Response{Choices: []int{1}}, Mark{Fraction: 1, Correct: true, Feedback: []string{"yes", "general"}}},
		{"single wrong", "single", Response{Choices: []int{0}}, Mark{Feedback: []string{"no", "general"}}},
		{"single negative weight", "single", Response{Choices: []int{2}}, Mark{Fraction: -0.5, Feedback: []string{"ouch", "general"}}},
		{"single unanswered", "single", Response{}, Mark{Feedback: []string{"general"}}},
		{"multiple both right", "multiple", Response{Choices: []int{0, 1}}, Mark{Fraction: 1, Correct: true, Feedback: []string{"fa"}}},
		{"multiple half", "multiple", Response{Choices: []int{1, 3}}, Mark{Fraction: 0.5}},
		{"multiple negative clamps to zero", "multiple", Response{Choices: []int{2, 3}}, Mark{Feedback: []string{"fc"}}},
		{"multiple right and wrong cancel", "multiple", Response{Choices: []int{0, 2}}, Mark{Feedback: []string{"fa", "fc"}}},
		{"multiple all chosen", "multiple", Response{Choices: []int{3, 2, 1, 0}}, Mark{Feedback: []string{"fc", "fa"}}},
		{"true answered true", "true", Response{Choices: []int{0}}, Mark{Fraction: 1, Correct: true, Feedback: []string{"said true"}}},
		{"true answered false", "true", Response{Choices: []int{1}}, Mark{Feedback: []string{"said false"}}},
		{"false answered true", "false", Response{Choices: []int{0}}, Mark{Feedback: []string{"said true"}}},
		{"false answered false", "false", Response{Choices: []int{1}}, Mark{Fraction: 1, Correct: true, Feedback: []string{"said false"}}},
		{"short exact", "short", Response{Text: "Frog"}, Mark{Fraction: 1, Correct: true, Feedback: []string{"frog!"}}},
		{"short ignores case and space", "short", Response{Text: "  fROG "}, Mark{Fraction: 1, Correct: true, Feedback: []string{"frog!"}}},
		{"short partial", "short", Response{Text: "cat"}, Mark{Fraction: 0.5}},
		{"short wildcard", "short", Response{Text: "Nazareth"}, Mark{Fraction: 0.75}},
		{"short wildcard matches empty run", "short", Response{Text: "nazth"}, Mark{Fraction: 0.75}},
		{"short escaped star is literal", "short", Response{Text: "a*b"}, Mark{Fraction: 0.25}},
		{"short escaped star is not a wildcard", "short", Response{Text: "axb"}, Mark{Feedback: []string{"anything"}}},
		{"short catch-all", "short", Response{Text: "dog"}, Mark{Feedback: []string{"anything"}}},
		{"short best match beats an earlier catch-all", "starfirst", Response{Text: "frog"}, Mark{Fraction: 1, Correct: true, Feedback: []string{"yes"}}},
		{"short catch-all listed first", "starfirst", Response{Text: "toad"}, Mark{Feedback: []string{"anything"}}},
		{"short unanswered", "short", Response{Text: "   "}, Mark{}},
		{"short Chinese", "chinese", Response{Text: "退货"}, Mark{Fraction: 1, Correct: true, Feedback: []string{"对"}}},
		{"short Chinese wildcard", "chinese", Response{Text: "退款"}, Mark{Fraction: 0.5}},
		{"numerical exact", "year", Response{Number: "1822"}, Mark{Fraction: 1, Correct: true, Feedback: []string{"exact"}}},
		{"numerical within tolerance", "year", Response{Number: "1824"}, Mark{Fraction: 0.5, Feedback: []string{"close"}}},
		{"numerical outside tolerance", "year", Response{Number: "1824.5"}, Mark{Feedback: []string{"no"}}},
		{"numerical not a number", "year", Response{Number: "eighteen"}, Mark{}},
		{"numerical with unit refused", "year", Response{Number: "1822 AD"}, Mark{}},
		{"numerical range middle", "range", Response{Number: "2"}, Mark{Fraction: 1, Correct: true}},
		{"numerical range edge", "range", Response{Number: "3"}, Mark{Fraction: 1, Correct: true}},
		{"numerical range outside", "range", Response{Number: "3.001"}, Mark{}},
		{"numerical thousands separator", "big", Response{Number: "1,234.5"}, Mark{Fraction: 1, Correct: true}},
		{"numerical spaces", "big", Response{Number: " 1 234.5 "}, Mark{Fraction: 1, Correct: true}},
		{"numerical comma is not a decimal point", "range", Response{Number: "2,5"}, Mark{}},
		{"numerical exponent", "big", Response{Number: "1.2345x10^3"}, Mark{Fraction: 1, Correct: true}},
		{"numerical e notation", "big", Response{Number: "1.2345E3"}, Mark{Fraction: 1, Correct: true}},
		{"matching all right", "match", Response{Matches: map[int]int{0: 0, 1: 1, 2: 2}}, Mark{Fraction: 1, Correct: true}},
		{"matching one wrong", "match", Response{Matches: map[int]int{0: 0, 1: 2, 2: 2}}, Mark{Fraction: 2.0 / 3}},
		{"matching distractor chosen", "match", Response{Matches: map[int]int{0: 3, 1: 1, 2: 2}}, Mark{Fraction: 2.0 / 3}},
		{"matching unanswered stem", "match", Response{Matches: map[int]int{0: 0}}, Mark{Fraction: 1.0 / 3}},
		{"matching shared answer", "samepair", Response{Matches: map[int]int{0: 0, 1: 0, 2: 1}}, Mark{Fraction: 1, Correct: true}},
		{"essay answered", "essay", Response{Text: "I listened first."}, Mark{NeedsGrading: true, Feedback: []string{"model answer"}}},
		{"essay blank", "essay", Response{Text: " "}, Mark{Feedback: []string{"model answer"}}},
		{"description", "desc", Response{Text: "x"}, Mark{}},
		{"out of range option", "single", Response{Choices: []int{3}}, Mark{}},
		{"negative option", "single", Response{Choices: []int{-1}}, Mark{}},
		{"two options on single answer", "single", Response{Choices: []int{0, 1}}, Mark{}},
		{"same option twice", "multiple", Response{Choices: []int{0, 0}}, Mark{}},
		{"true/false option out of range", "true", Response{Choices: []int{2}}, Mark{}},
		{"stem out of range", "match", Response{Matches: map[int]int{3: 0}}, Mark{}},
		{"choice out of range", "match", Response{Matches: map[int]int{0: 4}}, Mark{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := bankQuestion(t, tt.question)
			got := Grade(q, NewLayout(q, nil), tt.response)
			if math.Abs(got.Fraction-tt.want.Fraction) > 1e-9 {
				t.Errorf("fraction = %v, want %v", got.Fraction, tt.want.Fraction)
			}
			got.Fraction = tt.want.Fraction
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Grade = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestGradeFollowsLayout(t *testing.T) {
	q := bankQuestion(t, "single")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		l := NewLayout(q, rng)
		p := Present(q, "k", l)
		for _, o := range p.Options {
			m := Grade(q, l, Response{Choices: []int{o.ID}})
			if want := o.Text == "right"; m.Correct != want {
				t.Fatalf("layout %v: option %d %q graded correct=%v", l.Order, o.ID, o.Text, m.Correct)
			}
		}
	}
	match := bankQuestion(t, "match")
	l := NewLayout(match, rand.New(rand.NewPCG(3, 4)))
	p := Present(match, "k", l)
	answers := map[string]string{"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo"}
	r := Response{Matches: map[int]int{}}
	for _, s := range p.Stems {
		for _, c := range p.Choices {
			if answers[s.Text] == c.Text {
				r.Matches[s.ID] = c.ID
			}
		}
	}
	if m := Grade(match, l, r); !m.Correct {
		t.Errorf("matching by displayed IDs under layout %+v: %+v", l, m)
	}
}

func TestValidateResponse(t *testing.T) {
	q := bankQuestion(t, "single")
	l := NewLayout(q, nil)
	if err := ValidateResponse(q, l, Response{Choices: []int{2}}); err != nil {
		t.Errorf("valid response refused: %v", err)
	}
	if err := ValidateResponse(q, l, Response{Choices: []int{7}}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("out of range option: error %v", err)
	}
}

func TestNewLayout(t *testing.T) {
	mc := bankQuestion(t, "multiple")
	a := NewLayout(mc, rand.New(rand.NewPCG(7, 7)))
	b := NewLayout(mc, rand.New(rand.NewPCG(7, 7)))
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	if got := slices.Sorted(slices.Values(a.Order)); !reflect.DeepEqual(got, []int{0, 1, 2, 3}) {
		t.Errorf("order %v is not a permutation of the answers", a.Order)
	}
	firstAt := map[int]bool{}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		firstAt[slices.Index(NewLayout(mc, rng).Order, 0)] = true
	}
	if len(firstAt) < 4 {
		t.Errorf("the first answer only ever appears at positions %v", firstAt)
	}
	tf := bankQuestion(t, "true")
	for range 10 {
		if l := NewLayout(tf, rng); !reflect.DeepEqual(l.Order, []int{0, 1}) {
			t.Errorf("true/false shuffled: %v", l.Order)
		}
	}
	same := bankQuestion(t, "samepair")
	if l := NewLayout(same, nil); !reflect.DeepEqual(l, Layout{Order: []int{0, 1, 2}, ChoiceOrder: []int{0, 2}}) {
		t.Errorf("matching layout %+v: want every stem and each distinct answer once", l)
	}
	if l := NewLayout(bankQuestion(t, "short"), rng); l.Order != nil || l.ChoiceOrder != nil {
		t.Errorf("short answer has a layout: %+v", l)
	}
	data, _ := json.Marshal(a)
	var back Layout
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, a) {
		t.Errorf("layout JSON %s read back as %+v (%v)", data, back, err)
	}
}

func TestPresent(t *testing.T) {
	mc := bankQuestion(t, "single")
	got := Present(mc, "course/module#single", Layout{Order: []int{2, 0, 1}})
	want := Presented{Key: "course/module#single", Type: "multichoice", Name: "single", Text: "Q", Format: "moodle",
		Options: []Option{{0, "bad"}, {1, "wrong"}, {2, "right"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Present\n got %+v\nwant %+v", got, want)
	}
	if got := Present(bankQuestion(t, "multiple"), "k", Layout{}); !got.Multiple || len(got.Options) != 4 {
		t.Errorf("multiple-answer question: %+v", got)
	}
	tf := Present(bankQuestion(t, "false"), "k", Layout{})
	if !reflect.DeepEqual(tf.Options, []Option{{0, "True"}, {1, "False"}}) {
		t.Errorf("true/false options: %+v", tf.Options)
	}
	m := Present(bankQuestion(t, "match"), "k", Layout{Order: []int{2, 0, 1}, ChoiceOrder: []int{3, 2, 1, 0}})
	if !reflect.DeepEqual(m.Stems, []Option{{0, "Japan"}, {1, "Canada"}, {2, "Italy"}}) ||
		!reflect.DeepEqual(m.Choices, []Option{{0, "Paris"}, {1, "Tokyo"}, {2, "Rome"}, {3, "Ottawa"}}) {
		t.Errorf("matching: stems %+v choices %+v", m.Stems, m.Choices)
	}
}

func TestPresentWithStaleLayout(t *testing.T) {
	q := bankQuestion(t, "single")
	// A layout stored for an older version with two answers, one repeated
	// and one that no longer exists.
	l := Layout{Order: []int{1, 1, 9}}
	p := Present(q, "k", l)
	if len(p.Options) != 3 || p.Options[0].Text != "right" || p.Options[1].Text != "wrong" || p.Options[2].Text != "bad" {
		t.Errorf("options %+v", p.Options)
	}
	if m := Grade(q, l, Response{Choices: []int{0}}); !m.Correct {
		t.Errorf("grading by the repaired layout: %+v", m)
	}
}

func TestPresentNeverLeaks(t *testing.T) {
	qs, errs := ParseGIFT([]byte(chineseBank))
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	for _, src := range gradeBank {
		qs = append(qs, parseOne(t, src))
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, q := range qs {
		p := Present(q, "key", NewLayout(q, rng))
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		page := string(data)
		for _, word := range []string{"fraction", "feedback", "correct", "tolerance", "weight", "order"} {
			if strings.Contains(strings.ToLower(page), word) {
				t.Errorf("%s: presented JSON mentions %q: %s", q.Name, word, page)
			}
		}
		secrets := []string{q.GeneralFeedback, q.FeedbackTrue, q.FeedbackFalse}
		for _, a := range q.Answers {
			secrets = append(secrets, a.Feedback)
			if q.Type != MultiChoice {
				secrets = append(secrets, a.Text) // typed answers must not be shown
			}
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(page, mustJSON(s)) {
				t.Errorf("%s: presented JSON shows %q: %s", q.Name, s, page)
			}
		}
		for i, o := range append(append(p.Options, p.Stems...), p.Choices...) {
			if o.ID < 0 || o.ID >= max(len(p.Options), len(p.Stems), len(p.Choices)) {
				t.Errorf("%s: option %d has ID %d", q.Name, i, o.ID)
			}
		}
	}
	// Nothing but what the page needs: a new field must be checked for leaks.
	var fields []string
	for f := range reflect.TypeFor[Presented]().Fields() {
		fields = append(fields, f.Name)
	}
	if want := []string{"Key", "Type", "Name", "Text", "Format", "Options", "Stems", "Choices", "Multiple"}; !reflect.DeepEqual(fields, want) {
		t.Errorf("Presented fields = %v, want %v", fields, want)
	}
}

// mustJSON returns s as it appears inside a JSON string.
func mustJSON(s string) string {
	data, _ := json.Marshal(s)
	return strings.Trim(string(data), `"`)
}

func TestScore(t *testing.T) {
	tests := []struct {
		name    string
		marks   []Mark
		percent float64
		pending bool
	}{
		{"none", nil, 0, false},
		{"mixed", []Mark{{Fraction: 1}, {Fraction: 0.5}, {}, {Fraction: 0.5}}, 50, false},
		{"pending essay counts zero", []Mark{{Fraction: 1}, {NeedsGrading: true}}, 50, true},
		{"negative total clamps to zero", []Mark{{Fraction: -0.5}, {}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			percent, pending := Score(tt.marks)
			if percent != tt.percent || pending != tt.pending {
				t.Errorf("Score = %v, %v; want %v, %v", percent, pending, tt.percent, tt.pending)
			}
		})
	}
}

func TestRegradeAndDiff(t *testing.T) {
	old := parseOne(t, "::q::Q{=a ~b ~c}")
	fixed := parseOne(t, "::q::Q{~a =b ~c}")
	l := NewLayout(old, nil)
	r := Response{Choices: []int{1}}
	before, after := Grade(old, l, r), Grade(fixed, l, r)
	if !Diff(before, after) || !after.Correct {
		t.Errorf("regrade: before %+v after %+v", before, after)
	}
	reworded := parseOne(t, "::q::Q{=a ~b#new feedback ~c}")
	if Diff(before, Grade(reworded, l, r)) {
		t.Errorf("feedback-only change reported as a different mark")
	}
	if !Diff(Mark{NeedsGrading: true}, Mark{}) {
		t.Errorf("essay graded by a person not reported")
	}
}

func TestGraded(t *testing.T) {
	for _, typ := range []Type{MultiChoice, TrueFalse, ShortAnswer, Matching, Numerical, Essay} {
		if !Graded(typ) {
			t.Errorf("Graded(%s) = false", typ)
		}
	}
	for _, typ := range []Type{Description, Category, "cloze"} {
		if Graded(typ) {
			t.Errorf("Graded(%s) = true", typ)
		}
	}
}

func TestChosenAnswers(t *testing.T) {
	q := bankQuestion(t, "multiple")
	l := Layout{Order: []int{3, 2, 1, 0}}
	if got := ChosenAnswers(q, l, Response{Choices: []int{0, 3}}); !reflect.DeepEqual(got, []int{3, 0}) {
		t.Errorf("ChosenAnswers = %v, want [3 0]", got)
	}
	if got := ChosenAnswers(q, l, Response{Choices: []int{9}}); got != nil {
		t.Errorf("invalid response gave %v", got)
	}
	if got := ChosenAnswers(bankQuestion(t, "false"), Layout{}, Response{Choices: []int{1}}); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("true/false: %v", got)
	}
}
