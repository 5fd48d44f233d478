package quiz

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The conformance fixtures are Moodle's own GIFT and Aiken test files and
// what Moodle 4.5.6's parser made of them. They live in shared/ beside the
// repository and are read in place, never copied.
var conformanceDir = filepath.Join("..", "..", "shared", "conformance")

// readConformance reads a fixture file, failing the test loudly when the
// fixtures are missing: a skipped conformance test would hide regressions.
func readConformance(t *testing.T, parts ...string) []byte {
	t.Helper()
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Fatalf("Moodle conformance fixtures not found at %s (shared/conformance must sit beside the repository): %v",
			conformanceDir, err)
	}
	data, err := os.ReadFile(filepath.Join(append([]string{conformanceDir}, parts...)...))
	if err != nil {
		t.Fatalf("reading conformance fixture: %v", err)
	}
	return data
}

// harnessFile is one expected/*.harness.json: Moodle's parser output.
type harnessFile struct {
	Source        string            `json:"source"`
	QuestionCount int               `json:"question_count"`
	Errors        []json.RawMessage `json:"errors"`
	Questions     []harnessQuestion `json:"questions"`
}

// textField is Moodle's {text, format} pair.
type textField struct {
	Text   string `json:"text"`
	Format int    `json:"format"`
}

// harnessQuestion holds the fields of Moodle's question object the test
// compares. Answers and tolerances are raw because Moodle mixes strings,
// numbers and {text, format} objects between question types.
type harnessQuestion struct {
	QType              string            `json:"qtype"`
	Name               string            `json:"name"`
	QuestionText       string            `json:"questiontext"`
	QuestionTextFormat int               `json:"questiontextformat"`
	GeneralFeedback    string            `json:"generalfeedback"`
	IDNumber           string            `json:"idnumber"`
	Tags               []string          `json:"tags"`
	Single             *int              `json:"single"`
	Answer             []json.RawMessage `json:"answer"`
	Fraction           []float64         `json:"fraction"`
	Feedback           []textField       `json:"feedback"`
	Tolerance          []json.RawMessage `json:"tolerance"`
	CorrectAnswer      *int              `json:"correctanswer"`
	FeedbackTrue       *textField        `json:"feedbacktrue"`
	FeedbackFalse      *textField        `json:"feedbackfalse"`
	Subquestions       []textField       `json:"subquestions"`
	Subanswers         []string          `json:"subanswers"`
	Category           string            `json:"category"`
	RejectGrades       json.RawMessage   `json:"_moodle_import_would_reject_grades"`
}

// rejected reports whether Moodle's import step would refuse the question's
// grades, in which case ParseGIFT must report an Error for it.
func (h harnessQuestion) rejected() bool {
	v := strings.TrimSpace(string(h.RejectGrades))
	return v != "" && v != "null" && v != "false" && v != "0" && v != "[]"
}

// moodleFormats maps Moodle's FORMAT_ constants to format names.
var moodleFormats = map[int]string{0: FormatMoodle, 1: FormatHTML, 2: FormatPlain, 4: FormatMarkdown}

// moodleTypes maps Moodle's qtype names to ours.
var moodleTypes = map[string]Type{
	"multichoice": MultiChoice, "truefalse": TrueFalse, "shortanswer": ShortAnswer, "match": Matching,
	"numerical": Numerical, "essay": Essay, "description": Description, "category": Category,
}

// rawText reads a Moodle answer that is a string, a number or {text, format}.
func rawText(t *testing.T, raw json.RawMessage) (text string, isNumber bool) {
	t.Helper()
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, false
	}
	var f textField
	if json.Unmarshal(raw, &f) == nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		return f.Text, false
	}
	return string(raw), true
}

// rawFloat reads a Moodle number that may be a string; "" is 0.
func rawFloat(t *testing.T, raw json.RawMessage) float64 {
	t.Helper()
	s, _ := rawText(t, raw)
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("harness number %s: %v", raw, err)
	}
	return f
}

// compareQuestion checks every field Moodle produced against ours.
func compareQuestion(t *testing.T, where string, want harnessQuestion, got Question) {
	t.Helper()
	errorf := func(field string, w, g any) {
		t.Helper()
		t.Errorf("%s: %s: Moodle %q, got %q", where, field, w, g)
	}
	if moodleTypes[want.QType] != got.Type {
		errorf("type", want.QType, got.Type)
		return
	}
	if got.Type == Category {
		if got.Category != want.Category {
			errorf("category", want.Category, got.Category)
		}
		return
	}
	if got.Name != want.Name {
		// The harness's names for unnamed questions are approximations of
		// Moodle's shorten_text(); only the shortened ones differ.
		w, g := strings.TrimSuffix(want.Name, "..."), strings.TrimSuffix(got.Name, "...")
		if !strings.HasSuffix(want.Name, "...") || !strings.HasSuffix(got.Name, "...") || !strings.HasPrefix(w, g) {
			errorf("name", want.Name, got.Name)
		}
	}
	if got.Text != want.QuestionText {
		errorf("text", want.QuestionText, got.Text)
	}
	if moodleFormats[want.QuestionTextFormat] != got.Format {
		errorf("format", moodleFormats[want.QuestionTextFormat], got.Format)
	}
	if got.GeneralFeedback != want.GeneralFeedback {
		errorf("general feedback", want.GeneralFeedback, got.GeneralFeedback)
	}
	if got.ID != want.IDNumber {
		errorf("id", want.IDNumber, got.ID)
	}
	if strings.Join(got.Tags, "|") != strings.Join(want.Tags, "|") || len(got.Tags) != len(want.Tags) {
		errorf("tags", want.Tags, got.Tags)
	}

	switch got.Type {
	case MultiChoice, ShortAnswer, Numerical:
		if got.Type == MultiChoice && (want.Single == nil || (*want.Single == 1) != got.Single) {
			errorf("single", want.Single, got.Single)
		}
		if len(got.Answers) != len(want.Answer) || len(want.Fraction) != len(want.Answer) || len(want.Feedback) != len(want.Answer) {
			t.Errorf("%s: Moodle has %d answers, got %d", where, len(want.Answer), len(got.Answers))
			return
		}
		for i, a := range got.Answers {
			at := where + " answer " + strconv.Itoa(i+1)
			text, isNumber := rawText(t, want.Answer[i])
			switch {
			case isNumber:
				if v, err := strconv.ParseFloat(a.Text, 64); err != nil || v != rawFloat(t, want.Answer[i]) {
					errorf(at+" value", text, a.Text)
				}
			case a.Text != text:
				errorf(at+" text", text, a.Text)
			}
			if a.Fraction != want.Fraction[i] {
				t.Errorf("%s fraction: Moodle %v, got %v", at, want.Fraction[i], a.Fraction)
			}
			if a.Feedback != want.Feedback[i].Text {
				errorf(at+" feedback", want.Feedback[i].Text, a.Feedback)
			}
			if got.Type == Numerical {
				if len(want.Tolerance) != len(want.Answer) {
					t.Fatalf("%s: harness has %d tolerances for %d answers", where, len(want.Tolerance), len(want.Answer))
				}
				if w := rawFloat(t, want.Tolerance[i]); a.Tolerance != w {
					t.Errorf("%s tolerance: Moodle %v, got %v", at, w, a.Tolerance)
				}
			}
		}
	case TrueFalse:
		if want.CorrectAnswer == nil || want.FeedbackTrue == nil || want.FeedbackFalse == nil {
			t.Fatalf("%s: harness true/false question lacks its fields", where)
		}
		if (*want.CorrectAnswer == 1) != got.Correct {
			errorf("correct", *want.CorrectAnswer, got.Correct)
		}
		if got.FeedbackTrue != want.FeedbackTrue.Text {
			errorf("feedback for answering true", want.FeedbackTrue.Text, got.FeedbackTrue)
		}
		if got.FeedbackFalse != want.FeedbackFalse.Text {
			errorf("feedback for answering false", want.FeedbackFalse.Text, got.FeedbackFalse)
		}
	case Matching:
		if len(got.Pairs) != len(want.Subquestions) || len(want.Subanswers) != len(want.Subquestions) {
			t.Errorf("%s: Moodle has %d pairs, got %d", where, len(want.Subquestions), len(got.Pairs))
			return
		}
		for i, p := range got.Pairs {
			if p.Question != want.Subquestions[i].Text || p.Answer != want.Subanswers[i] {
				errorf("pair "+strconv.Itoa(i+1), want.Subquestions[i].Text+" -> "+want.Subanswers[i], p.Question+" -> "+p.Answer)
			}
		}
	}
}

// checkAgainstHarness compares parsed questions with Moodle's, question by
// question. A question whose grades Moodle's import would reject must be
// missing from ours and reported as an Error between its neighbours' lines.
func checkAgainstHarness(t *testing.T, file string, want harnessFile, got []Question, errs []Error) {
	t.Helper()
	if len(want.Questions) != want.QuestionCount {
		t.Fatalf("%s: harness lists %d questions but says %d", file, len(want.Questions), want.QuestionCount)
	}
	type rejectedAt struct{ after, index int }
	var rejected []rejectedAt
	j := 0
	for i, w := range want.Questions {
		if w.rejected() {
			rejected = append(rejected, rejectedAt{after: j, index: i})
			continue
		}
		if j >= len(got) {
			t.Errorf("%s: question %d (%q) missing; errors: %v", file, i+1, w.Name, errs)
			continue
		}
		compareQuestion(t, file+" question "+strconv.Itoa(i+1), w, got[j])
		j++
	}
	if j != len(got) {
		t.Errorf("%s: got %d questions, Moodle accepts %d", file, len(got), j)
	}
	if len(errs) != len(rejected) {
		t.Errorf("%s: got errors %v, want %d (one per question whose grades Moodle rejects)", file, errs, len(rejected))
	}
	for _, r := range rejected {
		lo, hi := 0, int(^uint(0)>>1)
		if r.after > 0 && r.after-1 < len(got) {
			lo = got[r.after-1].Line
		}
		if r.after < len(got) {
			hi = got[r.after].Line
		}
		found := false
		for _, e := range errs {
			found = found || (e.Line > lo && e.Line < hi)
		}
		if !found {
			t.Errorf("%s: question %d has grades Moodle rejects, but no error between lines %d and %d: %v",
				file, r.index+1, lo, hi, errs)
		}
	}
}

// loadHarness reads one expected/*.harness.json.
func loadHarness(t *testing.T, parts ...string) harnessFile {
	t.Helper()
	var h harnessFile
	if err := json.Unmarshal(readConformance(t, parts...), &h); err != nil {
		t.Fatalf("harness %v: %v", parts, err)
	}
	return h
}

func TestConformanceGIFT(t *testing.T) {
	tests := []struct {
		file, harness string
		questions     int
	}{
		{"examples.gift.txt", "examples.gift.harness.json", 43},
		{"questions.gift.txt", "questions.gift.harness.json", 9},
		{"questions_in_category.gift.txt", "questions_in_category.gift.harness.json", 5},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src := readConformance(t, "gift", tt.file)
			want := loadHarness(t, "gift", "expected", tt.harness)
			got, errs := ParseGIFT(src)
			if len(got) != tt.questions || len(errs) != 0 {
				t.Errorf("got %d questions and errors %v, want %d questions and no errors", len(got), errs, tt.questions)
			}
			checkAgainstHarness(t, tt.file, want, got, errs)
			for _, q := range got {
				if q.Line < 1 || !bytes.Contains(bytes.Split(src, []byte("\n"))[q.Line-1], []byte(firstWord(q))) {
					t.Errorf("%s: question %q has line %d, which does not hold its start", tt.file, q.Name, q.Line)
				}
			}
		})
	}
}

// firstWord is a word a question's first line surely contains: the start of
// its name when named, else the start of its text.
func firstWord(q Question) string {
	if q.Type == Category {
		return "$CATEGORY"
	}
	for _, s := range []string{q.Name, q.Text} {
		if f := strings.Fields(s); len(f) > 0 {
			return strings.Trim(f[0], "*")
		}
	}
	return ""
}

func TestConformanceGIFTWindows1252IsRefused(t *testing.T) {
	src := readConformance(t, "gift", "questions_encoding_windows-1252.gift.txt")
	got, errs := ParseGIFT(src)
	if len(got) != 0 {
		t.Errorf("got %d questions from a windows-1252 file, want none", len(got))
	}
	if len(errs) != 1 || errs[0].Line != 15 || !strings.Contains(errs[0].Message, "not UTF-8") ||
		!strings.Contains(errs[0].Message, "save it as UTF-8") {
		t.Errorf("errors = %v, want one at line 15 saying the file is not UTF-8 and must be saved as UTF-8", errs)
	}
}

func TestConformanceAiken(t *testing.T) {
	tests := []struct {
		file, harness string
		questions     int
		errorLines    []int
	}{
		{"questions.aiken.txt", "questions.aiken.harness.json", 2, nil},
		{"aiken_errors.txt", "aiken_errors.harness.json", 3, []int{3, 5, 7, 18}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, errs := ParseAiken(readConformance(t, "aiken", tt.file))
			want := loadHarness(t, "aiken", "expected", tt.harness)
			if len(got) != tt.questions {
				t.Errorf("got %d questions, want %d", len(got), tt.questions)
			}
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
			}
			if !slices.Equal(lines, tt.errorLines) {
				t.Errorf("error lines = %v, want %v (errors %v)", lines, tt.errorLines, errs)
			}
			if len(want.Errors) != len(tt.errorLines) {
				t.Errorf("harness has %d errors, test expects %d", len(want.Errors), len(tt.errorLines))
			}
			// Aiken questions carry no id or tags; the harness omits them.
			for i := range want.Questions {
				want.Questions[i].Tags = nil
			}
			checkAgainstHarness(t, tt.file, harnessFile{QuestionCount: want.QuestionCount, Questions: want.Questions}, got, nil)
		})
	}
}

func TestConformanceRoundTrip(t *testing.T) {
	for _, file := range []string{"examples.gift.txt", "questions.gift.txt", "questions_in_category.gift.txt"} {
		t.Run(file, func(t *testing.T) {
			first, errs := ParseGIFT(readConformance(t, "gift", file))
			if len(errs) != 0 {
				t.Fatalf("errors: %v", errs)
			}
			assertRoundTrip(t, first)
		})
	}
	t.Run("aiken", func(t *testing.T) {
		first, _ := ParseAiken(readConformance(t, "aiken", "aiken_errors.txt"))
		assertRoundTrip(t, first)
	})
}
