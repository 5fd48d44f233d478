// Package xapi writes the platform's learning records as xAPI 1.0.3 statements (the
// Experience API, also called Tin Can), the format learning record stores and HR systems
// read. It exists so a chain can take quiz results, module completions and drill results into
// its own systems without reading the platform's database, and so the shape of what leaves
// the platform is defined in one place.
//
// It uses the standard library only: it knows the statement format and the platform's
// activity addresses, not the database or the web layer. `academy export xapi` (cmd/academy)
// maps store rows and catalogue titles to the records here. Statement ids and registrations
// are name-based UUIDs (version 5) of the platform's base URL and the record, so exporting the
// same record twice gives the same statement and a record store drops the repeat.
package xapi

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Version is the xAPI version every statement declares.
const Version = "1.0.3"

// LanguageMap is text in several languages, keyed by RFC 5646 tag ("zh-CN", "en-US").
type LanguageMap map[string]string

// Verb is what the learner did; the ones used here are from ADL's vocabulary, which every
// record store understands.
type Verb struct {
	ID      string      `json:"id"`
	Display LanguageMap `json:"display,omitempty"`
}

// The ADL verbs the export uses, with Chinese and English display names.
var (
	Completed = Verb{ID: "http://adlnet.gov/expapi/verbs/completed", Display: LanguageMap{"zh-CN": "完成", "en-US": "completed"}}
	Passed    = Verb{ID: "http://adlnet.gov/expapi/verbs/passed", Display: LanguageMap{"zh-CN": "通过", "en-US": "passed"}}
	Failed    = Verb{ID: "http://adlnet.gov/expapi/verbs/failed", Display: LanguageMap{"zh-CN": "未通过", "en-US": "failed"}}
	Answered  = Verb{ID: "http://adlnet.gov/expapi/verbs/answered", Display: LanguageMap{"zh-CN": "作答", "en-US": "answered"}}
	Attempted = Verb{ID: "http://adlnet.gov/expapi/verbs/attempted", Display: LanguageMap{"zh-CN": "参加", "en-US": "attempted"}}
)

// The ADL activity types of the platform's activities. A question is an interaction activity,
// whose type the xAPI specification names cmi.interaction; a role-play drill is a performance
// (a task carried out and judged by an observer).
const (
	TypeCourse      = "http://adlnet.gov/expapi/activities/course"
	TypeModule      = "http://adlnet.gov/expapi/activities/module"
	TypeAssessment  = "http://adlnet.gov/expapi/activities/assessment"
	TypeInteraction = "http://adlnet.gov/expapi/activities/cmi.interaction"
	TypePerformance = "http://adlnet.gov/expapi/activities/performance"
)

// Agent is a person, identified by their account on the platform (homePage = the platform's
// base URL, name = login) rather than by e-mail, which staff records often lack.
type Agent struct {
	ObjectType string  `json:"objectType"`
	Name       string  `json:"name,omitempty"`
	Account    Account `json:"account"`
}

// Account is a login on a system, named by the system's home page.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// Activity is what a statement is about: a course, module, quiz, question or role-play.
type Activity struct {
	ObjectType string      `json:"objectType"`
	ID         string      `json:"id"`
	Definition *Definition `json:"definition,omitempty"`
}

// Definition describes an activity; the interaction fields are set only for questions.
type Definition struct {
	Name                    LanguageMap `json:"name,omitempty"`
	Description             LanguageMap `json:"description,omitempty"`
	Type                    string      `json:"type,omitempty"`
	InteractionType         string      `json:"interactionType,omitempty"`
	CorrectResponsesPattern []string    `json:"correctResponsesPattern,omitempty"`
	Choices                 []Component `json:"choices,omitempty"`
	Source                  []Component `json:"source,omitempty"`
	Target                  []Component `json:"target,omitempty"`
}

// Component is one option of a choice question or one side of a matching question; Response
// strings refer to options by ID.
type Component struct {
	ID          string      `json:"id"`
	Description LanguageMap `json:"description,omitempty"`
}

// Score is a result's score. Scaled runs from -1 to 1; Raw lies between Min and Max. Raw, Min
// and Max are left out when only a scaled score makes sense (one question's mark).
type Score struct {
	Scaled float64  `json:"scaled"`
	Raw    *float64 `json:"raw,omitempty"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
}

// Result is the outcome: score, success (passed), completion, the response to a question and
// the time taken as an ISO 8601 duration.
type Result struct {
	Score      *Score  `json:"score,omitempty"`
	Success    *bool   `json:"success,omitempty"`
	Completion *bool   `json:"completion,omitempty"`
	Response   *string `json:"response,omitempty"`
	Duration   string  `json:"duration,omitempty"`
}

// ContextActivities relate a statement to the activities around its object: parent is the
// direct container (the module of a quiz, the quiz of a question), grouping a wider one (the
// course).
type ContextActivities struct {
	Parent   []Activity `json:"parent,omitempty"`
	Grouping []Activity `json:"grouping,omitempty"`
}

// Context places a statement: the attempt it belongs to (registration), who rated it
// (instructor), the surrounding activities, the platform and the content language.
type Context struct {
	Registration      string             `json:"registration,omitempty"`
	Instructor        *Agent             `json:"instructor,omitempty"`
	ContextActivities *ContextActivities `json:"contextActivities,omitempty"`
	Platform          string             `json:"platform,omitempty"`
	Language          string             `json:"language,omitempty"`
}

// Statement is one xAPI statement: actor, verb, object, and what came of it.
type Statement struct {
	ID        string    `json:"id"`
	Actor     Agent     `json:"actor"`
	Verb      Verb      `json:"verb"`
	Object    Activity  `json:"object"`
	Result    *Result   `json:"result,omitempty"`
	Context   *Context  `json:"context,omitempty"`
	Timestamp string    `json:"timestamp"`
	Version   string    `json:"version"`
	at        time.Time // Timestamp as a time, for sorting
}

// Time is when the statement's event happened.
func (s Statement) Time() time.Time { return s.at }

// Timestamp formats an instant as the statements write it: RFC 3339 in UTC, to the second.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Duration formats a span as ISO 8601 (PT1H2M30S), to the whole second, as xAPI's result
// duration wants it. Negative spans (a clock set back) count as zero.
func Duration(d time.Duration) string {
	secs := int64(d.Round(time.Second) / time.Second)
	if secs <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("PT")
	if h := secs / 3600; h > 0 {
		b.WriteString(strconv.FormatInt(h, 10) + "H")
	}
	if m := secs % 3600 / 60; m > 0 {
		b.WriteString(strconv.FormatInt(m, 10) + "M")
	}
	if s := secs % 60; s > 0 {
		b.WriteString(strconv.FormatInt(s, 10) + "S")
	}
	return b.String()
}

// Write writes statements as one JSON array, or with lines as JSON lines (one compact
// statement per line, as record stores' bulk loaders read them). Chinese text is written as
// is, not escaped.
func Write(w io.Writer, statements []Statement, lines bool) error {
	if statements == nil {
		statements = []Statement{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if lines {
		for i := range statements {
			if err := enc.Encode(statements[i]); err != nil {
				return fmt.Errorf("statement %s: %w", statements[i].ID, err)
			}
		}
		return nil
	}
	enc.SetIndent("", "  ")
	return enc.Encode(statements)
}
