package quiz

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// WriteGIFT writes questions as GIFT that Moodle imports and that ParseGIFT
// reads back as the same questions (all fields but Line). The layout follows
// Moodle's own export: "//" comment lines with the ID and tags, then
// "::name::text{ answers }", one answer per line, a blank line between
// questions. It returns an error, before writing anything, for a question
// that GIFT cannot express, such as an unknown type or a matching question
// whose left side contains "->".
func WriteGIFT(w io.Writer, qs []Question) error {
	var b strings.Builder
	for i, q := range qs {
		if err := writeQuestion(&b, q); err != nil {
			return fmt.Errorf("question %d (%q): %w", i+1, q.Name, err)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// giftEscaper escapes GIFT's control characters and newlines. Carriage
// returns are kept: they never end a GIFT line, so they read back unchanged.
var giftEscaper = strings.NewReplacer(
	`\`, `\\`, "#", `\#`, "=", `\=`, "~", `\~`, "{", `\{`, "}", `\}`, ":", `\:`, "\n", `\n`,
)

// escape writes s so that GIFT reads it back as s.
func escape(s string) string {
	return giftEscaper.Replace(s)
}

// formatted writes a text that GIFT reads with an optional [format] prefix.
// The prefix is written when the format differs from the default, and also
// when the text itself starts with something that looks like a prefix, so
// that it is not taken for one.
func formatted(text, format, def string) string {
	if format == "" {
		format = FormatMoodle
	}
	if def == "" {
		def = FormatMoodle
	}
	if rest, _ := splitFormat(text, ""); format != def || rest != text {
		return "[" + format + "]" + escape(text)
	}
	return escape(text)
}

// writeQuestion writes one question and the blank-line-free block it needs.
func writeQuestion(b *strings.Builder, q Question) error {
	if q.Type == Category {
		if strings.ContainsAny(q.Category, "\n\r") || phpTrim(q.Category) != q.Category {
			return fmt.Errorf("category %q must be one line without surrounding space", q.Category)
		}
		fmt.Fprintf(b, "$CATEGORY: %s\n", q.Category)
		return nil
	}
	if q.Format != "" && !isFormat(q.Format) {
		return fmt.Errorf("unknown text format %q", q.Format)
	}
	if err := writeComment(b, q); err != nil {
		return err
	}
	b.WriteString("::" + escape(q.Name) + "::")
	b.WriteString(formatted(q.Text, q.Format, FormatMoodle))
	text := func(s string) string { return formatted(s, q.Format, q.Format) }
	var err error
	switch q.Type {
	case Description:
		if q.GeneralFeedback != "" {
			return fmt.Errorf("a description cannot have general feedback")
		}
		b.WriteString("\n")
		return nil
	case Essay:
		b.WriteString("{")
	case TrueFalse:
		writeTrueFalse(b, q, text)
	case MultiChoice:
		err = writeMultiChoice(b, q, text)
	case ShortAnswer:
		err = writeShortAnswer(b, q, text)
	case Numerical:
		err = writeNumerical(b, q, text)
	case Matching:
		err = writeMatching(b, q, text)
	default:
		return fmt.Errorf("unknown question type %q", q.Type)
	}
	if err != nil {
		return err
	}
	if q.GeneralFeedback != "" {
		b.WriteString("\t####" + text(q.GeneralFeedback) + "\n")
	}
	b.WriteString("}\n")
	return nil
}

// writeComment writes the "// [id:…]" and "// [tag:…]" lines Moodle reads
// IDs and tags from, one to a line so that no token can run into the next.
// An ID can itself contain "[tag:…]", which reads back as a tag, so the ID
// goes where those tags stand in the list; a final check refuses anything
// that would not read back the same.
func writeComment(b *strings.Builder, q Question) error {
	if q.ID == "" && len(q.Tags) == 0 {
		return nil
	}
	bracket := func(s string) string { return strings.ReplaceAll(s, "]", `\]`) }
	var lines []string
	for _, t := range q.Tags {
		lines = append(lines, "// [tag:"+bracket(t)+"]\n")
	}
	if q.ID != "" {
		idLine := "// [id:" + bracket(q.ID) + "]\n"
		_, implied := idAndTags(idLine)
		at := 0
		for i := 0; i+len(implied) <= len(q.Tags); i++ {
			if slices.Equal(q.Tags[i:i+len(implied)], implied) {
				at = i
				break
			}
		}
		// The ID line takes the place of the tag lines it reads back as.
		lines = slices.Replace(lines, at, min(at+len(implied), len(lines)), idLine)
	}
	comment := strings.Join(lines, "")
	if id, tags := idAndTags(comment); id != q.ID || !slices.Equal(tags, q.Tags) {
		return fmt.Errorf("GIFT cannot write ID %q with tags %q so that they read back the same", q.ID, q.Tags)
	}
	b.WriteString(comment)
	return nil
}

// writeTrueFalse writes "{TRUE#wrong#right": GIFT orders feedback by outcome,
// the model by the student's answer.
func writeTrueFalse(b *strings.Builder, q Question, text func(string) string) {
	answer, right, wrong := "FALSE", q.FeedbackFalse, q.FeedbackTrue
	if q.Correct {
		answer, right, wrong = "TRUE", q.FeedbackTrue, q.FeedbackFalse
	}
	b.WriteString("{" + answer)
	if wrong != "" || right != "" {
		b.WriteString("#" + text(wrong))
	}
	if right != "" {
		b.WriteString("#" + text(right))
	}
	b.WriteString("\n")
}

// writeMultiChoice writes one answer a line. A single-answer question needs
// an "=" and a multiple-answer question must not have one, because GIFT
// tells the two apart by the "=". Every answer is written with "~" or "="
// so the question is always read as multiple choice.
func writeMultiChoice(b *strings.Builder, q Question, text func(string) string) error {
	if len(q.Answers) < 2 {
		return fmt.Errorf("a multiple-choice question needs at least two answers")
	}
	// "=" is used for full-mark answers of a single-answer question, as long
	// as one answer is left to carry a "~".
	equals := make([]bool, len(q.Answers))
	if q.Single {
		tilde := false
		for i, a := range q.Answers {
			equals[i] = a.Fraction == 1
			tilde = tilde || !equals[i]
		}
		if !tilde {
			equals[len(equals)-1] = false
		}
		if !slices.Contains(equals, true) {
			return fmt.Errorf("a single-answer question needs an answer worth 100%%")
		}
	}
	b.WriteString("{\n")
	for i, a := range q.Answers {
		if err := checkFraction(a.Fraction); err != nil {
			return err
		}
		b.WriteString("\t")
		switch {
		case equals[i]:
			b.WriteString("=")
		case a.Fraction == 0 && !strings.HasPrefix(a.Text, "%"):
			b.WriteString("~")
		default:
			b.WriteString("~%" + formatPercent(a.Fraction) + "%")
		}
		b.WriteString(text(a.Text))
		if a.Feedback != "" {
			b.WriteString("#" + text(a.Feedback))
		}
		b.WriteString("\n")
	}
	return nil
}

// writeShortAnswer writes "=%weight%answer#feedback" lines. A question whose
// only answer contains "->" is written without "=", since "=" with "->"
// would be read as a matching question.
func writeShortAnswer(b *strings.Builder, q Question, text func(string) string) error {
	if len(q.Answers) == 0 {
		return fmt.Errorf("a short-answer question needs an answer")
	}
	arrow := false
	for _, a := range q.Answers {
		if err := checkFraction(a.Fraction); err != nil {
			return err
		}
		arrow = arrow || strings.Contains(a.Text+a.Feedback, "->")
	}
	if arrow {
		a := q.Answers[0]
		section := text(a.Text)
		if a.Feedback != "" {
			section += "#" + text(a.Feedback)
		}
		if len(q.Answers) > 1 || a.Fraction != 1 || weightPattern.MatchString(section) || giftType(section) != ShortAnswer {
			return fmt.Errorf("GIFT cannot write a short answer containing \"->\" unless it is the only answer, worth 100%%")
		}
		b.WriteString("{" + section + "\n")
		return nil
	}
	b.WriteString("{\n")
	for _, a := range q.Answers {
		b.WriteString("\t=%" + formatPercent(a.Fraction) + "%" + text(a.Text))
		if a.Feedback != "" {
			b.WriteString("#" + text(a.Feedback))
		}
		b.WriteString("\n")
	}
	return nil
}

// writeNumerical writes "=%weight%value:tolerance#feedback" lines, and a
// last zero-mark "*" answer as Moodle's "~#feedback" catch-all.
func writeNumerical(b *strings.Builder, q Question, text func(string) string) error {
	if len(q.Answers) == 0 {
		return fmt.Errorf("a numerical question needs an answer")
	}
	b.WriteString("{#\n")
	for i, a := range q.Answers {
		if err := checkFraction(a.Fraction); err != nil {
			return err
		}
		if _, ok := parseNumber(a.Text); !ok && a.Text != "*" {
			return fmt.Errorf("numerical answer %q is not a number", a.Text)
		}
		if a.Text == "*" && a.Fraction == 0 && a.Tolerance == 0 && i == len(q.Answers)-1 {
			b.WriteString("\t~#" + text(a.Feedback) + "\n")
			continue
		}
		b.WriteString("\t=%" + formatPercent(a.Fraction) + "%" + a.Text)
		b.WriteString(":" + strconv.FormatFloat(a.Tolerance, 'f', -1, 64))
		if a.Feedback != "" {
			b.WriteString("#" + text(a.Feedback))
		}
		b.WriteString("\n")
	}
	return nil
}

// writeMatching writes "=question -> answer" lines.
func writeMatching(b *strings.Builder, q Question, text func(string) string) error {
	b.WriteString("{\n")
	for _, p := range q.Pairs {
		if strings.Contains(p.Question, "->") {
			return fmt.Errorf("GIFT cannot write a matching question containing \"->\": %q", p.Question)
		}
		b.WriteString("\t=" + text(p.Question) + " -> " + escape(p.Answer) + "\n")
	}
	return nil
}

// checkFraction refuses weights Moodle would refuse, so WriteGIFT never
// writes a file that ParseGIFT or Moodle rejects for its weights.
func checkFraction(f float64) error {
	if _, ok := snapFraction(f); !ok {
		return fmt.Errorf("answer weight %s%% is not one of Moodle's grades", formatPercent(f))
	}
	return nil
}
