package quiz

import (
	"encoding/json"
	"fmt"
)

// Type names a question type. The values are Moodle's qtype names where
// Moodle has one, so that JSON produced here reads naturally next to
// Moodle's own exports.
type Type string

// The question types the parsers produce. Category is not a question: it is
// the pseudo-question for a GIFT "$CATEGORY:" line, kept in the list so that
// a writer can put the category back where it was.
const (
	MultiChoice Type = "multichoice" // pick one (Single) or several answers
	TrueFalse   Type = "truefalse"   // true or false
	ShortAnswer Type = "shortanswer" // type a word, compared with patterns
	Matching    Type = "matching"    // match each stem with an answer
	Numerical   Type = "numerical"   // type a number, accepted within a tolerance
	Essay       Type = "essay"       // free text, marked by a person
	Description Type = "description" // text only, not graded
	Category    Type = "category"    // a "$CATEGORY:" line, not a question
)

// The text formats GIFT can declare with a [name] prefix. FormatMoodle is
// the default when a text declares none.
const (
	FormatMoodle   = "moodle"   // Moodle's auto-format: plain text with light HTML
	FormatHTML     = "html"     // HTML as written
	FormatPlain    = "plain"    // plain text, shown literally
	FormatMarkdown = "markdown" // Markdown
)

// Answer is one answer of a multiple-choice, short-answer or numerical
// question. Fraction is the share of the question's mark it earns (Moodle's
// grade fraction, from -1 to 1); Tolerance is the accepted error either side
// of a numerical answer and is unused by the other types.
type Answer struct {
	Text      string
	Fraction  float64
	Feedback  string
	Tolerance float64
}

// Pair is one line of a matching question. A pair with an empty Question is a
// distractor: its Answer is offered as a choice but matches no question.
type Pair struct {
	Question, Answer string
}

// Question is one question as read from a GIFT or Aiken file. Only the fields
// that belong to its Type are set; the rest keep their zero values.
type Question struct {
	Type Type

	// Name identifies the question to authors; when a GIFT question has no
	// ::name:: it is derived from the text the way Moodle derives it.
	Name string
	// Text is the question text. For a missing-word question the answer
	// position is marked with "_____".
	Text string
	// Format is the format of Text, the answers and the feedback: one of
	// FormatMoodle (the default), FormatHTML, FormatPlain, FormatMarkdown.
	Format string
	// GeneralFeedback is shown to every student after answering.
	GeneralFeedback string
	// ID is the author's stable identifier from a "// [id:…]" comment.
	ID string
	// Tags come from "// [tag:…]" comments; random draws select by tag.
	Tags []string

	// Category is the "$CATEGORY:" path; set only for Type == Category.
	Category string

	// Line is the 1-based source line where the question starts (its first
	// line that is not a comment), so problems can be reported at that line.
	Line int

	// Single is true for a multiple-choice question with exactly one right
	// answer (radio buttons) and false when several answers may be chosen.
	Single bool
	// Answers holds the answers of multiple-choice, short-answer and
	// numerical questions, in source order.
	Answers []Answer

	// Correct is the right answer of a true/false question.
	Correct bool
	// FeedbackTrue is shown when the student answered "true", FeedbackFalse
	// when the student answered "false" (whichever of them is right).
	FeedbackTrue, FeedbackFalse string

	// Pairs holds the pairs of a matching question, in source order.
	Pairs []Pair
}

// Error is a problem found at a line of a source file. Parsers return one per
// rejected question so an author can fix them all in one pass.
type Error struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Error formats the problem the way editors and the CLI show it.
func (e Error) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// answerJSON is the wire form of an Answer; Tolerance is only sent for
// numerical questions.
type answerJSON struct {
	Text      string   `json:"text"`
	Fraction  float64  `json:"fraction"`
	Feedback  string   `json:"feedback"`
	Tolerance *float64 `json:"tolerance,omitempty"`
}

// pairJSON is the wire form of a Pair.
type pairJSON struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// questionJSON is the wire form of a Question. Pointers mark the keys that
// only some types carry, so that a false or empty value of a type's own key
// is still written.
type questionJSON struct {
	Type            Type          `json:"type"`
	Name            string        `json:"name"`
	Text            string        `json:"text"`
	Format          string        `json:"format"`
	GeneralFeedback string        `json:"general_feedback"`
	ID              string        `json:"id"`
	Tags            []string      `json:"tags"`
	Line            int           `json:"line"`
	Single          *bool         `json:"single,omitempty"`
	Answers         *[]answerJSON `json:"answers,omitempty"`
	Correct         *bool         `json:"correct,omitempty"`
	FeedbackTrue    *string       `json:"feedback_true,omitempty"`
	FeedbackFalse   *string       `json:"feedback_false,omitempty"`
	Pairs           *[]pairJSON   `json:"pairs,omitempty"`
	Category        *string       `json:"category,omitempty"`
}

// MarshalJSON writes the question in the CLI's JSON shape: the common keys
// for every type, then only the keys of the question's own type.
func (q Question) MarshalJSON() ([]byte, error) {
	w := questionJSON{
		Type:            q.Type,
		Name:            q.Name,
		Text:            q.Text,
		Format:          q.Format,
		GeneralFeedback: q.GeneralFeedback,
		ID:              q.ID,
		Tags:            q.Tags,
		Line:            q.Line,
	}
	if w.Tags == nil {
		w.Tags = []string{}
	}
	switch q.Type {
	case MultiChoice, ShortAnswer, Numerical:
		if q.Type == MultiChoice {
			w.Single = &q.Single
		}
		answers := make([]answerJSON, len(q.Answers))
		for i, a := range q.Answers {
			answers[i] = answerJSON{Text: a.Text, Fraction: a.Fraction, Feedback: a.Feedback}
			if q.Type == Numerical {
				tolerance := a.Tolerance
				answers[i].Tolerance = &tolerance
			}
		}
		w.Answers = &answers
	case TrueFalse:
		w.Correct = &q.Correct
		w.FeedbackTrue = &q.FeedbackTrue
		w.FeedbackFalse = &q.FeedbackFalse
	case Matching:
		pairs := make([]pairJSON, len(q.Pairs))
		for i, p := range q.Pairs {
			pairs[i] = pairJSON(p)
		}
		w.Pairs = &pairs
	case Category:
		w.Category = &q.Category
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the shape MarshalJSON writes, so questions can be
// stored as JSON and read back unchanged.
func (q *Question) UnmarshalJSON(data []byte) error {
	var w questionJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*q = Question{
		Type:            w.Type,
		Name:            w.Name,
		Text:            w.Text,
		Format:          w.Format,
		GeneralFeedback: w.GeneralFeedback,
		ID:              w.ID,
		Line:            w.Line,
	}
	if len(w.Tags) > 0 {
		q.Tags = w.Tags
	}
	if w.Single != nil {
		q.Single = *w.Single
	}
	if w.Answers != nil && len(*w.Answers) > 0 {
		q.Answers = make([]Answer, len(*w.Answers))
		for i, a := range *w.Answers {
			q.Answers[i] = Answer{Text: a.Text, Fraction: a.Fraction, Feedback: a.Feedback}
			if a.Tolerance != nil {
				q.Answers[i].Tolerance = *a.Tolerance
			}
		}
	}
	if w.Correct != nil {
		q.Correct = *w.Correct
	}
	if w.FeedbackTrue != nil {
		q.FeedbackTrue = *w.FeedbackTrue
	}
	if w.FeedbackFalse != nil {
		q.FeedbackFalse = *w.FeedbackFalse
	}
	if w.Pairs != nil && len(*w.Pairs) > 0 {
		q.Pairs = make([]Pair, len(*w.Pairs))
		for i, p := range *w.Pairs {
			q.Pairs[i] = Pair(p)
		}
	}
	if w.Category != nil {
		q.Category = *w.Category
	}
	return nil
}
