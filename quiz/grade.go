package quiz

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Response is a student's answer to one question, in the terms of the page
// they saw: option, stem and choice IDs are display positions (Option.ID).
type Response struct {
	// Choices are the chosen option IDs (multiple choice, true/false).
	Choices []int `json:"choices,omitempty"`
	// Text is the typed answer (short answer, essay).
	Text string `json:"text,omitempty"`
	// Number is the typed number (numerical).
	Number string `json:"number,omitempty"`
	// Matches maps stem ID to choice ID (matching).
	Matches map[int]int `json:"matches,omitempty"`
}

// Mark is the outcome of grading one response.
type Mark struct {
	// Fraction is the share of the question's mark earned. It is in [0, 1]
	// except for a single-answer multiple-choice question, where a
	// negatively weighted answer earns its negative weight, as in Moodle.
	Fraction float64 `json:"fraction"`
	// Feedback is what to show after grading: the feedback of the chosen or
	// matched answers, then the question's general feedback.
	Feedback []string `json:"feedback,omitempty"`
	// Correct is true for full marks.
	Correct bool `json:"correct"`
	// NeedsGrading is true for an answered essay, which a person must mark.
	NeedsGrading bool `json:"needs_grading"`
}

// Graded reports whether questions of type t carry marks. Descriptions and
// categories do not, and their marks must be left out of Score.
func Graded(t Type) bool {
	switch t {
	case MultiChoice, TrueFalse, ShortAnswer, Matching, Numerical, Essay:
		return true
	}
	return false
}

// ValidateResponse reports whether a response fits the question as it was
// laid out: option IDs in range and not repeated, at most one choice for
// single-answer and true/false questions, stem and choice IDs in range for
// matching. A server uses it to turn away forged or stale submissions;
// Grade gives such responses no marks.
func ValidateResponse(q Question, l Layout, r Response) error {
	order, choiceOrder := arrange(q, l)
	switch q.Type {
	case MultiChoice, TrueFalse:
		if (q.Type == TrueFalse || q.Single) && len(r.Choices) > 1 {
			return fmt.Errorf("%d options chosen where only one may be", len(r.Choices))
		}
		seen := map[int]bool{}
		for _, id := range r.Choices {
			if id < 0 || id >= len(order) {
				return fmt.Errorf("option %d does not exist (there are %d)", id, len(order))
			}
			if seen[id] {
				return fmt.Errorf("option %d chosen twice", id)
			}
			seen[id] = true
		}
	case Matching:
		for stem, choice := range r.Matches {
			if stem < 0 || stem >= len(order) {
				return fmt.Errorf("stem %d does not exist (there are %d)", stem, len(order))
			}
			if choice < 0 || choice >= len(choiceOrder) {
				return fmt.Errorf("choice %d does not exist (there are %d)", choice, len(choiceOrder))
			}
		}
	}
	return nil
}

// Grade marks a response the way Moodle's question types do. A response
// that fails ValidateResponse earns a zero Mark with no feedback. A typed
// (short-answer or numerical) response earns the best-scoring answer it
// matches; Moodle takes the first match in the author's order, which is the
// same whenever answers are listed best first, as they usually are.
// Descriptions and categories earn a zero Mark (see Graded). To regrade an
// attempt after a question was corrected, grade the stored response against
// the new question and compare the marks with Diff.
func Grade(q Question, l Layout, r Response) Mark {
	if ValidateResponse(q, l, r) != nil {
		return Mark{}
	}
	var m Mark
	switch q.Type {
	case MultiChoice:
		m = gradeMultiChoice(q, l, r)
	case TrueFalse:
		m = gradeTrueFalse(q, l, r)
	case ShortAnswer:
		m = gradeBest(q, phpTrim(r.Text) != "", func(a Answer) bool { return matchesShortAnswer(r.Text, a.Text) })
	case Numerical:
		value, ok := parseResponseNumber(r.Number)
		m = gradeBest(q, ok, func(a Answer) bool { return withinTolerance(a, value) })
	case Matching:
		m = gradeMatching(q, l, r)
	case Essay:
		m.NeedsGrading = phpTrim(r.Text) != ""
	default:
		return Mark{}
	}
	m.Correct = !m.NeedsGrading && isFull(m.Fraction)
	if q.GeneralFeedback != "" {
		m.Feedback = append(m.Feedback, q.GeneralFeedback)
	}
	return m
}

// gradeMultiChoice scores the chosen answers: a single-answer question earns
// the chosen answer's fraction, a multiple-answer question the sum of the
// chosen fractions, clamped to [0, 1] (so wrong picks cancel right ones).
func gradeMultiChoice(q Question, l Layout, r Response) Mark {
	order, _ := arrange(q, l)
	var m Mark
	for _, id := range r.Choices {
		a := q.Answers[order[id]]
		m.Fraction += a.Fraction
		if a.Feedback != "" {
			m.Feedback = append(m.Feedback, a.Feedback)
		}
	}
	if !q.Single {
		m.Fraction = min(max(m.Fraction, 0), 1)
	}
	return m
}

// gradeTrueFalse scores a true/false answer and picks the feedback for what
// the student answered.
func gradeTrueFalse(q Question, l Layout, r Response) Mark {
	if len(r.Choices) == 0 {
		return Mark{}
	}
	order, _ := arrange(q, l)
	answeredTrue := order[r.Choices[0]] == 0
	var m Mark
	if answeredTrue == q.Correct {
		m.Fraction = 1
	}
	feedback := q.FeedbackFalse
	if answeredTrue {
		feedback = q.FeedbackTrue
	}
	if feedback != "" {
		m.Feedback = append(m.Feedback, feedback)
	}
	return m
}

// gradeBest scores a typed answer by the best-scoring answer it matches (on
// a tie, the first). An unanswered or unreadable response earns nothing.
func gradeBest(q Question, answered bool, matches func(Answer) bool) Mark {
	if !answered {
		return Mark{}
	}
	best := -1
	for i, a := range q.Answers {
		if (best < 0 || a.Fraction > q.Answers[best].Fraction) && matches(a) {
			best = i
		}
	}
	if best < 0 {
		return Mark{}
	}
	m := Mark{Fraction: max(q.Answers[best].Fraction, 0)}
	if fb := q.Answers[best].Feedback; fb != "" {
		m.Feedback = append(m.Feedback, fb)
	}
	return m
}

// gradeMatching scores the share of stems matched with their own answer.
// Two stems with the same answer text share one choice, so either matches.
func gradeMatching(q Question, l Layout, r Response) Mark {
	order, choiceOrder := arrange(q, l)
	if len(order) == 0 {
		return Mark{}
	}
	right := 0
	for stem, pair := range order {
		if choice, ok := r.Matches[stem]; ok && q.Pairs[choiceOrder[choice]].Answer == q.Pairs[pair].Answer {
			right++
		}
	}
	return Mark{Fraction: float64(right) / float64(len(order))}
}

// matchesShortAnswer compares a typed answer with an author's answer as
// Moodle's shortanswer does by default: ignoring case and surrounding space,
// "*" matching any run of characters, "\*" a literal asterisk.
func matchesShortAnswer(response, pattern string) bool {
	response = phpTrim(response)
	if !strings.Contains(pattern, "*") {
		return strings.EqualFold(response, pattern)
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '*' && (i == 0 || pattern[i-1] != '\\') {
			parts = append(parts, regexp.QuoteMeta(strings.ReplaceAll(cur.String(), `\*`, "*")))
			cur.Reset()
			for i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
			}
			continue
		}
		cur.WriteByte(pattern[i])
	}
	parts = append(parts, regexp.QuoteMeta(strings.ReplaceAll(cur.String(), `\*`, "*")))
	if len(parts) == 2 && parts[0] == "" && parts[1] == "" {
		return true // "*" alone accepts anything
	}
	re, err := regexp.Compile(`(?i)^` + strings.Join(parts, ".*") + `$`)
	return err == nil && re.MatchString(response)
}

// Moodle's numerical answer processor: "×10^" and friends are exponents,
// spaces and thousands separators are dropped, then the whole response must
// be one number.
var (
	exponentForms  = regexp.MustCompile(`(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)`)
	responseNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?$`)
)

// parseResponseNumber reads a typed number as Moodle does with the English
// and Chinese language packs (decimal point ".", thousands separator ","):
// "1,234.5" is 1234.5, "3,5" is 35, "2x10^3" is 2000. Anything that is not a
// plain number, including a unit, is refused.
func parseResponseNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(phpTrim(s), " ", "")
	s = exponentForms.ReplaceAllString(s, "e$1")
	s = strings.ReplaceAll(s, ",", "")
	if !responseNumber.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// withinTolerance reports whether v is accepted by a numerical answer: "*"
// accepts any number, otherwise v must lie within the tolerance either side,
// widened by Moodle's tiny allowance for floating-point error.
func withinTolerance(a Answer, v float64) bool {
	if a.Text == "*" {
		return true
	}
	want, ok := parseNumber(a.Text)
	if !ok {
		return false
	}
	const epsilon = 1e-14 // PHP's default precision, as Moodle uses it
	tol := math.Abs(a.Tolerance)
	tol += epsilon * max(tol, math.Abs(want), epsilon)
	return want-tol <= v && v <= want+tol
}

// Score totals the marks of an attempt as a percentage of the questions'
// marks, every question being worth the same. Only pass marks of graded
// questions (see Graded). Essays still waiting for a person count as zero
// and make pending true. The percentage is clamped to [0, 100], since
// negative single-answer marks can make the sum negative.
func Score(marks []Mark) (percent float64, pending bool) {
	if len(marks) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, m := range marks {
		sum += m.Fraction
		pending = pending || m.NeedsGrading
	}
	return min(max(100*sum/float64(len(marks)), 0), 100), pending
}

// Diff reports whether a regrade changed a mark in a way a student would
// notice: the fraction, whether it is correct, or whether it awaits a
// person. Feedback wording alone does not count.
func Diff(old, new Mark) bool {
	return math.Abs(old.Fraction-new.Fraction) > 1e-9 ||
		old.Correct != new.Correct ||
		old.NeedsGrading != new.NeedsGrading
}

// ChosenAnswers turns a multiple-choice or true/false response into answer
// indexes (0 for True and 1 for False) for item analysis, which counts
// answers, not display positions. It returns nil for other types and for
// responses that fail ValidateResponse.
func ChosenAnswers(q Question, l Layout, r Response) []int {
	if (q.Type != MultiChoice && q.Type != TrueFalse) || ValidateResponse(q, l, r) != nil {
		return nil
	}
	order, _ := arrange(q, l)
	var out []int
	for _, id := range r.Choices {
		out = append(out, order[id])
	}
	return out
}
