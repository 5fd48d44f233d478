package quiz

import (
	"fmt"
	"strings"
)

// ParseAiken reads Moodle's Aiken format: a line of question text, choice
// lines "A) text" or "A. text", then "ANSWER: X". Like Moodle it stores the
// text as HTML (escaping &, < and >) and names each question after its text.
// It returns every complete question and an Error for each problem, with
// Moodle's line numbers: an answer line outside a question, a question with
// fewer than two choices (at its ANSWER line), and a question left
// unfinished when the next one starts (at the next question's line).
//
// Where Moodle would go wrong quietly this reports an Error instead: an
// ANSWER letter that names no choice, and an unfinished question at the end
// of the file (Moodle drops it without a word).
func ParseAiken(src []byte) ([]Question, []Error) {
	if e := checkUTF8(src); e != nil {
		return nil, []Error{*e}
	}
	var qs []Question
	var errs []Error
	var cur *Question
	fail := func(line int, format string, args ...any) {
		errs = append(errs, Error{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	for i, raw := range sourceLines([]byte(text)) {
		n := i + 1
		line := phpTrim(raw)
		if len(line) < 2 {
			continue
		}
		switch {
		case isAikenChoice(line):
			if cur == nil {
				fail(n, "choice %q comes before any question text", line)
				continue
			}
			cur.Answers = append(cur.Answers, Answer{Text: escapeHTML(phpTrim(line[2:]))})
		case strings.HasPrefix(line, "ANSWER:"):
			if cur == nil {
				fail(n, "%q comes before any question text", line)
				continue
			}
			q := *cur
			cur = nil
			if len(q.Answers) < 2 {
				fail(n, "question %q needs at least two choices", q.Name)
				continue
			}
			letter := phpTrim(line[len("ANSWER:"):])
			right := -1
			if letter != "" {
				right = int(letter[0]) - 'A'
			}
			if right < 0 || right >= len(q.Answers) {
				fail(n, "%q names no choice of question %q (choices A to %c)", line, q.Name, 'A'+len(q.Answers)-1)
				continue
			}
			q.Answers[right].Fraction = 1
			qs = append(qs, q)
		default:
			if cur != nil {
				fail(n, "question %q has no ANSWER line before the next question", cur.Name)
			}
			cur = &Question{
				Type:   MultiChoice,
				Name:   defaultName(line),
				Text:   escapeHTML(line),
				Format: FormatHTML,
				Line:   n,
				Single: true,
			}
		}
	}
	if cur != nil {
		fail(cur.Line, "question %q has no ANSWER line", cur.Name)
	}
	return qs, errs
}

// isAikenChoice reports whether a line is a choice: a capital letter then
// ")" or ".".
func isAikenChoice(line string) bool {
	return line[0] >= 'A' && line[0] <= 'Z' && (line[1] == ')' || line[1] == '.')
}
