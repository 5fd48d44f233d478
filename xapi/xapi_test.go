package xapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"aftercare/xapi/xapitest"
)

// A statement written by hand after the xAPI 1.0.3 specification's examples: the validator
// must accept it, and reject each broken copy below, or its verdict on our statements means
// nothing.
const specStatement = `{
  "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
  "actor": {"objectType": "Agent", "name": "Project Tin Can API", "mbox": "mailto:user@example.com"},
  "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
  "object": {"id": "http://example.adlnet.gov/xapi/example/simplestatement",
    "definition": {"name": {"en-US": "simple statement"}, "description": {"en-US": "A simple Experience API statement."}}},
  "result": {"score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100}, "success": true, "completion": true, "duration": "PT1H0M0S"},
  "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "platform": "Example", "language": "en-US"},
  "timestamp": "2013-05-18T05:32:34.804Z",
  "version": "1.0.3"
}`

func schema(t *testing.T) *xapitest.Validator {
	return xapitest.MustLoad(t, xapitest.SchemaDir(".."))
}

func TestValidatorAcceptsTheSpecExampleAndRejectsBrokenStatements(t *testing.T) {
	v := schema(t)
	if err := v.Validate([]byte(specStatement)); err != nil {
		t.Fatalf("the specification's example was refused: %v", err)
	}
	broken := map[string][2]string{
		"actor without an identifier":  {`"mbox": "mailto:user@example.com"`, `"openid": null`},
		"verb id not an IRI":           {`"id": "http://adlnet.gov/expapi/verbs/created"`, `"id": "created"`},
		"scaled score above 1":         {`"scaled": 0.95`, `"scaled": 1.5`},
		"duration not ISO 8601":        {`"duration": "PT1H0M0S"`, `"duration": "1 hour"`},
		"version not semantic":         {`"version": "1.0.3"`, `"version": "1.0"`},
		"statement id not a UUID":      {`"id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"`, `"id": "42"`},
		"registration not a UUID":      {`"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"`, `"registration": "attempt-1"`},
		"timestamp not a date":         {`"timestamp": "2013-05-18T05:32:34.804Z"`, `"timestamp": "yesterday"`},
		"unknown statement property":   {`"version": "1.0.3"`, `"version": "1.0.3", "grade": "A"`},
		"language map key not a tag":   {`"display": {"en-US": "created"}`, `"display": {"english!": "created"}`},
		"true-false pattern not bool":  {`"name": {"en-US": "simple statement"}`, `"name": {"en-US": "q"}, "interactionType": "true-false", "correctResponsesPattern": ["yes"]`},
		"interaction type not in list": {`"name": {"en-US": "simple statement"}`, `"name": {"en-US": "q"}, "interactionType": "essay"`},
	}
	for name, edit := range broken {
		if !strings.Contains(specStatement, edit[0]) {
			t.Fatalf("%s: the example lacks %s", name, edit[0])
		}
		if err := v.Validate([]byte(strings.Replace(specStatement, edit[0], edit[1], 1))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUUIDsAreVersion5AndStable(t *testing.T) {
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	p := &Platform{ns: dns}
	// RFC 4122's DNS namespace and "python.org": the value Python's uuid.uuid5 gives.
	if got := p.UUID("python.org"); got != "886313e1-3b8a-5372-9b90-0c9aee199e5d" {
		t.Fatalf("uuid5(DNS, python.org) = %s", got)
	}
	local, _ := NewPlatform("http://localhost:8080/")
	if got := local.UUID("attempt/1"); got != "5e9d56f1-cb63-5bfd-93f1-fcb9b9d8d55f" {
		t.Fatalf("uuid5(uuid5(URL, base), attempt/1) = %s", got)
	}
	other, _ := NewPlatform("https://academy.example.com")
	if other.UUID("attempt/1") == local.UUID("attempt/1") {
		t.Fatal("two platforms gave the same statement id")
	}
}

func TestNewPlatformRefusesAddressesThatAreNotAbsoluteHTTP(t *testing.T) {
	for _, bad := range []string{"", "localhost:8080", "/academy", "ftp://example.com", "https://", "https://x.example/?a=1", "https://u:p@x.example"} {
		if _, err := NewPlatform(bad); err == nil {
			t.Errorf("NewPlatform(%q) accepted", bad)
		}
	}
	p, err := NewPlatform("https://hr.example.com/academy/")
	if err != nil || p.BaseURL() != "https://hr.example.com/academy" {
		t.Fatalf("%v %v", p, err)
	}
	if id := p.Quiz("module:tiles/tile-problems", "").ID; id != "https://hr.example.com/academy/quizzes/module:tiles/tile-problems" {
		t.Errorf("quiz id %s", id)
	}
	if id := p.Question("tiles/tile-problems#色差 判定", "", "", Interaction{}).ID; id != "https://hr.example.com/academy/questions/tiles/tile-problems%23%E8%89%B2%E5%B7%AE%20%E5%88%A4%E5%AE%9A" {
		t.Errorf("question id %s", id)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "PT0S", -time.Minute: "PT0S", 12*time.Minute + 30*time.Second: "PT12M30S",
		2 * time.Hour: "PT2H", 26*time.Hour + 5*time.Second: "PT26H5S", 1400 * time.Millisecond: "PT1S",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %s, want %s", d, got, want)
		}
	}
}

func TestBuiltStatementsValidate(t *testing.T) {
	v := schema(t)
	p, _ := NewPlatform("http://localhost:8080")
	learner := p.Agent("trainee", "王小明")
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	attempt := QuizAttempt{ID: 7, Learner: learner, Quiz: p.Quiz("module:tiles/tile-problems", "瓷砖问题 · 测验"),
		Parent: []Activity{p.Module("tiles", "tile-problems", "瓷砖问题")}, Grouping: []Activity{p.Course("tiles", "瓷砖")},
		Started: start, Submitted: start.Add(12*time.Minute + 30*time.Second), Percent: 75, Passed: false,
		Answers: []Answer{
			{Position: 0, Question: p.Question("tiles/tile-problems#a", "选择", "哪个对？", Interaction{Type: "choice", CorrectResponses: []string{"2"},
				Choices: []Component{{ID: "1", Description: Text("甲")}, {ID: "2", Description: Text("乙")}}}), Response: "2", Graded: true, Fraction: 1, Correct: true},
			{Position: 1, Question: p.Question("tiles/tile-problems#b", "判断", "对吗？", Interaction{Type: "true-false", CorrectResponses: []string{"false"}}),
				Response: "true", Graded: true},
			{Position: 2, Question: p.Question("tiles/tile-problems#c", "配对", "", Interaction{Type: "matching", CorrectResponses: []string{"s1[.]t1"},
				Source: []Component{{ID: "s1", Description: Text("空鼓")}}, Target: []Component{{ID: "t1", Description: Text("敲击")}}}),
				Response: "s1[.]t1", Graded: true, Fraction: 1, Correct: true},
			{Position: 3, Question: p.Question("tiles/tile-problems#d", "简答", "", Interaction{Type: "long-fill-in"}), Response: "先道歉"},
			{Position: 4, Question: p.Question("tiles/tile-problems#e", "负分", "", Interaction{Type: "choice"}), Response: "1", Graded: true, Fraction: -0.5},
		}}
	statements := p.AttemptStatements(attempt)
	if len(statements) != 2+len(attempt.Answers) {
		t.Fatalf("%d statements", len(statements))
	}
	statements = append(statements, p.ModuleStatement(ModuleCompletion{UserID: 3, ModuleID: "tiles/tile-problems", Learner: learner,
		Module: p.Module("tiles", "tile-problems", "瓷砖问题"), Course: p.Course("tiles", "瓷砖"), Completed: start, SeatTime: 20 * time.Minute}))
	rater := p.Agent("super", "李主管")
	statements = append(statements, p.DrillStatements(DrillResult{ID: 4, Learner: learner, Rater: &rater,
		Scenario: p.Roleplay("tile-colour-difference", "色差投诉"), Started: start, Submitted: start.Add(time.Hour), Percent: 83.3, Passed: true})...)
	for _, s := range statements {
		data, _ := json.Marshal(s)
		if err := v.Validate(data); err != nil {
			t.Errorf("%s %s: %v\n%s", s.Verb.Display["en-US"], s.Object.ID, err, data)
		}
	}
	if statements[1].Verb.ID != Failed.ID || *statements[1].Result.Success || statements[1].Result.Score.Scaled != 0.75 {
		t.Errorf("verdict: %+v", statements[1])
	}
	if statements[0].Context.Registration != statements[2].Context.Registration || statements[0].ID == statements[1].ID {
		t.Error("an attempt's statements should share the registration and differ in id")
	}
	var buf bytes.Buffer
	if err := Write(&buf, statements[:2], true); err != nil || strings.Count(buf.String(), "\n") != 2 || !strings.Contains(buf.String(), "王小明") {
		t.Fatalf("JSON lines: %v\n%s", err, buf.String())
	}
}
