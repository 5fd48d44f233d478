package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/views"
)

// noShop matches no store: the scope of anyone who is neither an admin nor attached to a store.
const noShop = -1

// scope is the store whose staff the viewer may list: every store (0) for an admin, their own
// for a supervisor, and none for anyone else (a supervisor without a store sees nobody rather
// than everybody).
func scope(u accounts.User) (int64, string) {
	switch {
	case u.Role == accounts.Admin:
		return 0, "全部门店"
	case u.Role == accounts.Supervisor && u.ShopID != 0:
		return u.ShopID, u.ShopName
	}
	return noShop, "无"
}

func (s *Server) quizTitle(id string) string {
	if src, ok := s.sourceOf(id); ok {
		return src.title
	}
	return id + "（内容中已不存在）"
}

func (s *Server) quizzesReport(c echo.Context) error {
	u, _ := currentUser(c)
	shop, name := scope(u)
	rows, err := s.store.QuizSummaries(c.Request().Context(), shop)
	if err != nil {
		return err
	}
	d := views.QuizzesData{Scope: name}
	for _, r := range rows {
		d.Rows = append(d.Rows, views.QuizRow{ID: r.Quiz, Title: s.quizTitle(r.Quiz), Attempts: r.Attempts, Finished: r.Finished,
			Pending: r.Pending, MeanScore: r.MeanScore, Passed: r.Passed})
	}
	return s.render(c, http.StatusOK, views.QuizzesPage(s.page(c, "测验统计", "reports"), d))
}

// quizReportData gathers the item analysis and the attempts of one quiz in the viewer's scope.
func (s *Server) quizReportData(c echo.Context, quizID string) (views.QuizReportData, []store.ScopedAttempt, error) {
	if _, ok := s.sourceOf(quizID); !ok {
		return views.QuizReportData{}, nil, failure.ErrNotFound
	}
	u, _ := currentUser(c)
	shop, name := scope(u)
	attempts, err := s.store.SubmittedAttempts(c.Request().Context(), quizID, shop)
	if err != nil {
		return views.QuizReportData{}, nil, err
	}
	d := views.QuizReportData{ID: quizID, Title: s.quizTitle(quizID), Scope: name, CanAdmin: u.Role == accounts.Admin}
	var results []quiz.ItemResult
	order := []string{}
	seenKey := map[string]bool{}
	for _, sa := range attempts {
		a := sa.Attempt
		d.Attempts = append(d.Attempts, attemptRow(sa))
		var total float64
		for _, m := range a.Marks() {
			total += m.Fraction
		}
		for _, it := range a.Items {
			q, _ := s.lookup(it.Key)
			r := quiz.ItemResult{Key: it.Key, Total: total, Chosen: quiz.ChosenAnswers(q, it.Layout, it.Response)}
			if it.Mark != nil {
				r.Fraction = it.Mark.Fraction
			}
			results = append(results, r)
			if !seenKey[it.Key] {
				seenKey[it.Key] = true
				order = append(order, it.Key)
			}
		}
	}
	stats := map[string]quiz.ItemStats{}
	for _, st := range quiz.Analyse(results) {
		stats[st.Key] = st
	}
	for i, key := range order {
		q, _ := s.lookup(key)
		row := views.ItemRow{Number: i + 1, Name: q.Name, Stats: stats[key]}
		for idx, n := range row.Stats.Options {
			if q.Type == quiz.MultiChoice && idx < len(q.Answers) {
				row.Options = append(row.Options, views.OptionCount{Text: q.Answers[idx].Text, Count: n, Right: q.Answers[idx].Fraction > 0})
			}
		}
		if row.Stats.DiscriminationKnown && row.Stats.Discrimination < 0 {
			row.Flag = "区分度为负：成绩好的人反而答错得多，请检查题目和答案。"
		} else if row.Stats.Attempts >= 5 && row.Stats.Facility < 30 {
			row.Flag = "多数人答错：请检查题目是否有歧义，或相关课程是否讲清楚。"
		}
		d.Items = append(d.Items, row)
	}
	return d, attempts, nil
}

func attemptRow(sa store.ScopedAttempt) views.AttemptRow {
	a := sa.Attempt
	state := "已完成"
	if a.State == quiz.AwaitingGrading {
		state = "待评分"
	}
	return views.AttemptRow{ID: a.ID, Who: sa.Owner.Name + "（" + sa.Owner.Login + "）", Store: sa.Owner.ShopName, Number: a.Number,
		State: state, Submitted: views.LocalTime(a.SubmittedAt), Score: a.Score, Passed: a.Passed}
}

func (s *Server) quizReport(c echo.Context) error {
	d, _, err := s.quizReportData(c, c.QueryParam("quiz"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.QuizReportPage(s.page(c, d.Title, "reports"), d))
}

// quizCSV exports the attempts in scope as CSV that Excel opens with Chinese intact (UTF-8
// with a byte-order mark).
func (s *Server) quizCSV(c echo.Context) error {
	quizID := c.QueryParam("quiz")
	d, _, err := s.quizReportData(c, quizID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"答卷", "作答人", "门店", "测验", "次数", "状态", "提交时间（北京时间）", "成绩(%)", "是否通过"})
	for _, a := range d.Attempts {
		_ = w.Write([]string{strconv.FormatInt(a.ID, 10), csvSafe(a.Who), csvSafe(a.Store), csvSafe(d.Title), strconv.Itoa(a.Number), a.State, a.Submitted,
			strconv.FormatFloat(a.Score, 'f', 2, 64), map[bool]string{true: "是", false: "否"}[a.Passed]})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="attempts.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// csvSafe keeps a cell from being read as a formula by Excel (CSV injection).
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// regrade grades every submitted attempt at a quiz again with the current questions. Without
// apply it only shows whose scores would change; with apply it saves them, audited.
func (s *Server) regrade(c echo.Context) error {
	quizID := c.FormValue("quiz")
	d, attempts, err := s.quizReportData(c, quizID)
	if err != nil {
		return err
	}
	actor, _ := currentUser(c)
	apply := c.FormValue("apply") == "1"
	rd := &views.RegradeData{Applied: apply, Checked: len(attempts)}
	for _, sa := range attempts {
		r := quiz.Regrade(sa.Attempt, s.lookup)
		if !r.Changed {
			continue
		}
		if apply {
			if err := s.store.ApplyRegrade(c.Request().Context(), actor.ID, sa.Attempt, r); err != nil {
				return err
			}
		}
		rd.Changes = append(rd.Changes, views.RegradeRow{ID: sa.Attempt.ID, Who: sa.Owner.Name, Before: sa.Attempt.Score, After: r.Score,
			PassBefore: sa.Attempt.Passed, PassAfter: r.Passed})
	}
	if apply {
		if d, _, err = s.quizReportData(c, quizID); err != nil {
			return err
		}
	}
	d.Regrade = rd
	return s.render(c, http.StatusOK, views.QuizReportPage(s.page(c, d.Title, "reports"), d))
}

func (s *Server) essays(c echo.Context) error {
	u, _ := currentUser(c)
	shop, _ := scope(u)
	list, err := s.store.AwaitingGrading(c.Request().Context(), shop)
	if err != nil {
		return err
	}
	d := views.EssaysData{}
	for _, sa := range list {
		d.Rows = append(d.Rows, attemptRow(sa))
	}
	return s.render(c, http.StatusOK, views.EssaysPage(s.page(c, "待评分", "reports"), d))
}

// gradeable loads an attempt a supervisor may grade: submitted, by staff in their scope, and
// not their own.
func (s *Server) gradeable(c echo.Context) (quiz.Attempt, quizSource, accounts.User, error) {
	a, src, owner, err := s.loadAttempt(c)
	if err != nil {
		return a, src, owner, err
	}
	viewer, _ := currentUser(c)
	if viewer.ID == owner.ID || a.State == quiz.Open {
		return a, src, owner, failure.ErrNotFound
	}
	return a, src, owner, nil
}

func (s *Server) gradeForm(c echo.Context) error {
	a, src, owner, err := s.gradeable(c)
	if err != nil {
		return err
	}
	return s.renderGrade(c, http.StatusOK, a, src, owner, views.Form{})
}

func (s *Server) renderGrade(c echo.Context, status int, a quiz.Attempt, src quizSource, owner accounts.User, f views.Form) error {
	d := views.GradeData{Attempt: a, Title: src.title, Who: owner.Name + "（" + owner.ShopName + "）", Form: f}
	for i, it := range s.attemptData(a, src, true, "").Items {
		if q, ok := s.lookup(a.Items[i].Key); ok && q.Type == quiz.Essay {
			d.Items = append(d.Items, it)
		}
	}
	return s.render(c, status, views.GradePage(s.page(c, "评分", "reports"), d))
}

func (s *Server) grade(c echo.Context) error {
	a, src, owner, err := s.gradeable(c)
	if err != nil {
		return err
	}
	actor, _ := currentUser(c)
	f := views.Form{Values: map[string]string{"score": c.FormValue("score"), "comment": c.FormValue("comment")}, Errors: failure.Fields{}}
	pos, err := strconv.Atoi(c.FormValue("pos"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	percent, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.Values["score"]), "%"), 64)
	if err != nil {
		f.Errors.Add("score", "请填写 0 到 100 之间的数字")
		return s.renderGrade(c, http.StatusUnprocessableEntity, a, src, owner, f)
	}
	if q, ok := s.lookup(itemKey(a, pos)); !ok || q.Type != quiz.Essay {
		return failure.ErrNotFound
	}
	_, err = s.store.GradeManually(c.Request().Context(), actor.ID, a.ID, pos, percent/100, strings.TrimSpace(f.Values["comment"]))
	var fields failure.Fields
	if errors.As(err, &fields) {
		f.Errors.Add("score", "请填写 0 到 100 之间的数字")
		return s.renderGrade(c, http.StatusUnprocessableEntity, a, src, owner, f)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/attempts/"+strconv.FormatInt(a.ID, 10))
}

func itemKey(a quiz.Attempt, pos int) string {
	for _, it := range a.Items {
		if it.Position == pos {
			return it.Key
		}
	}
	return ""
}
