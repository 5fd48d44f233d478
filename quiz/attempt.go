package quiz

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AttemptState is where an attempt is in its life: open while the student answers, then
// finished, or awaiting grading while an essay waits for a supervisor.
type AttemptState string

// The attempt states.
const (
	Open            AttemptState = "open"
	AwaitingGrading AttemptState = "awaiting_grading"
	Finished        AttemptState = "finished"
)

// Attempt is one sitting of a quiz by one person: the questions drawn for it in the order and
// layout they were shown, the answers given and, once submitted, the marks.
type Attempt struct {
	ID          int64
	UserID      int64
	Quiz        string // what was taken: "module:tiles/tile-problems", "programme:onboarding"
	Number      int    // 1 for the first attempt at this quiz, 2 for the second …
	State       AttemptState
	StartedAt   time.Time
	Deadline    time.Time // zero when untimed
	SubmittedAt time.Time // zero while open
	Pass        int       // pass mark in percent
	Score       float64   // percent, once finished
	Passed      bool
	Items       []AttemptItem
}

// AttemptItem is one question of an attempt.
type AttemptItem struct {
	Position int
	Key      string
	Layout   Layout
	Response Response
	Mark     *Mark // nil until graded
}

// AttemptRules are a quiz's rules for attempts.
type AttemptRules struct {
	// MaxAttempts limits the attempts per person; 0 means unlimited.
	MaxAttempts int
	// TimeLimit is the time to answer; 0 means untimed.
	TimeLimit time.Duration
	// Grace is how long after the time limit a submit is still taken, to absorb a slow
	// connection; after that the server closes the attempt with the answers saved so far.
	Grace time.Duration
	Pass  int
}

// ErrNoAttemptsLeft means the person has used every attempt the quiz allows.
var ErrNoAttemptsLeft = errors.New("no attempts left")

// ErrTimeUp means a submit or save arrived after the time limit and its grace.
var ErrTimeUp = errors.New("time is up")

// Deadline is when an attempt started at started must be submitted; zero when untimed.
func (r AttemptRules) Deadline(started time.Time) time.Time {
	if r.TimeLimit <= 0 {
		return time.Time{}
	}
	return started.Add(r.TimeLimit)
}

// TimeUp reports whether an attempt with the given deadline no longer takes answers at now.
// The server's clock decides, never the browser's.
func (r AttemptRules) TimeUp(deadline, now time.Time) bool {
	return !deadline.IsZero() && now.After(deadline.Add(r.Grace))
}

// CanStart reports whether a person who has made `made` attempts may start another.
func (r AttemptRules) CanStart(made int) error {
	if r.MaxAttempts > 0 && made >= r.MaxAttempts {
		return fmt.Errorf("%w: %d of %d used", ErrNoAttemptsLeft, made, r.MaxAttempts)
	}
	return nil
}

// Result sums an attempt's marks: the score in percent, whether it passed, and whether a
// person still has to grade something (then it is not passed yet).
func Result(marks []Mark, pass int) (score float64, passed bool, state AttemptState) {
	score, pending := Score(marks)
	if pending {
		return score, false, AwaitingGrading
	}
	return score, score+1e-9 >= float64(pass), Finished
}

// RightAnswer describes the correct answer of a question for the review page after an
// attempt is submitted. It is never shown before.
func RightAnswer(q Question) string {
	switch q.Type {
	case MultiChoice:
		var right []string
		for _, a := range q.Answers {
			if a.Fraction > 0 {
				right = append(right, a.Text)
			}
		}
		return strings.Join(right, "；")
	case TrueFalse:
		if q.Correct {
			return "对"
		}
		return "错"
	case ShortAnswer:
		for _, a := range q.Answers {
			if a.Fraction >= 1 {
				return a.Text
			}
		}
	case Numerical:
		for _, a := range q.Answers {
			if a.Fraction >= 1 {
				if a.Tolerance > 0 {
					return a.Text + " ± " + strconv.FormatFloat(a.Tolerance, 'f', -1, 64)
				}
				return a.Text
			}
		}
	case Matching:
		var pairs []string
		for _, p := range q.Pairs {
			if p.Question != "" {
				pairs = append(pairs, p.Question+" → "+p.Answer)
			}
		}
		return strings.Join(pairs, "；")
	}
	return ""
}

// Marks collects an attempt's stored marks, an unanswered or ungraded item counting as zero.
func (a Attempt) Marks() []Mark {
	marks := make([]Mark, len(a.Items))
	for i, it := range a.Items {
		if it.Mark != nil {
			marks[i] = *it.Mark
		}
	}
	return marks
}

// Regraded is what grading an attempt again against the current questions gives: the new
// marks, score and verdict, and whether anything differs from what is stored.
type Regraded struct {
	Marks   []Mark
	Score   float64
	Passed  bool
	State   AttemptState
	Changed bool
}

// Regrade grades a submitted attempt's stored responses again with the current version of
// each question, as Moodle's regrade does after a question is fixed. Items a person graded by
// hand (essays) keep their mark.
func Regrade(a Attempt, lookup func(key string) (Question, bool)) Regraded {
	r := Regraded{Marks: make([]Mark, len(a.Items))}
	for i, it := range a.Items {
		q, ok := lookup(it.Key)
		switch {
		case ok && q.Type == Essay && it.Mark != nil:
			r.Marks[i] = *it.Mark
		case ok:
			r.Marks[i] = Grade(q, it.Layout, it.Response)
		}
		old := Mark{}
		if it.Mark != nil {
			old = *it.Mark
		}
		if Diff(old, r.Marks[i]) {
			r.Changed = true
		}
	}
	r.Score, r.Passed, r.State = Result(r.Marks, a.Pass)
	if r.Passed != a.Passed || r.Score-a.Score > 1e-9 || a.Score-r.Score > 1e-9 {
		r.Changed = true
	}
	return r
}
