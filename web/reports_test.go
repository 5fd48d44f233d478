package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"aftercare/quiz"
)

// takeQuiz has the client take a module's quiz with the right answers, or none.
func takeQuiz(t *testing.T, env *testEnv, c *client, moduleURL string, right bool) int64 {
	t.Helper()
	token := c.csrfFrom(moduleURL)
	r, _ := c.post(moduleURL+"/quiz", url.Values{}, token)
	id := attemptID(t, r)
	form := url.Values{}
	if right {
		a, _ := env.store.Attempt(t.Context(), id)
		form = rightAnswers(t, env, a)
	}
	if r, _ := c.post("/attempts/"+strconv.FormatInt(id, 10)+"/submit", form, token); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	return id
}

func TestQuizReportsAreScopedAndExport(t *testing.T) {
	env := newTestEnv(t)
	m := realCatalog(t).Courses[0].Modules[1]
	takeQuiz(t, env, env.as("trainee-a"), m.URL(), true)
	takeQuiz(t, env, env.as("trainee-b"), m.URL(), false)
	report := "/reports/quiz?quiz=" + url.QueryEscape("module:"+m.ID)

	if r := env.as("trainee-a").get("/reports/quizzes"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("trainee opens reports: %d", r.StatusCode)
	}
	superA := env.as("super-a")
	r := superA.get(report)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "学员甲") || strings.Contains(r.body, "学员乙") {
		t.Fatalf("supervisor A's report must show trainee A only (status %d)", r.StatusCode)
	}
	if !strings.Contains(r.body, "逐题分析") || !strings.Contains(r.body, "难度") {
		t.Error("item analysis missing")
	}
	if strings.Contains(r.body, "预览重新评分") {
		t.Error("a supervisor is offered the regrade")
	}
	admin := env.as("admin")
	if r := admin.get(report); !strings.Contains(r.body, "学员甲") || !strings.Contains(r.body, "学员乙") {
		t.Error("admin report must show both stores")
	}
	if r := admin.get("/reports/quizzes"); !strings.Contains(r.body, m.Title) {
		t.Error("quiz list lacks the module")
	}
	csv := superA.get("/reports/quiz.csv?quiz=" + url.QueryEscape("module:"+m.ID))
	if csv.StatusCode != http.StatusOK || !strings.HasPrefix(csv.body, "\ufeff答卷,") || !strings.Contains(csv.body, "学员甲") || strings.Contains(csv.body, "学员乙") {
		t.Fatalf("CSV export: %d %q", csv.StatusCode, csv.body)
	}
	if r := superA.get("/reports/quiz?quiz=module:no/such"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown quiz: %d", r.StatusCode)
	}
}

func TestRegradeDryRunThenApplyIsAudited(t *testing.T) {
	env := newTestEnv(t)
	m := realCatalog(t).Courses[4].Modules[0]
	id := takeQuiz(t, env, env.as("trainee-a"), m.URL(), true)
	a, _ := env.store.Attempt(t.Context(), id)
	// Pretend the attempt was graded under an earlier, wrong version of the questions.
	zero := quiz.Regraded{Marks: make([]quiz.Mark, len(a.Items)), Score: 0, Passed: false, State: quiz.Finished}
	if err := env.store.ApplyRegrade(t.Context(), 0, a, zero); err != nil {
		t.Fatal(err)
	}
	admin := env.as("admin")
	token := admin.csrfFrom("/reports/quizzes")
	form := url.Values{"quiz": {"module:" + m.ID}}
	r, _ := admin.post("/reports/quiz/regrade", form, token)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "重新评分预览") || !strings.Contains(r.body, "1 份的成绩会改变") {
		t.Fatalf("dry run: %d", r.StatusCode)
	}
	if a, _ = env.store.Attempt(t.Context(), id); a.Score != 0 {
		t.Fatal("the dry run changed the score")
	}
	form.Set("apply", "1")
	r, _ = admin.post("/reports/quiz/regrade", form, token)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "已重新评分") {
		t.Fatalf("apply: %d", r.StatusCode)
	}
	if a, _ = env.store.Attempt(t.Context(), id); a.Score < 99.999 || !a.Passed {
		t.Fatalf("after regrade: %.2f passed=%v", a.Score, a.Passed)
	}
	log, _ := env.store.AuditLog(t.Context(), 20)
	n := 0
	for _, e := range log {
		if e.Action == "attempt.regrade" && e.Object == "attempt:"+strconv.FormatInt(id, 10) {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d regrade entries in the audit log, want 2 (the simulated old grading and the regrade)", n)
	}
	if r, _ := env.as("super-a").post("/reports/quiz/regrade", form, token); r.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor regrade: %d", r.StatusCode)
	}
}

func TestEssayQueueAccess(t *testing.T) {
	env := newTestEnv(t)
	if r := env.as("trainee-a").get("/reports/essays"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("trainee opens the grading queue: %d", r.StatusCode)
	}
	if r := env.as("super-a").get("/reports/essays"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "待评分") {
		t.Fatalf("supervisor queue: %d", r.StatusCode)
	}
	// A supervisor cannot "grade" an attempt of another store, nor one in progress.
	m := realCatalog(t).Courses[0].Modules[0]
	id := takeQuiz(t, env, env.as("trainee-b"), m.URL(), false)
	path := "/attempts/" + strconv.FormatInt(id, 10) + "/grade"
	if r := env.as("super-a").get(path); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other store's attempt grade form: %d", r.StatusCode)
	}
	c := env.as("super-a")
	if r, _ := c.post(path, url.Values{"pos": {"0"}, "score": {"100"}}, c.csrfFrom("/courses")); r.StatusCode != http.StatusNotFound {
		t.Fatalf("other store's attempt graded: %d", r.StatusCode)
	}
	// Only essays can be graded by hand; this quiz has none.
	c = env.as("super-b")
	if r, _ := c.post(path, url.Values{"pos": {"0"}, "score": {"100"}}, c.csrfFrom("/courses")); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a choice question graded by hand: %d", r.StatusCode)
	}
}
