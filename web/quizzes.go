package web

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/views"
)

// quizSource is what an attempt is taken at: a module's quiz or a programme's assessment.
type quizSource struct {
	id       string // stored with the attempt: "module:<id>" or store.ProgrammeQuiz(slug, period)
	period   string // a recurring programme's period ("2026-11", "2026-Q4"); "" otherwise
	title    string
	rules    quiz.AttemptRules
	backURL  string
	backText string
	module   *courses.Module
	program  *courses.Programme
}

// Attempt rules: module quizzes may be retaken until passed and are untimed; programme
// assessments are timed and allow three attempts. The grace absorbs a slow connection.
const (
	assessmentAttempts = 3
	submitGrace        = 2 * time.Minute
)

func (s *Server) sourceOf(quizID string) (quizSource, bool) {
	kind, id, _ := strings.Cut(quizID, ":")
	switch kind {
	case "module":
		m, ok := s.catalog.Module(id)
		if !ok {
			return quizSource{}, false
		}
		return quizSource{id: quizID, title: m.Title + " · 测验", module: m, backURL: m.URL(), backText: "返回课程",
			rules: quiz.AttemptRules{Pass: m.Pass}}, true
	case "programme":
		// Onboarding's final is "programme:<slug>"; a recurring programme's attempts carry
		// their period, "programme:<slug>:<period>", so the attempt limit is per period.
		slug, period, _ := strings.Cut(id, ":")
		p, ok := s.catalog.Programme(slug)
		if !ok || (p.Recurrence == "") != (period == "") {
			return quizSource{}, false
		}
		src := quizSource{id: quizID, title: p.Assessment.Title, program: p, period: period, backURL: "/me/progress", backText: "返回我的进度",
			rules: quiz.AttemptRules{Pass: p.Assessment.Pass, MaxAttempts: assessmentAttempts,
				TimeLimit: time.Duration(p.Assessment.Minutes) * time.Minute, Grace: submitGrace}}
		if period != "" {
			src.title += " · " + periodLabel(period)
			src.backURL, src.backText = "/", "返回我的学习"
		}
		return src, true
	}
	return quizSource{}, false
}

func (s *Server) lookup(key string) (quiz.Question, bool) {
	b, ok := s.catalog.Question(key)
	if !ok {
		return quiz.Question{}, false
	}
	return b.Question, true
}

func (s *Server) startModuleQuiz(c echo.Context) error {
	src, ok := s.sourceOf("module:" + c.Param("course") + "/" + c.Param("module"))
	if !ok || len(src.module.Questions) == 0 {
		return failure.ErrNotFound
	}
	keys := make([]string, len(src.module.Questions))
	for i, q := range src.module.Questions {
		keys[i] = q.Key
	}
	rng := shuffler()
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return s.startAttempt(c, src, keys, rng)
}

// startAssessment starts (or resumes) a programme's assessment. A recurring programme's
// refresher or assessment may only be started by someone assigned its period (the posted
// "period", else the current one); a refresher brings due review questions back first.
func (s *Server) startAssessment(c echo.Context) error {
	p, ok := s.catalog.Programme(c.Param("programme"))
	if !ok {
		return failure.ErrNotFound
	}
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	period := ""
	if p.Recurrence != "" {
		var assigned bool
		var err error
		if period, assigned, err = s.assignedPeriod(ctx, u, p, c.FormValue("period")); err != nil {
			return err
		} else if !assigned {
			return s.render(c, http.StatusForbidden, views.ErrorPage(s.page(c, "没有这项任务", ""), http.StatusForbidden,
				"你没有"+periodLabel(period)+"的“"+p.Title+"”任务，不能开始作答。任务由系统每期自动分配，请在“我的学习”查看。"))
		}
	}
	src, ok := s.sourceOf(store.ProgrammeQuiz(p.Slug, period))
	if !ok {
		return failure.ErrNotFound
	}
	var seen map[string]bool
	var err error
	if period != "" {
		seen, err = s.store.SeenProgrammeQuestions(ctx, u.ID, p.Slug)
	} else {
		seen, err = s.store.SeenQuestions(ctx, u.ID, src.id)
	}
	if err != nil {
		return err
	}
	rng := shuffler()
	var keys []string
	if p.Kind == courses.KindRefresher {
		keys, err = s.drawRefresher(ctx, u.ID, p, seen, rng)
	} else {
		keys, err = quiz.Draw(s.catalog.Bank, p.Assessment.Draw, seen, rng)
	}
	if err != nil {
		return err
	}
	return s.startAttempt(c, src, keys, rng)
}

func (s *Server) startAttempt(c echo.Context, src quizSource, keys []string, rng *rand.Rand) error {
	u, _ := currentUser(c)
	if err := s.recordActivity(c, ""); err != nil { // leaving the lesson stops its clock
		return err
	}
	layouts := make([]quiz.Layout, len(keys))
	for i, k := range keys {
		q, _ := s.lookup(k)
		layouts[i] = quiz.NewLayout(q, rng)
	}
	a, _, err := s.store.StartAttempt(c.Request().Context(), u.ID, src.id, src.rules, keys, layouts)
	if errors.Is(err, quiz.ErrNoAttemptsLeft) {
		return s.render(c, http.StatusConflict, views.ErrorPage(s.page(c, "没有剩余的作答次数", ""), http.StatusConflict,
			"这项考核最多可以作答 "+strconv.Itoa(src.rules.MaxAttempts)+" 次，你已经用完了。请联系主管。"))
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/attempts/"+strconv.FormatInt(a.ID, 10))
}

// loadAttempt finds an attempt the viewer may see: their own, or one by staff of a store they
// supervise. Anything else is "not found", exactly like an attempt that does not exist.
func (s *Server) loadAttempt(c echo.Context) (quiz.Attempt, quizSource, accounts.User, error) {
	id, err := strconv.ParseInt(c.Param("attempt"), 10, 64)
	if err != nil {
		return quiz.Attempt{}, quizSource{}, accounts.User{}, failure.ErrNotFound
	}
	ctx := c.Request().Context()
	a, err := s.store.Attempt(ctx, id)
	if err != nil {
		return a, quizSource{}, accounts.User{}, err
	}
	owner, err := s.store.AttemptOwner(ctx, a)
	if err != nil {
		return a, quizSource{}, owner, err
	}
	viewer, _ := currentUser(c)
	if !viewer.CanSee(owner) {
		return a, quizSource{}, owner, failure.ErrNotFound
	}
	src, ok := s.sourceOf(a.Quiz)
	if !ok {
		return a, src, owner, failure.ErrNotFound
	}
	return a, src, owner, nil
}

func (s *Server) attempt(c echo.Context) error {
	a, src, owner, err := s.loadAttempt(c)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	if a.State == quiz.Open {
		closed, err := s.store.CloseIfTimeUp(c.Request().Context(), a.ID, src.rules, s.lookup)
		if err != nil {
			return err
		}
		if closed {
			return c.Redirect(http.StatusSeeOther, c.Request().URL.Path)
		}
		if viewer.ID != owner.ID {
			return failure.ErrNotFound // someone else's attempt in progress is nobody's business yet
		}
		p := s.page(c, src.title, "courses")
		if c.QueryParam("saved") != "" {
			p.Notice = "答案已保存，可以稍后继续作答。"
		}
		return s.render(c, http.StatusOK, views.AttemptPage(p, s.attemptData(a, src, false, "")))
	}
	d := s.attemptData(a, src, true, "")
	if viewer.ID != owner.ID {
		d.Owner = owner.Name + "（" + owner.ShopName + "）"
	}
	return s.render(c, http.StatusOK, views.ReviewPage(s.page(c, src.title, "courses"), d))
}

func (s *Server) attemptData(a quiz.Attempt, src quizSource, review bool, problem string) views.AttemptData {
	d := views.AttemptData{Attempt: a, Title: src.title, Review: review, BackURL: src.backURL, BackText: src.backText, Problem: problem}
	for i, it := range a.Items {
		q, _ := s.lookup(it.Key)
		item := views.AttemptItem{Number: i + 1, Position: it.Position, Question: quiz.Present(q, it.Key, it.Layout), Response: it.Response}
		if review {
			item.Mark, item.Right = it.Mark, quiz.RightAnswer(q)
		}
		d.Items = append(d.Items, item)
	}
	return d
}

// responses reads the attempt form. Inputs are named q<position> (and q<position>.<stem> for
// matching); values are display positions, never answer indexes. A response that does not fit
// the question as laid out is refused whole.
func (s *Server) responses(c echo.Context, a quiz.Attempt) (map[int]quiz.Response, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest)
	}
	out := make(map[int]quiz.Response, len(a.Items))
	for _, it := range a.Items {
		q, ok := s.lookup(it.Key)
		if !ok {
			continue
		}
		name := "q" + strconv.Itoa(it.Position)
		var r quiz.Response
		switch q.Type {
		case quiz.MultiChoice, quiz.TrueFalse:
			for _, v := range form[name] {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, echo.NewHTTPError(http.StatusBadRequest)
				}
				r.Choices = append(r.Choices, n)
			}
		case quiz.Matching:
			for stem := range q.Pairs {
				v := form.Get(name + "." + strconv.Itoa(stem))
				if v == "" {
					continue
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, echo.NewHTTPError(http.StatusBadRequest)
				}
				if r.Matches == nil {
					r.Matches = map[int]int{}
				}
				r.Matches[stem] = n
			}
		case quiz.Numerical:
			r.Number = strings.TrimSpace(form.Get(name))
		default:
			r.Text = strings.TrimSpace(form.Get(name))
		}
		if err := quiz.ValidateResponse(q, it.Layout, r); err != nil {
			return nil, echo.NewHTTPError(http.StatusBadRequest)
		}
		out[it.Position] = r
	}
	return out, nil
}

func (s *Server) saveAttempt(c echo.Context) error   { return s.answerAttempt(c, false) }
func (s *Server) submitAttempt(c echo.Context) error { return s.answerAttempt(c, true) }

func (s *Server) answerAttempt(c echo.Context, submit bool) error {
	a, src, owner, err := s.loadAttempt(c)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	if viewer.ID != owner.ID {
		return failure.ErrNotFound // only the owner answers, whatever their supervisor may see
	}
	responses, err := s.responses(c, a)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	url := "/attempts/" + strconv.FormatInt(a.ID, 10)
	if !submit {
		err = s.store.SaveResponses(ctx, a.ID, owner.ID, src.rules, responses)
		url += "?saved=1"
	} else {
		_, err = s.store.SubmitAttempt(ctx, a.ID, owner.ID, src.rules, responses, s.lookup)
	}
	switch {
	case errors.Is(err, quiz.ErrTimeUp):
		if a, err = s.store.Attempt(ctx, a.ID); err != nil {
			return err
		}
		d := s.attemptData(a, src, a.State != quiz.Open, "时间已到：提交晚于截止时间，答卷已按截止前保存的答案评分。")
		return s.render(c, http.StatusConflict, views.ReviewPage(s.page(c, src.title, "courses"), d))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, url)
}
