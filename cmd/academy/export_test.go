package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/accounts"
	"aftercare/content"
	"aftercare/courses"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/xapi"
	"aftercare/xapi/xapitest"
)

// exported is the part of a statement the tests read.
type exported struct {
	ID    string `json:"id"`
	Actor struct {
		Name    string `json:"name"`
		Account struct {
			HomePage string `json:"homePage"`
			Name     string `json:"name"`
		} `json:"account"`
	} `json:"actor"`
	Verb struct {
		ID      string            `json:"id"`
		Display map[string]string `json:"display"`
	} `json:"verb"`
	Object struct {
		ID         string `json:"id"`
		Definition struct {
			Type            string `json:"type"`
			InteractionType string `json:"interactionType"`
		} `json:"definition"`
	} `json:"object"`
	Result *struct {
		Score *struct {
			Scaled float64  `json:"scaled"`
			Raw    *float64 `json:"raw"`
		} `json:"score"`
		Success    *bool   `json:"success"`
		Completion *bool   `json:"completion"`
		Response   *string `json:"response"`
		Duration   string  `json:"duration"`
	} `json:"result"`
	Context struct {
		Registration      string `json:"registration"`
		ContextActivities struct {
			Parent []struct {
				ID string `json:"id"`
			} `json:"parent"`
		} `json:"contextActivities"`
	} `json:"context"`
	Timestamp string `json:"timestamp"`
	Version   string `json:"version"`
}

// verb is the last part of a verb IRI: completed, passed, failed, answered, attempted.
func (s exported) verb() string { return s.Verb.ID[strings.LastIndex(s.Verb.ID, "/")+1:] }

// correctResponse answers a question right, for a layout in the author's order (quiz.NewLayout
// with no shuffling). Essays are left blank, so the attempt is graded at once.
func correctResponse(q quiz.Question) quiz.Response {
	best := func() quiz.Answer {
		b := q.Answers[0]
		for _, a := range q.Answers {
			if a.Fraction > b.Fraction {
				b = a
			}
		}
		return b
	}
	switch q.Type {
	case quiz.MultiChoice:
		var r quiz.Response
		for i, a := range q.Answers {
			if (q.Single && a.Fraction == best().Fraction) || (!q.Single && a.Fraction > 0) {
				r.Choices = append(r.Choices, i)
				if q.Single {
					break
				}
			}
		}
		return r
	case quiz.TrueFalse:
		if q.Correct {
			return quiz.Response{Choices: []int{0}}
		}
		return quiz.Response{Choices: []int{1}}
	case quiz.ShortAnswer:
		return quiz.Response{Text: strings.ReplaceAll(best().Text, "*", "")}
	case quiz.Numerical:
		if t := best().Text; t != "*" {
			return quiz.Response{Number: t}
		}
		return quiz.Response{Number: "1"}
	case quiz.Matching:
		choice := map[string]int{}
		for _, p := range q.Pairs {
			if _, ok := choice[p.Answer]; !ok {
				choice[p.Answer] = len(choice)
			}
		}
		r := quiz.Response{Matches: map[int]int{}}
		stem := 0
		for _, p := range q.Pairs {
			if p.Question != "" {
				r.Matches[stem] = choice[p.Answer]
				stem++
			}
		}
		return r
	}
	return quiz.Response{}
}

// seedExport fills a database through the store, on a fake clock:
//
//   - 2026-03-01 (Shanghai): 王小明 reads module A long enough and passes its quiz (a module
//     completion); passes module B's quiz without reading it (no completion); one drill is
//     released and another is only started.
//   - 2026-03-05 01:00 Shanghai (2026-03-04 17:00 UTC): 张小红 takes every module's quiz,
//     answering right (essays blank), then fails module A's quiz with no answers, then passes
//     the onboarding assessment; one attempt stays open.
//
// It returns the database path and the number of statements each day should give.
func seedExport(t *testing.T, cat *courses.Catalog) (db string, day1, day5 int, a, b *courses.Module) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(t.TempDir(), "academy.db")
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	st.Now = func() time.Time { return now }
	if _, err := st.EnsureShop(ctx, "001", "一店"); err != nil {
		t.Fatal(err)
	}
	user := func(login, name string, role accounts.Role) accounts.User {
		u, err := st.CreateUser(ctx, accounts.NewUser{Login: login, Name: name, Role: role, ShopCode: "001"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	wang, zhang := user("xiaowang", "王小明", accounts.Trainee), user("xiaohong", "张小红", accounts.Trainee)
	li := user("laoli", "李主管", accounts.Supervisor)

	lookup := func(key string) (quiz.Question, bool) {
		b, ok := cat.Question(key)
		if !ok {
			return quiz.Question{}, false
		}
		return b.Question, true
	}
	// takeQuiz starts and submits a quiz 12 min 30 s apart; answer gives each response.
	takeQuiz := func(u accounts.User, quizID string, pass int, questions []quiz.Banked, answer func(quiz.Question) quiz.Response) quiz.Attempt {
		t.Helper()
		keys := make([]string, len(questions))
		layouts := make([]quiz.Layout, len(questions))
		responses := map[int]quiz.Response{}
		for i, q := range questions {
			keys[i], layouts[i], responses[i] = q.Key, quiz.NewLayout(q.Question, nil), answer(q.Question)
		}
		rules := quiz.AttemptRules{Pass: pass}
		at, _, err := st.StartAttempt(ctx, u.ID, quizID, rules, keys, layouts)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(12*time.Minute + 30*time.Second)
		at, err = st.SubmitAttempt(ctx, at.ID, u.ID, rules, responses, lookup)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		return at
	}
	take := func(u accounts.User, m *courses.Module, answer func(quiz.Question) quiz.Response) quiz.Attempt {
		t.Helper()
		return takeQuiz(u, "module:"+m.ID, m.Pass, m.Questions, answer)
	}
	hasEssay := func(m *courses.Module) bool {
		for _, q := range m.Questions {
			if q.Question.Type == quiz.Essay {
				return true
			}
		}
		return false
	}
	var modules []*courses.Module
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			if len(m.Questions) == 0 {
				continue
			}
			modules = append(modules, m)
			if m.Minutes > 0 && !hasEssay(m) {
				if a == nil {
					a = m
				} else if b == nil {
					b = m
				}
			}
		}
	}
	if a == nil || b == nil {
		t.Fatal("the bundled content has no two modules with a reading minimum and no essay")
	}

	// Day 1: read module A for its minimum and a minute more, in steps under the idle gap.
	if err := st.RecordModuleVisit(ctx, wang.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	capOf := func(string) time.Duration { return tracking.DefaultSeatRules.ModuleCap(a.Minutes) }
	for read := time.Duration(0); read <= time.Duration(a.Minutes+1)*time.Minute; read += 4 * time.Minute {
		if err := st.RecordActivity(ctx, wang.ID, a.ID, tracking.DefaultSeatRules, capOf); err != nil {
			t.Fatal(err)
		}
		now = now.Add(4 * time.Minute)
	}
	if err := st.RecordActivity(ctx, wang.ID, "", tracking.DefaultSeatRules, capOf); err != nil {
		t.Fatal(err)
	}
	if at := take(wang, a, correctResponse); !at.Passed {
		t.Fatalf("right answers failed module %s: %+v", a.ID, at)
	}
	if err := st.RecordModuleVisit(ctx, wang.ID, b.ID); err != nil { // opened, not read
		t.Fatal(err)
	}
	if at := take(wang, b, correctResponse); !at.Passed {
		t.Fatalf("right answers failed module %s: %+v", b.ID, at)
	}
	day1 = 2*2 + len(a.Questions) + len(b.Questions) + 1 // two attempts, one module completion
	scenario := cat.Roleplays[0]
	drill := func(release bool) {
		id, err := st.CreateDrill(ctx, store.NewDrill{TraineeID: wang.ID, Scenario: scenario.Slug, Pass: scenario.Pass, RaterID: li.ID, StartNow: true})
		if err != nil {
			t.Fatal(err)
		}
		if !release {
			return
		}
		now = now.Add(20 * time.Minute)
		scores := map[string]int{}
		for _, c := range scenario.Rubric {
			scores[c.Key] = c.Levels[len(c.Levels)-1].Score
		}
		if err := st.SaveRating(ctx, id, li.ID, scenario.Rubric, store.RatingInput{Scores: scores}, true); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		if err := st.ReleaseDrill(ctx, id, li.ID); err != nil {
			t.Fatal(err)
		}
	}
	drill(true)
	drill(false)
	day1 += 2 // attempted, passed

	// Day 5, just after midnight in Shanghai.
	now = time.Date(2026, 3, 4, 17, 0, 0, 0, time.UTC)
	for _, m := range modules {
		take(zhang, m, correctResponse)
		day5 += 2 + len(m.Questions)
	}
	if at := take(zhang, a, func(quiz.Question) quiz.Response { return quiz.Response{} }); at.Passed {
		t.Fatal("an empty attempt passed")
	}
	day5 += 2 + len(a.Questions)
	// The onboarding programme's assessment, on five questions of the bank.
	onboarding, ok := cat.Programme("onboarding")
	if !ok {
		t.Fatal("no onboarding programme in the bundled content")
	}
	takeQuiz(zhang, "programme:onboarding", onboarding.Assessment.Pass, cat.Bank[:5], correctResponse)
	day5 += 2 + 5
	if _, _, err := st.StartAttempt(ctx, wang.ID, "module:"+a.ID, quiz.AttemptRules{Pass: a.Pass},
		[]string{a.Questions[0].Key}, []quiz.Layout{quiz.NewLayout(a.Questions[0].Question, nil)}); err != nil {
		t.Fatal(err)
	}
	return db, day1, day5, a, b
}

// runExport runs `academy export xapi` with the arguments and parses the JSON array it prints.
func runExport(t *testing.T, db string, args ...string) ([]exported, []json.RawMessage) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"export", "xapi", "--db", db}, args...), env(nil), &out, &errOut); err != nil {
		t.Fatalf("export %v: %v\n%s", args, err, errOut.String())
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatalf("export %v is not a JSON array: %v\n%.500s", args, err, out.String())
	}
	parsed := make([]exported, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &parsed[i]); err != nil {
			t.Fatal(err)
		}
	}
	return parsed, raw
}

// TestExportXAPI seeds one database and exports it in several ways.
func TestExportXAPI(t *testing.T) {
	cat, err := courses.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	db, day1, day5, a, b := seedExport(t, cat)
	schema := xapitest.MustLoad(t, xapitest.SchemaDir(filepath.Join("..", "..")))
	t.Run("every record as valid statements", func(t *testing.T) { exportEverything(t, schema, cat, db, day1, day5, a, b) })
	t.Run("since, out and JSON lines", func(t *testing.T) { exportSince(t, schema, db, day1, day5) })
}

// exportEverything validates every statement against the TinCan schema and checks the
// statements of each kind of record.
func exportEverything(t *testing.T, schema *xapitest.Validator, cat *courses.Catalog, db string, day1, day5 int, a, b *courses.Module) {

	all, raw := runExport(t, db)
	for i, r := range raw {
		if err := schema.Validate(r); err != nil {
			t.Errorf("statement %d is not valid xAPI: %v\n%s", i, err, r)
		}
	}
	if len(all) != day1+day5 {
		t.Fatalf("%d statements, want %d (day 1: %d, day 5: %d)", len(all), day1+day5, day1, day5)
	}
	count := map[string]int{}
	ids := map[string]bool{}
	var last string
	kinds := map[string]int{}
	for _, s := range all {
		kinds[s.Object.Definition.InteractionType]++
		count[s.verb()]++
		if ids[s.ID] {
			t.Errorf("statement id %s twice", s.ID)
		}
		ids[s.ID] = true
		if s.Timestamp < last {
			t.Errorf("statements out of time order: %s after %s", s.Timestamp, last)
		}
		last = s.Timestamp
		if s.Version != "1.0.3" || s.Actor.Account.HomePage != defaultBaseURL || s.Verb.Display["zh-CN"] == "" || s.Verb.Display["en-US"] != s.verb() {
			t.Errorf("statement %s: version %s, home page %s, verb %v", s.ID, s.Version, s.Actor.Account.HomePage, s.Verb.Display)
		}
	}
	// Every question type of the bundled bank comes out as its xAPI interaction type.
	want := map[quiz.Type]string{quiz.MultiChoice: "choice", quiz.TrueFalse: "true-false", quiz.ShortAnswer: "fill-in",
		quiz.Numerical: "numeric", quiz.Matching: "matching", quiz.Essay: "long-fill-in"}
	for _, q := range cat.Bank {
		if kinds[want[q.Question.Type]] == 0 {
			t.Errorf("no %s statement for the %s question %s (interaction types exported: %v)", want[q.Question.Type], q.Question.Type, q.Key, kinds)
		}
	}
	if kinds[""] != len(all)-count["answered"] {
		t.Errorf("%d statements without an interaction type, want all %d but the answers", kinds[""], len(all)-count["answered"])
	}
	attempts := 2 + countModules(cat) + 2
	if count["completed"] != attempts+1 || count["passed"]+count["failed"] != attempts+1 || count["attempted"] != 1 ||
		count["answered"] != len(all)-2*attempts-1-2 {
		t.Errorf("verbs %v for %d attempts, a module completion and a drill", count, attempts)
	}

	// 王小明's first attempt: completed, then passed, then one answer per question.
	var wang []exported
	for _, s := range all {
		if s.Actor.Account.Name == "xiaowang" {
			wang = append(wang, s)
		}
	}
	quizID := defaultBaseURL + "/quizzes/module:" + a.ID
	first := wang[0]
	if first.verb() != "completed" || first.Object.ID != quizID || first.Actor.Name != "王小明" ||
		first.Object.Definition.Type != "http://adlnet.gov/expapi/activities/assessment" {
		t.Fatalf("first statement: %+v", first)
	}
	if first.Result == nil || first.Result.Duration != "PT12M30S" || first.Result.Score == nil || first.Result.Score.Scaled != 1 ||
		*first.Result.Score.Raw != 100 || first.Context.Registration == "" {
		t.Errorf("completed result: %+v", first.Result)
	}
	if len(first.Context.ContextActivities.Parent) != 1 || first.Context.ContextActivities.Parent[0].ID != defaultBaseURL+"/courses/"+a.ID {
		t.Errorf("quiz parent: %+v", first.Context.ContextActivities)
	}
	if v := wang[1]; v.verb() != "passed" || !*v.Result.Success || v.Context.Registration != first.Context.Registration {
		t.Errorf("verdict: %+v", v)
	}
	for _, s := range wang[2 : 2+len(a.Questions)] {
		if s.verb() != "answered" || !*s.Result.Success || s.Result.Score.Scaled != 1 || s.Result.Response == nil ||
			s.Object.Definition.Type != "http://adlnet.gov/expapi/activities/cmi.interaction" || s.Object.Definition.InteractionType == "" ||
			!strings.HasPrefix(s.Object.ID, defaultBaseURL+"/questions/") || s.Context.Registration != first.Context.Registration {
			t.Errorf("answer: %+v", s)
		}
	}
	// A module completion for A (read and passed), none for B (passed, not read).
	var completions []exported
	for _, s := range all {
		if s.Object.Definition.Type == "http://adlnet.gov/expapi/activities/module" {
			completions = append(completions, s)
		}
	}
	if len(completions) != 1 || completions[0].Object.ID != defaultBaseURL+"/courses/"+a.ID || completions[0].verb() != "completed" ||
		completions[0].Context.ContextActivities.Parent[0].ID != defaultBaseURL+"/courses/"+a.Course.Slug ||
		completions[0].Result.Duration == "" || completions[0].Actor.Account.Name != "xiaowang" {
		t.Errorf("module completions (want only %s, not %s): %+v", a.ID, b.ID, completions)
	}
	// The released drill, rated at the top of every criterion; the started one is not there.
	var drills []exported
	for _, s := range all {
		if strings.HasPrefix(s.Object.ID, defaultBaseURL+"/roleplays/") {
			drills = append(drills, s)
		}
	}
	if len(drills) != 2 || drills[0].verb() != "attempted" || drills[1].verb() != "passed" || drills[1].Result.Score.Scaled != 1 ||
		drills[1].Result.Duration != "PT20M" || drills[0].Context.Registration != drills[1].Context.Registration {
		t.Errorf("drills: %+v", drills)
	}
	// Every attempt's scaled score is its percentage over 100, and success its verdict.
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	finished, err := st.FinishedAttemptsSince(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// The registration of an attempt's statements is the UUID of the attempt's key.
	platform, _ := xapi.NewPlatform(defaultBaseURL)
	verdicts := map[string]exported{}
	for _, s := range all {
		if s.verb() == "passed" || s.verb() == "failed" {
			verdicts[s.Context.Registration] = s
		}
	}
	failedAttempts := 0
	for _, at := range finished {
		v, ok := verdicts[platform.UUID("attempt/"+strconv.FormatInt(at.ID, 10))]
		if !ok || v.Object.ID != defaultBaseURL+"/quizzes/"+at.Quiz || v.Actor.Account.Name != at.Login || v.Actor.Name != at.Name {
			t.Errorf("attempt %d by %s at %s: verdict %+v", at.ID, at.Login, at.Quiz, v)
			continue
		}
		if math.Abs(v.Result.Score.Scaled-at.Score/100) > 1e-12 || *v.Result.Success != at.Passed || (v.verb() == "passed") != at.Passed {
			t.Errorf("attempt %d (%.2f%%, passed %v): %s with scaled %v, success %v", at.ID, at.Score, at.Passed, v.verb(), v.Result.Score.Scaled, *v.Result.Success)
		}
		if !at.Passed {
			failedAttempts++
		}
	}
	if len(finished) != attempts || failedAttempts == 0 {
		t.Errorf("%d finished attempts (want %d), %d failed", len(finished), attempts, failedAttempts)
	}
	// The assessment belongs to its programme.
	assessments := 0
	for _, s := range all {
		if s.verb() == "passed" && s.Object.ID == defaultBaseURL+"/quizzes/programme:onboarding" {
			assessments++
			if len(s.Context.ContextActivities.Parent) != 1 || s.Context.ContextActivities.Parent[0].ID != defaultBaseURL+"/programmes/onboarding" {
				t.Errorf("assessment context: %+v", s.Context)
			}
		}
	}
	if assessments != 1 {
		t.Errorf("%d passed assessments, want 1", assessments)
	}
	// 张小红's empty attempt at module A: failed, and every answer wrong with an empty response.
	var empty string
	for _, s := range all {
		if s.verb() == "failed" && s.Actor.Account.Name == "xiaohong" && s.Object.ID == quizID && s.Result.Score.Scaled == 0 {
			empty = s.Context.Registration
		}
	}
	answers := 0
	for _, s := range all {
		if s.verb() == "answered" && s.Context.Registration == empty {
			answers++
			if *s.Result.Success || *s.Result.Response != "" || s.Result.Score.Scaled != 0 {
				t.Errorf("empty answer: %+v", s.Result)
			}
		}
	}
	if empty == "" || answers != len(a.Questions) {
		t.Errorf("the empty attempt: registration %q, %d answers", empty, answers)
	}

	// Exporting again (since a time before everything) gives the same statements, same ids.
	again, _ := runExport(t, db, "--since", "2026-03-01T00:00:00+08:00")
	if len(again) != len(all) {
		t.Fatalf("--since before everything: %d statements, want %d", len(again), len(all))
	}
	for i := range all {
		if again[i].ID != all[i].ID {
			t.Fatalf("statement %d changed id between exports: %s, %s", i, all[i].ID, again[i].ID)
		}
	}
}

func countModules(cat *courses.Catalog) int {
	n := 0
	for _, co := range cat.Courses {
		for _, m := range co.Modules {
			if len(m.Questions) > 0 {
				n++
			}
		}
	}
	return n
}

// exportSince checks --since in both forms, bad dates, --out, --jsonl and the base URL.
func exportSince(t *testing.T, schema *xapitest.Validator, db string, day1, day5 int) {
	ctx := context.Background()

	// A date is midnight in Shanghai: day 5's records (01:00 there, still 4 March in UTC) are in.
	later, _ := runExport(t, db, "--since", "2026-03-05")
	if len(later) != day5 {
		t.Fatalf("--since 2026-03-05: %d statements, want %d", len(later), day5)
	}
	for _, s := range later {
		if s.Actor.Account.Name != "xiaohong" || s.Timestamp < "2026-03-04T16:00:00Z" {
			t.Errorf("--since 2026-03-05 let through %s by %s at %s", s.verb(), s.Actor.Account.Name, s.Timestamp)
		}
	}
	if none, _ := runExport(t, db, "--since", "2026-03-06T00:00:00+08:00"); len(none) != 0 {
		t.Errorf("--since after everything: %d statements", len(none))
	}
	for _, bad := range []string{"2026-13-01", "5 March", "2026/03/05"} {
		var errOut bytes.Buffer
		err := run(ctx, []string{"export", "xapi", "--db", db, "--since", bad}, env(nil), io.Discard, &errOut)
		if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "YYYY-MM-DD") {
			t.Errorf("--since %q: %v", bad, err)
		}
	}
	if err := run(ctx, []string{"export", "csv", "--db", db}, env(nil), io.Discard, io.Discard); err == nil {
		t.Error("export csv was accepted")
	}
	if err := run(ctx, []string{"export", "xapi", "--db", db, "--base-url", "academy.example.com"}, env(nil), io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--base-url") {
		t.Errorf("a base URL without scheme: %v", err)
	}

	// --out with --jsonl and another base URL: one valid statement per line, ids under it.
	file := filepath.Join(t.TempDir(), "statements.jsonl")
	var out bytes.Buffer
	vars := map[string]string{"ACADEMY_BASE_URL": "https://academy.example.com/"}
	if err := run(ctx, []string{"export", "xapi", "--db", db, "--since", "2026-03-05", "--jsonl", "--out", file}, env(vars), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != day5 || !strings.Contains(out.String(), file) {
		t.Fatalf("%d lines in %s, want %d; said %q", len(lines), file, day5, out.String())
	}
	for i, line := range lines {
		if err := schema.Validate([]byte(line)); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
		var s exported
		if err := json.Unmarshal([]byte(line), &s); err != nil || s.Actor.Account.HomePage != "https://academy.example.com" ||
			!strings.HasPrefix(s.Object.ID, "https://academy.example.com/") {
			t.Errorf("line %d: %v %+v", i+1, err, s)
		}
	}
	// The same records under another address get other ids.
	var first exported
	json.Unmarshal([]byte(lines[0]), &first)
	if first.ID == later[0].ID {
		t.Error("two base URLs gave the same statement id")
	}
}
