package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftercare/quiz"
)

// rightAnswers fills the attempt form with the right answer to every question, working from
// the stored layout exactly as a student would from the page they see.
func rightAnswers(t *testing.T, env *testEnv, a quiz.Attempt) url.Values {
	t.Helper()
	cat := realCatalog(t)
	form := url.Values{}
	for _, it := range a.Items {
		b, ok := cat.Question(it.Key)
		if !ok {
			t.Fatalf("attempt holds unknown question %s", it.Key)
		}
		q, name := b.Question, "q"+strconv.Itoa(it.Position)
		p := quiz.Present(q, it.Key, it.Layout)
		switch q.Type {
		case quiz.MultiChoice:
			for pos, idx := range it.Layout.Order {
				if q.Answers[idx].Fraction > 0 {
					form.Add(name, strconv.Itoa(pos))
				}
			}
		case quiz.TrueFalse:
			for _, o := range p.Options {
				if (o.Text == "True") == q.Correct {
					form.Set(name, strconv.Itoa(o.ID))
				}
			}
		case quiz.Matching:
			for stemPos, pairIdx := range it.Layout.Order {
				for choicePos, choiceIdx := range it.Layout.ChoiceOrder {
					if q.Pairs[choiceIdx].Answer == q.Pairs[pairIdx].Answer {
						form.Set(name+"."+strconv.Itoa(stemPos), strconv.Itoa(choicePos))
					}
				}
			}
		case quiz.Numerical, quiz.ShortAnswer:
			for _, ans := range q.Answers {
				if ans.Fraction >= 1 && !strings.Contains(ans.Text, "*") {
					form.Set(name, ans.Text)
					break
				}
			}
		}
	}
	return form
}

func attemptID(t *testing.T, r response) int64 {
	t.Helper()
	loc := r.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/attempts/"), 10, 64)
	if r.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("start attempt: %d to %q", r.StatusCode, loc)
	}
	return id
}

func TestModuleQuizIsGradedOnTheServerAndCountsOnce(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	m := realCatalog(t).Courses[1].Modules[0]
	token := trainee.csrfFrom(m.URL())
	r, _ := trainee.post(m.URL()+"/quiz", url.Values{}, token)
	id := attemptID(t, r)
	path := "/attempts/" + strconv.FormatInt(id, 10)

	page := trainee.get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "提交答卷") {
		t.Fatalf("attempt page: %d", page.StatusCode)
	}
	// Nothing on the page tells the right answer: no feedback, no weights, no answer indexes.
	for _, b := range m.Questions {
		for _, a := range b.Question.Answers {
			if a.Feedback != "" && strings.Contains(page.body, a.Feedback) && !strings.Contains(b.Question.Text, a.Feedback) {
				t.Errorf("answer feedback of %q is on the page before submission", b.Question.Name)
			}
		}
		if g := b.Question.GeneralFeedback; g != "" && strings.Contains(page.body, g) {
			t.Errorf("general feedback of %q is on the page before submission", b.Question.Name)
		}
	}
	if !strings.Contains(page.body, ">对</span>") {
		t.Error("true/false options are not shown in Chinese")
	}
	for _, leak := range []string{"fraction", "正确答案", "%100%", "####"} {
		if strings.Contains(page.body, leak) {
			t.Errorf("attempt page contains %q", leak)
		}
	}

	a, err := env.store.Attempt(t.Context(), id)
	if err != nil || len(a.Items) != len(m.Questions) {
		t.Fatalf("stored attempt: %v, %d items", err, len(a.Items))
	}
	form := rightAnswers(t, env, a)
	r, _ = trainee.post(path+"/submit", form, token)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", r.StatusCode, r.body)
	}
	review := trainee.get(path)
	if !strings.Contains(review.body, "100% · 通过") || !strings.Contains(review.body, "正确答案") {
		t.Fatalf("review after a perfect submit lacks the score or the right answers:\n%s", review.body)
	}
	// A replay of the same submit, with different answers, changes nothing.
	r, _ = trainee.post(path+"/submit", url.Values{}, token)
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("second submit: %d, want 409", r.StatusCode)
	}
	a, _ = env.store.Attempt(t.Context(), id)
	if a.State != quiz.Finished || a.Score < 99.999 || !a.Passed {
		t.Fatalf("after replay: %s %.1f passed=%v", a.State, a.Score, a.Passed)
	}
	// The progress page shows the result.
	if p := trainee.get("/me/progress"); !strings.Contains(p.body, "100%") {
		t.Error("progress page does not show the passed quiz")
	}
}

func TestWrongAnswersScoreLowAndTeach(t *testing.T) {
	env := newTestEnv(t)
	trainee := env.as("trainee-a")
	m := realCatalog(t).Courses[0].Modules[0]
	token := trainee.csrfFrom(m.URL())
	r, _ := trainee.post(m.URL()+"/quiz", url.Values{}, token)
	id := attemptID(t, r)
	r, _ = trainee.post("/attempts/"+strconv.FormatInt(id, 10)+"/submit", url.Values{}, token)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("empty submit: %d", r.StatusCode)
	}
	a, _ := env.store.Attempt(t.Context(), id)
	if a.Score != 0 || a.Passed {
		t.Fatalf("an empty attempt scored %.1f passed=%v", a.Score, a.Passed)
	}
	review := trainee.get("/attempts/" + strconv.FormatInt(id, 10))
	if !strings.Contains(review.body, "未通过") {
		t.Error("review does not say the attempt failed")
	}
	// A new attempt can be started after a failed one, and it is a new attempt.
	r, _ = trainee.post(m.URL()+"/quiz", url.Values{}, token)
	if next := attemptID(t, r); next == id {
		t.Fatal("a finished attempt was reopened")
	}
}

func TestAttemptOwnershipAndForgedAnswers(t *testing.T) {
	env := newTestEnv(t)
	owner := env.as("trainee-a")
	m := realCatalog(t).Courses[2].Modules[1]
	token := owner.csrfFrom(m.URL())
	r, _ := owner.post(m.URL()+"/quiz", url.Values{}, token)
	id := attemptID(t, r)
	path := "/attempts/" + strconv.FormatInt(id, 10)

	// Starting again resumes the open attempt instead of opening a second one.
	r, _ = owner.post(m.URL()+"/quiz", url.Values{}, token)
	if again := attemptID(t, r); again != id {
		t.Fatalf("second start opened attempt %d, want to resume %d", again, id)
	}
	// Forged option positions are refused whole and nothing is stored.
	a, _ := env.store.Attempt(t.Context(), id)
	choice := ""
	for _, it := range a.Items {
		if q, _ := realCatalog(t).Question(it.Key); choice == "" && (q.Question.Type == quiz.MultiChoice || q.Question.Type == quiz.TrueFalse) {
			choice = "q" + strconv.Itoa(it.Position)
		}
	}
	r, _ = owner.post(path+"/save", url.Values{choice: {"999"}}, token)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("forged option: %d, want 400", r.StatusCode)
	}
	r, _ = owner.post(path+"/save", url.Values{choice: {"abc"}}, token)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("non-numeric option: %d, want 400", r.StatusCode)
	}
	// Others: another trainee, the supervisor of another store → 404, like a missing attempt.
	for _, login := range []string{"trainee-b", "super-b"} {
		c := env.as(login)
		if got := c.get(path); got.StatusCode != http.StatusNotFound {
			t.Errorf("%s opens the attempt: %d, want 404", login, got.StatusCode)
		}
		r, _ := c.post(path+"/submit", url.Values{}, c.csrfFrom("/courses"))
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s submits the attempt: %d, want 404", login, r.StatusCode)
		}
	}
	if got := env.anonymous().get(path); got.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want redirect to login", got.StatusCode)
	}
	if got := env.as("trainee-a").get("/attempts/99999"); got.StatusCode != http.StatusNotFound {
		t.Errorf("missing attempt: %d", got.StatusCode)
	}
	// The owner's supervisor cannot see an attempt in progress, nor answer it; after submit
	// they see the review.
	super := env.as("super-a")
	if got := super.get(path); got.StatusCode != http.StatusNotFound {
		t.Errorf("supervisor sees an attempt in progress: %d", got.StatusCode)
	}
	r, _ = super.post(path+"/submit", url.Values{}, super.csrfFrom("/courses"))
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("supervisor submits a trainee's attempt: %d", r.StatusCode)
	}
	a, _ = env.store.Attempt(t.Context(), id)
	if a.State != quiz.Open {
		t.Fatalf("attempt state %s after refused submits", a.State)
	}
	if r, _ := owner.post(path+"/submit", url.Values{}, token); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner submit: %d", r.StatusCode)
	}
	if got := super.get(path); got.StatusCode != http.StatusOK || !strings.Contains(got.body, "作答人：学员甲") {
		t.Errorf("supervisor review: %d", got.StatusCode)
	}
	if got := env.as("admin").get(path); got.StatusCode != http.StatusOK {
		t.Errorf("admin review: %d", got.StatusCode)
	}
}

func TestSaveAndResume(t *testing.T) {
	env := newTestEnv(t)
	c := env.as("trainee-a")
	m := realCatalog(t).Courses[3].Modules[0]
	token := c.csrfFrom(m.URL())
	r, _ := c.post(m.URL()+"/quiz", url.Values{}, token)
	id := attemptID(t, r)
	path := "/attempts/" + strconv.FormatInt(id, 10)
	a, _ := env.store.Attempt(t.Context(), id)
	form := rightAnswers(t, env, a)
	r, _ = c.post(path+"/save", form, token)
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "saved=1") {
		t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page := c.get(path + "?saved=1")
	if !strings.Contains(page.body, "答案已保存") || !strings.Contains(page.body, "checked") {
		t.Fatal("resumed page does not show the saved answers")
	}
	a, _ = env.store.Attempt(t.Context(), id)
	if a.State != quiz.Open {
		t.Fatal("saving submitted the attempt")
	}
	// Submitting the saved answers as they stand grades them.
	if r, _ := c.post(path+"/submit", form, token); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	if a, _ = env.store.Attempt(t.Context(), id); a.Score < 99.999 || !a.Passed {
		t.Fatalf("score %.1f, want 100", a.Score)
	}
}

func TestTimedAssessmentClosesOnTheServersClock(t *testing.T) {
	env := newTestEnv(t)
	c := env.as("trainee-a")
	p, _ := realCatalog(t).Programme("onboarding")
	token := c.csrfFrom("/me/progress")
	r, _ := c.post("/programmes/onboarding/assessment", url.Values{}, token)
	id := attemptID(t, r)
	a, _ := env.store.Attempt(t.Context(), id)
	if len(a.Items) != p.Assessment.Questions() || a.Deadline.Sub(a.StartedAt) != time.Duration(p.Assessment.Minutes)*time.Minute {
		t.Fatalf("assessment has %d questions and %v, want %d and %d min", len(a.Items), a.Deadline.Sub(a.StartedAt), p.Assessment.Questions(), p.Assessment.Minutes)
	}
	path := "/attempts/" + strconv.FormatInt(id, 10)
	form := rightAnswers(t, env, a)
	env.clock.advance(a.Deadline.Sub(env.clock.now()) + submitGrace + time.Second)
	r, _ = c.post(path+"/submit", form, token)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "时间已到") {
		t.Fatalf("late submit: %d", r.StatusCode)
	}
	a, _ = env.store.Attempt(t.Context(), id)
	if a.State != quiz.Finished || a.Score != 0 {
		t.Fatalf("late attempt: %s %.1f, want finished with the (empty) answers saved in time", a.State, a.Score)
	}
	// Two more attempts are allowed; a fourth is refused.
	for i := 0; i < 2; i++ {
		r, _ = c.post("/programmes/onboarding/assessment", url.Values{}, token)
		next := attemptID(t, r)
		c.post("/attempts/"+strconv.FormatInt(next, 10)+"/submit", url.Values{}, token)
	}
	r, _ = c.post("/programmes/onboarding/assessment", url.Values{}, token)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "没有剩余的作答次数") {
		t.Fatalf("fourth attempt: %d", r.StatusCode)
	}
}
