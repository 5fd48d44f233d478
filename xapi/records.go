package xapi

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// QuizAttempt is one graded attempt at a quiz, as the export gathers it.
type QuizAttempt struct {
	// ID is the attempt's number in the database; it keys the statement IDs and the
	// registration that ties the attempt's statements together.
	ID      int64
	Learner Agent
	Quiz    Activity
	// Parent is what the quiz belongs to (the module, or the programme of an assessment) and
	// Grouping the course around it; either may be empty.
	Parent, Grouping   []Activity
	Started, Submitted time.Time
	// Percent is the score from 0 to 100; Passed the verdict against the quiz's pass mark.
	Percent float64
	Passed  bool
	Answers []Answer
}

// Answer is the learner's response to one question of an attempt, in xAPI's response format
// for the question's interaction type, and its mark.
type Answer struct {
	Position int
	Question Activity
	Response string
	// Graded is false when the mark is missing (a question a person still has to mark);
	// then the statement carries neither success nor score.
	Graded   bool
	Fraction float64 // share of the question's mark earned, -1 to 1
	Correct  bool
}

// ModuleCompletion is a learner's completion of a module: reading time done and quiz passed.
type ModuleCompletion struct {
	// UserID and the module's ID key the statement, so it stays the same across exports.
	UserID    int64
	ModuleID  string
	Learner   Agent
	Module    Activity
	Course    Activity
	Completed time.Time
	// SeatTime is the active reading time measured on the module, the result's duration.
	SeatTime time.Duration
}

// DrillResult is a released role-play drill: the scenario, the trainee, the rater and the
// primary rater's score and verdict.
type DrillResult struct {
	ID       int64
	Learner  Agent
	Rater    *Agent
	Scenario Activity
	// Started and Submitted are when the drill began and when it was scored.
	Started, Submitted time.Time
	Percent            float64
	Passed             bool
}

// percentScore is a 0–100 score in xAPI's form: scaled to 0–1, with the raw percentage.
func percentScore(percent float64) *Score {
	percent = math.Min(math.Max(percent, 0), 100)
	raw, lo, hi := percent, 0.0, 100.0
	return &Score{Scaled: percent / 100, Raw: &raw, Min: &lo, Max: &hi}
}

func ptr[T any](v T) *T { return &v }

// statement fills in what every statement shares.
func (p *Platform) statement(key string, actor Agent, verb Verb, object Activity, result *Result, ctx *Context, at time.Time) Statement {
	if ctx == nil {
		ctx = &Context{}
	}
	ctx.Platform, ctx.Language = PlatformName, Language
	return Statement{ID: p.UUID(key), Actor: actor, Verb: verb, Object: object, Result: result, Context: ctx,
		Timestamp: Timestamp(at), Version: Version, at: at}
}

func activities(parent, grouping []Activity) *ContextActivities {
	if len(parent) == 0 && len(grouping) == 0 {
		return nil
	}
	return &ContextActivities{Parent: parent, Grouping: grouping}
}

// AttemptStatements describes a graded attempt: the learner completed the quiz, passed or
// failed it, and answered each question (response, mark and success). All of them carry the
// attempt's registration and its submission time.
func (p *Platform) AttemptStatements(a QuizAttempt) []Statement {
	key := "attempt/" + strconv.FormatInt(a.ID, 10)
	registration := p.UUID(key)
	took := Duration(a.Submitted.Sub(a.Started))
	ctx := func() *Context {
		return &Context{Registration: registration, ContextActivities: activities(a.Parent, a.Grouping)}
	}
	out := []Statement{
		p.statement(key+"/completed", a.Learner, Completed, a.Quiz,
			&Result{Score: percentScore(a.Percent), Completion: ptr(true), Duration: took}, ctx(), a.Submitted),
	}
	verdict := Failed
	if a.Passed {
		verdict = Passed
	}
	out = append(out, p.statement(key+"/result", a.Learner, verdict, a.Quiz,
		&Result{Score: percentScore(a.Percent), Success: ptr(a.Passed), Completion: ptr(true), Duration: took}, ctx(), a.Submitted))
	quizOnly := []Activity{{ObjectType: "Activity", ID: a.Quiz.ID}}
	grouping := slices.Concat(a.Parent, a.Grouping)
	for _, an := range a.Answers {
		r := &Result{Response: ptr(an.Response), Completion: ptr(true)}
		if an.Graded {
			r.Success = ptr(an.Correct)
			r.Score = &Score{Scaled: math.Min(math.Max(an.Fraction, -1), 1)}
		}
		out = append(out, p.statement(key+"/answer/"+strconv.Itoa(an.Position), a.Learner, Answered, an.Question, r,
			&Context{Registration: registration, ContextActivities: activities(quizOnly, grouping)}, a.Submitted))
	}
	return out
}

// ModuleStatement describes a module completion; the course is its parent.
func (p *Platform) ModuleStatement(m ModuleCompletion) Statement {
	key := "module/" + strconv.FormatInt(m.UserID, 10) + "/" + m.ModuleID
	var parent []Activity
	if m.Course.ID != "" {
		parent = []Activity{m.Course}
	}
	return p.statement(key+"/completed", m.Learner, Completed, m.Module,
		&Result{Completion: ptr(true), Duration: Duration(m.SeatTime)},
		&Context{ContextActivities: activities(parent, nil)}, m.Completed)
}

// DrillStatements describes a released drill: the learner attempted the scenario when the
// drill started, then passed or failed it when the rater scored it. The rater is the
// instructor; the drill is the registration.
func (p *Platform) DrillStatements(d DrillResult) []Statement {
	key := "drill/" + strconv.FormatInt(d.ID, 10)
	registration := p.UUID(key)
	ctx := func() *Context { return &Context{Registration: registration, Instructor: d.Rater} }
	started := d.Started
	if started.IsZero() {
		started = d.Submitted
	}
	verdict := Failed
	if d.Passed {
		verdict = Passed
	}
	return []Statement{
		p.statement(key+"/attempted", d.Learner, Attempted, d.Scenario, nil, ctx(), started),
		p.statement(key+"/result", d.Learner, verdict, d.Scenario,
			&Result{Score: percentScore(d.Percent), Success: ptr(d.Passed), Completion: ptr(true), Duration: Duration(d.Submitted.Sub(started))},
			ctx(), d.Submitted),
	}
}

// SortByTime orders statements by their time, keeping the given order among equal times (an
// attempt's completion before its verdict before its answers).
func SortByTime(statements []Statement) {
	slices.SortStableFunc(statements, func(a, b Statement) int { return a.at.Compare(b.at) })
}
