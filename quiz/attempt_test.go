package quiz

import (
	"errors"
	"testing"
	"time"
)

func TestAttemptRules(t *testing.T) {
	start := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	r := AttemptRules{MaxAttempts: 3, TimeLimit: 60 * time.Minute, Grace: 2 * time.Minute, Pass: 80}
	d := r.Deadline(start)
	if !d.Equal(start.Add(time.Hour)) {
		t.Fatalf("deadline %v", d)
	}
	if r.TimeUp(d, d.Add(2*time.Minute)) || !r.TimeUp(d, d.Add(2*time.Minute+time.Nanosecond)) {
		t.Error("the grace period is not exactly two minutes")
	}
	if (AttemptRules{}).TimeUp(time.Time{}, start.Add(1000*time.Hour)) {
		t.Error("an untimed attempt timed out")
	}
	if err := r.CanStart(2); err != nil {
		t.Errorf("third attempt refused: %v", err)
	}
	if err := r.CanStart(3); !errors.Is(err, ErrNoAttemptsLeft) {
		t.Errorf("fourth attempt: %v", err)
	}
	if err := (AttemptRules{}).CanStart(1000); err != nil {
		t.Error("unlimited attempts refused")
	}
}

func TestResult(t *testing.T) {
	cases := []struct {
		marks  []Mark
		pass   int
		score  float64
		passed bool
		state  AttemptState
	}{
		{[]Mark{{Fraction: 1}, {Fraction: 1}, {Fraction: 1}, {Fraction: 0.2}}, 80, 80, true, Finished},
		{[]Mark{{Fraction: 1}, {Fraction: 0.5}}, 80, 75, false, Finished},
		{[]Mark{{Fraction: 1}, {NeedsGrading: true}}, 50, 50, false, AwaitingGrading},
	}
	for _, c := range cases {
		score, passed, state := Result(c.marks, c.pass)
		if score != c.score || passed != c.passed || state != c.state {
			t.Errorf("Result(%v, %d) = %v %v %v, want %v %v %v", c.marks, c.pass, score, passed, state, c.score, c.passed, c.state)
		}
	}
}

func TestRegradeAfterAFix(t *testing.T) {
	wrong := Question{Type: MultiChoice, Single: true, Name: "q", Answers: []Answer{{Text: "甲", Fraction: 1}, {Text: "乙", Fraction: 0}}}
	fixed := wrong
	fixed.Answers = []Answer{{Text: "甲", Fraction: 0}, {Text: "乙", Fraction: 1}}
	layout := NewLayout(wrong, nil)
	resp := Response{Choices: []int{1}} // chose 乙, which the fix makes right
	old := Grade(wrong, layout, resp)
	a := Attempt{Pass: 80, Score: 0, Items: []AttemptItem{{Key: "k", Layout: layout, Response: resp, Mark: &old}}}
	r := Regrade(a, func(string) (Question, bool) { return fixed, true })
	if !r.Changed || r.Score != 100 || !r.Passed {
		t.Fatalf("regrade after fix: %+v", r)
	}
	same := Regrade(a, func(string) (Question, bool) { return wrong, true })
	if same.Changed {
		t.Fatalf("regrade with the same question reports a change: %+v", same)
	}
	// A regrade to zero is a change too and must stick (the store writes it explicitly).
	right := Grade(fixed, layout, resp)
	a.Items[0].Mark, a.Score, a.Passed = &right, 100, true
	down := Regrade(a, func(string) (Question, bool) { return wrong, true })
	if !down.Changed || down.Score != 0 || down.Passed {
		t.Fatalf("regrade down to zero: %+v", down)
	}
	essay := Mark{Fraction: 0.5}
	a.Items = []AttemptItem{{Key: "e", Response: Response{Text: "答"}, Mark: &essay}}
	if r := Regrade(a, func(string) (Question, bool) { return Question{Type: Essay}, true }); r.Marks[0].Fraction != 0.5 {
		t.Fatal("regrade lost a supervisor's essay mark")
	}
}

func TestRightAnswer(t *testing.T) {
	cases := []struct {
		q    Question
		want string
	}{
		{Question{Type: MultiChoice, Answers: []Answer{{Text: "甲", Fraction: 0.5}, {Text: "乙", Fraction: -1}, {Text: "丙", Fraction: 0.5}}}, "甲；丙"},
		{Question{Type: TrueFalse, Correct: false}, "错"},
		{Question{Type: Numerical, Answers: []Answer{{Text: "7", Fraction: 1, Tolerance: 0.5}}}, "7 ± 0.5"},
		{Question{Type: ShortAnswer, Answers: []Answer{{Text: "美缝", Fraction: 1}}}, "美缝"},
		{Question{Type: Matching, Pairs: []Pair{{"钻石", "亲油"}, {"", "干扰项"}}}, "钻石 → 亲油"},
	}
	for _, c := range cases {
		if got := RightAnswer(c.q); got != c.want {
			t.Errorf("RightAnswer(%s) = %q, want %q", c.q.Type, got, c.want)
		}
	}
}
