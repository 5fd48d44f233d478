package quiz

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ParseGIFT reads a GIFT file with the semantics of Moodle 4.5's
// qformat_gift::readquestion, plus the checks of Moodle's import step. It
// returns every question it could read, in file order, and an Error for each
// question it rejected, so one bad question never hides the others. A file
// that is not UTF-8 yields no questions and a single Error.
func ParseGIFT(src []byte) ([]Question, []Error) {
	if e := checkUTF8(src); e != nil {
		return nil, []Error{*e}
	}
	blocks := giftBlocks(sourceLines(src))
	var qs []Question
	if len(blocks) > 0 { // sized once: a Question is large, and regrowing copied each one again
		qs = make([]Question, 0, len(blocks))
	}
	var errs []Error
	for _, b := range blocks {
		q, err := parseGIFTBlock(b)
		if err != nil {
			errs = append(errs, Error{Line: b.line, Message: err.Error()})
			continue
		}
		qs = append(qs, q)
	}
	return qs, errs
}

// giftBlock is one question's worth of a GIFT file: the lines between blank
// lines, as Moodle's importer cuts them.
type giftBlock struct {
	lines    []string // trimmed lines; comment lines are replaced by " " as Moodle does
	comments string   // the comment lines, each ending in "\n"; [id:] and [tag:] are read from here
	line     int      // 1-based line of the first line that is not a comment
}

// giftBlocks cuts a file into blocks at blank lines and drops blocks that hold
// nothing but comments.
func giftBlocks(lines []string) []giftBlock {
	var blocks []giftBlock
	var cur giftBlock
	for i, raw := range lines {
		line := phpTrim(raw)
		switch {
		case line == "":
			if cur.line > 0 {
				blocks = append(blocks, cur)
			}
			cur = giftBlock{}
		case strings.HasPrefix(line, "//"):
			cur.comments += line + "\n"
			cur.lines = append(cur.lines, " ")
		default:
			if cur.line == 0 {
				cur.line = i + 1
			}
			cur.lines = append(cur.lines, line)
		}
	}
	if cur.line > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// Escaped control characters are replaced by bytes that never occur in UTF-8
// while a question is taken apart, so that "\=" is not mistaken for "=", and
// put back in each piece at the end. (Moodle uses "&&058;"-style
// placeholders, which real text could contain.)
const (
	escColon   = 0xf8
	escHash    = 0xf9
	escEquals  = 0xfa
	escOpen    = 0xfb
	escClose   = 0xfc
	escTilde   = 0xfd
	escNewline = 0xfe
)

// protectEscapes replaces GIFT's escapes in s: "\\" becomes a backslash,
// "\:", "\#", "\=", "\{", "\}", "\~" and "\n" become placeholders, and any
// other backslash is kept as it is.
func protectEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
		case ':':
			b.WriteByte(escColon)
		case '#':
			b.WriteByte(escHash)
		case '=':
			b.WriteByte(escEquals)
		case '{':
			b.WriteByte(escOpen)
		case '}':
			b.WriteByte(escClose)
		case '~':
			b.WriteByte(escTilde)
		case 'n':
			b.WriteByte(escNewline)
		default:
			b.WriteByte(c)
			continue
		}
		i++
	}
	return b.String()
}

// restoreEscapes turns the placeholders of protectEscapes back into the
// characters they stand for.
func restoreEscapes(s string) string {
	if !hasPlaceholder(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case escColon:
			b.WriteByte(':')
		case escHash:
			b.WriteByte('#')
		case escEquals:
			b.WriteByte('=')
		case escOpen:
			b.WriteByte('{')
		case escClose:
			b.WriteByte('}')
		case escTilde:
			b.WriteByte('~')
		case escNewline:
			b.WriteByte('\n')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hasPlaceholder reports whether s holds any placeholder of protectEscapes.
func hasPlaceholder(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= escColon {
			return true
		}
	}
	return false
}

// parseText finishes one piece of a question: it reads an optional [format]
// prefix, puts escaped characters back and trims, like Moodle's
// parse_text_with_format.
func parseText(s, def string) (text, format string) {
	s, format = splitFormat(s, def)
	return phpTrim(restoreEscapes(s)), format
}

// commentParser splits "answer#feedback" into its two finished texts.
func commentParser(s, format string) (answer, feedback string) {
	answer, rest, found := strings.Cut(s, "#")
	answer, _ = parseText(phpTrim(answer), format)
	if found {
		feedback, _ = parseText(phpTrim(rest), format)
	}
	return answer, feedback
}

// weightPattern is Moodle's test for a "%weight%" prefix. Note it is not a
// full check: "%150%" passes it and is refused later as a fraction.
var weightPattern = regexp.MustCompile(`^%-*([0-9]{1,2})\.?([0-9]*)%`)

// cutWeight reads a "%weight%" prefix from an answer. It returns the answer
// without the prefix and the fraction, found=false when there is no prefix,
// and an error when the weight is not one of Moodle's fractions.
func cutWeight(s string) (rest string, fraction float64, found bool, err error) {
	if !weightPattern.MatchString(s) {
		return s, 0, false, nil
	}
	end := 1 + strings.IndexByte(s[1:], '%')
	raw := s[1:end]
	percent, perr := strconv.ParseFloat(raw, 64)
	if perr != nil {
		return "", 0, true, fmt.Errorf("answer weight %%%s%% is not a number", raw)
	}
	fraction, ok := snapFraction(percent / 100)
	if !ok {
		return "", 0, true, fmt.Errorf("answer weight %%%s%% is not one of Moodle's grades "+
			"(100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, "+
			"16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0 and their negatives)", raw)
	}
	return s[end+1:], fraction, true, nil
}

// splitAnswers splits an answer section at sep and drops an empty first
// piece, as Moodle's explode-then-array_shift does.
func splitAnswers(s, sep string) []string {
	parts := strings.Split(s, sep)
	parts[0] = phpTrim(parts[0])
	if parts[0] == "" {
		parts = parts[1:]
	}
	return parts
}

// parseGIFTBlock turns one block into a question, following the steps of
// Moodle's readquestion in the same order, since the order decides what
// ambiguous input means.
func parseGIFTBlock(b giftBlock) (Question, error) {
	raw := phpTrim(strings.Join(b.lines, "\n"))
	q := Question{Line: b.line}

	if rest, ok := strings.CutPrefix(raw, "$CATEGORY:"); ok {
		q.Type = Category
		q.Category = phpTrim(rest)
		if strings.Contains(q.Category, "\n") {
			return Question{}, errors.New("a $CATEGORY line must be followed by a blank line")
		}
		return q, nil
	}
	text := protectEscapes(raw)

	named := false
	if rest, ok := strings.CutPrefix(text, "::"); ok {
		text = rest
		if name, after, ok := strings.Cut(rest, "::"); ok {
			q.Name = cleanName(restoreEscapes(name))
			named = true
			text = phpTrim(after)
		}
	}

	start, finish := strings.IndexByte(text, '{'), strings.IndexByte(text, '}')
	var answers, questionText, generalFeedback string
	switch {
	case start < 0 && finish < 0:
		q.Type = Description
		questionText = text
	case finish < 0:
		return Question{}, errors.New("the answers have no closing brace: '{' without '}' " +
			"(a blank line ends a question, even inside braces)")
	case start < 0:
		return Question{}, errors.New("'}' without an opening '{'")
	case finish < start:
		return Question{}, errors.New("'}' comes before '{'")
	default:
		answers = phpTrim(text[start+1 : finish])
		if strings.HasSuffix(text, "}") {
			questionText = text[:start] + text[finish+1:]
		} else {
			// Text after the answers: a missing-word question.
			questionText = text[:start] + "_____" + text[finish+1:]
		}
		if i := strings.LastIndex(answers, "####"); i >= 0 {
			generalFeedback = answers[i+4:]
			answers = phpTrim(answers[:i])
		}
	}

	q.Text, q.Format = parseText(questionText, FormatMoodle)
	q.GeneralFeedback, _ = parseText(generalFeedback, q.Format)
	if !named {
		q.Name = defaultName(q.Text)
	}
	q.ID, q.Tags = idAndTags(b.comments)

	if q.Type == Description {
		return q, nil
	}
	var err error
	switch q.Type = giftType(answers); q.Type {
	case MultiChoice:
		err = parseMultiChoice(&q, answers)
	case Matching:
		err = parseMatching(&q, answers)
	case TrueFalse:
		parseTrueFalse(&q, answers)
	case ShortAnswer:
		err = parseShortAnswer(&q, answers)
	case Numerical:
		err = parseNumerical(&q, answers)
	}
	if err != nil {
		return Question{}, err
	}
	return q, nil
}

// giftType tells the question type from the answer section, with Moodle's
// rules in Moodle's order.
func giftType(answers string) Type {
	switch {
	case answers == "":
		return Essay
	case answers[0] == '#':
		return Numerical
	case strings.Contains(answers, "~"):
		return MultiChoice
	case strings.Contains(answers, "=") && strings.Contains(answers, "->"):
		return Matching
	}
	check := answers
	if i := strings.IndexByte(answers, '#'); i > 0 {
		check = phpTrim(answers[:i])
	}
	switch check {
	case "T", "TRUE", "F", "FALSE":
		return TrueFalse
	}
	return ShortAnswer
}

// parseMultiChoice reads "=right ~wrong ~%50%half" answers. A question with
// an "=" answer is single-answer; one without is multiple-answer and its
// positive weights must add up to 100%.
func parseMultiChoice(q *Question, answers string) error {
	q.Single = strings.Contains(answers, "=")
	parts := splitAnswers(strings.ReplaceAll(answers, "=", "~="), "~")
	if len(parts) < 2 {
		return errors.New("a multiple-choice question needs at least two answers")
	}
	for i, part := range parts {
		part = phpTrim(part)
		fraction := 0.0
		if rest, ok := strings.CutPrefix(part, "="); ok {
			fraction, part = 1, rest
		} else if rest, weight, found, err := cutWeight(part); err != nil {
			return err
		} else if found {
			fraction, part = weight, rest
		}
		text, feedback := commentParser(part, q.Format)
		if text == "" {
			return fmt.Errorf("answer %d has no text", i+1)
		}
		q.Answers = append(q.Answers, Answer{Text: text, Fraction: fraction, Feedback: feedback})
	}
	if q.Single {
		return nil
	}
	positive := 0.0
	for _, a := range q.Answers {
		positive += max(a.Fraction, 0)
	}
	if positive == 0 {
		return errors.New("the multiple-choice question has no correct answer: " +
			"mark the right answer with '=' or give right answers a positive %weight%")
	}
	// Moodle compares the sum rounded to two decimals, so 3 × 33.33333% is 100%.
	if sum := math.Round(positive*100) / 100; sum != 1 {
		return fmt.Errorf("the positive answer weights add up to %s%%; they must add up to 100%%",
			formatPercent(positive))
	}
	return nil
}

// parseMatching reads "=question -> answer" pairs. "= -> answer" is a
// distractor; at least two pairs must have a question.
func parseMatching(q *Question, answers string) error {
	parts := splitAnswers(answers, "=")
	real := 0
	for i, part := range parts {
		part = phpTrim(part)
		left, right, ok := strings.Cut(part, "->")
		if !ok {
			return fmt.Errorf("matching pair %d has no '->' between question and answer", i+1)
		}
		question, _ := parseText(left, q.Format)
		answer := phpTrim(restoreEscapes(right))
		if answer == "" {
			return fmt.Errorf("matching pair %d has no answer after '->'", i+1)
		}
		if question != "" {
			real++
		}
		q.Pairs = append(q.Pairs, Pair{Question: question, Answer: answer})
	}
	if real < 2 {
		return fmt.Errorf("a matching question needs at least two pairs with a question, it has %d", real)
	}
	return nil
}

// parseTrueFalse reads "T#wrong feedback#right feedback". GIFT orders the
// feedback by outcome (wrong, then right); the model stores it by what the
// student answered, so the mapping depends on the right answer.
func parseTrueFalse(q *Question, answers string) {
	bits := strings.SplitN(answers, "#", 3)
	var wrong, right string
	answer, _ := parseText(phpTrim(bits[0]), q.Format)
	if len(bits) > 1 {
		wrong, _ = parseText(phpTrim(bits[1]), q.Format)
	}
	if len(bits) > 2 {
		right, _ = parseText(phpTrim(bits[2]), q.Format)
	}
	q.Correct = answer == "T" || answer == "TRUE"
	if q.Correct {
		q.FeedbackTrue, q.FeedbackFalse = right, wrong
	} else {
		q.FeedbackTrue, q.FeedbackFalse = wrong, right
	}
}

// parseShortAnswer reads "=answer =%50%other#feedback" answers; an answer
// without a weight is worth 100%.
func parseShortAnswer(q *Question, answers string) error {
	for i, part := range splitAnswers(answers, "=") {
		part = phpTrim(part)
		rest, fraction, found, err := cutWeight(part)
		if err != nil {
			return err
		}
		if !found {
			fraction = 1
		}
		text, feedback := commentParser(rest, q.Format)
		if text == "" {
			return fmt.Errorf("answer %d has no text", i+1)
		}
		q.Answers = append(q.Answers, Answer{Text: text, Fraction: fraction, Feedback: feedback})
	}
	return requireFullMarks(q.Answers)
}

// numberPattern is what PHP's is_numeric() accepts once trimmed, which is
// what Moodle accepts as a numerical answer or tolerance.
var numberPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// parseNumber reads a number written in a GIFT numerical answer.
func parseNumber(s string) (float64, bool) {
	if !numberPattern.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// parseNumerical reads "#answer", "#answer:tolerance", "#min..max" and
// "#=answer =%50%answer:tolerance ~#feedback for anything else".
func parseNumerical(q *Question, answers string) error {
	answers = answers[1:]
	wrong := ""
	if i := strings.IndexByte(answers, '~'); i >= 0 {
		answers, wrong = answers[:i], answers[i:]
	}
	parts := splitAnswers(answers, "=")
	if len(parts) == 0 {
		return errors.New("the numerical question has no answer")
	}
	for _, part := range parts {
		part = phpTrim(part)
		rest, fraction, found, err := cutWeight(part)
		if err != nil {
			return err
		}
		if !found {
			fraction = 1
		}
		text, feedback := commentParser(rest, q.Format)
		value, tolerance, err := numericalAnswer(text)
		if err != nil {
			return err
		}
		q.Answers = append(q.Answers, Answer{Text: value, Fraction: fraction, Feedback: feedback, Tolerance: tolerance})
	}
	if wrong != "" {
		_, feedback := commentParser(wrong, q.Format)
		q.Answers = append(q.Answers, Answer{Text: "*", Feedback: feedback})
	}
	return requireFullMarks(q.Answers)
}

// numericalAnswer reads one numerical answer: "n", "n:tolerance",
// "min..max" (stored as the midpoint and half the range, as Moodle does) or
// "*" for any number. Unlike Moodle, which quietly turns anything that is
// not a number into "*", it reports the mistake.
func numericalAnswer(s string) (value string, tolerance float64, err error) {
	if i := strings.Index(s, ".."); i > 0 {
		lo, loOK := parseNumber(phpTrim(s[:i]))
		hi, hiOK := parseNumber(phpTrim(s[i+2:]))
		if !loOK || !hiOK {
			return "", 0, fmt.Errorf("numerical range %q is not two numbers min..max", s)
		}
		mid := (hi + lo) / 2
		if math.IsInf(mid, 0) {
			return "", 0, fmt.Errorf("numerical range %q is too large", s)
		}
		return strconv.FormatFloat(mid, 'f', -1, 64), hi - mid, nil
	}
	value, tol := phpTrim(s), "0"
	if i := strings.IndexByte(s, ':'); i > 0 {
		value, tol = phpTrim(s[:i]), phpTrim(s[i+1:])
	}
	if _, ok := parseNumber(value); !ok && value != "*" {
		return "", 0, fmt.Errorf("numerical answer %q is not a number", value)
	}
	tolerance, ok := parseNumber(tol)
	if !ok {
		return "", 0, fmt.Errorf("tolerance %q of numerical answer %q is not a number", tol, value)
	}
	return value, tolerance, nil
}

// requireFullMarks refuses answers of which none is worth 100%: such a
// question can never be answered fully right (Moodle warns and saves it
// anyway; an author is better told).
func requireFullMarks(answers []Answer) error {
	best := math.Inf(-1)
	for _, a := range answers {
		best = max(best, a.Fraction)
	}
	if !isFull(best) {
		return fmt.Errorf("no answer is worth 100%% (the best is %s%%)", formatPercent(best))
	}
	return nil
}

// idPattern and tagPattern are Moodle's extract_idnumber_and_tags_from_comment
// patterns: "[id:…]" and "[tag:…]" in comment lines, with "\]" for a "]".
var (
	idPattern  = regexp.MustCompile(`\[id:((?:\\\]|[^\][:cntrl:]])+)\]`)
	tagPattern = regexp.MustCompile("\\[tag:((?:\\\\\\]|[^\\]<>`[:cntrl:]])*)\\]")
)

// idAndTags reads the question's ID (the first [id:…]) and tags (every
// non-empty [tag:…]) from its comment lines.
func idAndTags(comments string) (id string, tags []string) {
	if comments == "" {
		return "", nil
	}
	if m := idPattern.FindStringSubmatch(comments); m != nil {
		id = strings.ReplaceAll(phpTrim(m[1]), `\]`, "]")
	}
	for _, m := range tagPattern.FindAllStringSubmatch(comments, -1) {
		if tag := strings.ReplaceAll(phpTrim(m[1]), `\]`, "]"); tag != "" {
			tags = append(tags, tag)
		}
	}
	return id, tags
}
