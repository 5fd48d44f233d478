package web

import (
	"cmp"
	"errors"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/roleplay"
	"aftercare/store"
	"aftercare/views"
)

// displayZone is where drill times are entered and shown (DESIGN.md §3: stored in UTC,
// displayed in Asia/Shanghai).
var displayZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// drills is everyone's "演练" page: a trainee's own drills and progress, or the grading
// queue for supervisors and admins.
func (s *Server) drills(c echo.Context) error {
	u, _ := currentUser(c)
	if u.AtLeast(accounts.Supervisor) {
		return s.queue(c, u)
	}
	return s.renderTraineeDrills(c, u, u)
}

func (s *Server) queue(c echo.Context, viewer accounts.User) error {
	ctx := c.Request().Context()
	shop, name := scope(viewer)
	open, err := s.store.DrillQueue(ctx, shop)
	if err != nil {
		return err
	}
	released, err := s.store.ReleasedDrills(ctx, shop, 10)
	if err != nil {
		return err
	}
	staff, err := s.traineesInScope(c, viewer)
	if err != nil {
		return err
	}
	d := views.QueueData{Scope: name, Sort: queueSort(c.QueryParam("sort")), Staff: staff}
	s.sortDrills(open, d.Sort)
	for _, dr := range open {
		it := s.drillItem(dr, viewer)
		if (dr.State == roleplay.Scheduled || dr.State == roleplay.InProgress) && dr.RaterID == viewer.ID {
			d.ToScore = append(d.ToScore, it)
		}
		if canSecondRate(dr, viewer) {
			d.SecondRating = append(d.SecondRating, it)
		}
		if dr.State == roleplay.Submitted {
			d.ToRelease = append(d.ToRelease, it)
		}
	}
	for _, dr := range released {
		d.Released = append(d.Released, s.drillItem(dr, viewer))
	}
	return s.render(c, http.StatusOK, views.DrillQueuePage(s.page(c, "情景演练", "drills"), d))
}

// queueSort is the requested order of the queue, or the default for anything unknown.
func queueSort(key string) string {
	for _, o := range views.QueueSorts {
		if o.Key == key {
			return key
		}
	}
	return views.QueueSorts[0].Key
}

func drillTime(d store.Drill) time.Time {
	if !d.ScheduledAt.IsZero() {
		return d.ScheduledAt
	}
	return d.CreatedAt
}

// sortDrills orders drills for the queue: by booked time (oldest or newest first), by
// trainee or by scenario (then oldest first); ties keep the drill number order.
func (s *Server) sortDrills(ds []store.Drill, key string) {
	slices.SortStableFunc(ds, func(a, b store.Drill) int {
		byTime := cmp.Or(drillTime(a).Compare(drillTime(b)), cmp.Compare(a.ID, b.ID))
		switch key {
		case "newest":
			return -byTime
		case "trainee":
			return cmp.Or(cmp.Compare(a.Trainee.Name, b.Trainee.Name), cmp.Compare(a.Trainee.ID, b.Trainee.ID), byTime)
		case "scenario":
			return cmp.Or(cmp.Compare(s.scenarioTitle(a.Scenario), s.scenarioTitle(b.Scenario)), byTime)
		}
		return byTime
	})
}

func (s *Server) scenarioTitle(slug string) string {
	if r, ok := s.catalog.Roleplay(slug); ok {
		return r.Title
	}
	return slug + "（内容中已不存在）"
}

// resultVisible reports whether the viewer may see the drill's result. The trainee sees it
// once released. Staff see it once the primary rating is submitted, except that on a
// calibration drill still waiting for a rating only the primary rater sees their own result,
// so a second rater cannot learn it before rating (calibration blinding).
func resultVisible(d store.Drill, viewer accounts.User) bool {
	if viewer.ID == d.Trainee.ID {
		return d.Scored && d.State == roleplay.Released
	}
	return d.Scored && (!d.CalibrationPending() || viewer.ID == d.RaterID)
}

// canSecondRate reports whether the viewer may give (or go on with) the independent second
// rating of a calibration drill: the drill has started, the viewer is neither its primary
// rater nor its trainee, and the viewer's rating is a draft or there is room for one.
func canSecondRate(d store.Drill, viewer accounts.User) bool {
	if !d.Calibrate || d.State == roleplay.Scheduled || viewer.ID == d.RaterID || viewer.ID == d.Trainee.ID {
		return false
	}
	if r, ok := d.Rating(viewer.ID); ok {
		return !r.Submitted
	}
	return len(d.Ratings) < 2
}

// visibleRatings applies calibration blinding to a drill's ratings for a staff viewer: their
// own rating always; another rater's only once it is submitted and, on a calibration drill,
// only once both ratings are submitted. It returns the ratings shown and how many are hidden.
func visibleRatings(d store.Drill, viewer accounts.User) ([]store.Rating, int) {
	var shown []store.Rating
	hidden := 0
	for _, r := range d.Ratings {
		switch {
		case r.RaterID == viewer.ID:
			shown = append(shown, r)
		case !r.Submitted || d.CalibrationPending():
			hidden++
		default:
			shown = append(shown, r)
		}
	}
	return shown, hidden
}

func (s *Server) drillItem(d store.Drill, viewer accounts.User) views.DrillItem {
	it := views.DrillItem{ID: d.ID, Trainee: d.Trainee.Name, Shop: d.Trainee.ShopName, Scenario: s.scenarioTitle(d.Scenario),
		State: d.State, When: views.LocalTime(drillTime(d)), Rater: d.RaterName}
	if resultVisible(d, viewer) {
		it.HasResult, it.Score, it.Passed = true, d.Score, d.Passed
	}
	if viewer.ID != d.Trainee.ID {
		if d.Calibrate {
			switch n := d.SubmittedRatings(); {
			case n >= 2:
				it.Calibration = "校准：双评完成"
			case len(d.Ratings) < 2:
				it.Calibration = "校准：待第二评分"
			default:
				it.Calibration = "校准：评分中"
			}
		}
		if r, ok := d.Rating(viewer.ID); ok {
			it.Mine = "草稿"
			if r.Submitted {
				it.Mine = "已提交"
			}
		}
	}
	return it
}

// traineesInScope lists the active trainees the viewer may drill: every store's for an
// admin, their own store's for a supervisor.
func (s *Server) traineesInScope(c echo.Context, viewer accounts.User) ([]accounts.User, error) {
	shop, _ := scope(viewer)
	all, err := s.store.Users(c.Request().Context(), shop)
	if err != nil {
		return nil, err
	}
	var out []accounts.User
	for _, u := range all {
		if u.Role == accounts.Trainee && u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

// loadDrill finds a drill the viewer may see: their own, or one of staff in a store they
// supervise. Anything else is failure.ErrNotFound, exactly like a drill that does not exist.
func (s *Server) loadDrill(c echo.Context) (store.Drill, *courses.Roleplay, error) {
	id, err := strconv.ParseInt(c.Param("drill"), 10, 64)
	if err != nil {
		return store.Drill{}, nil, echo.NewHTTPError(http.StatusBadRequest) // not a drill number at all
	}
	d, err := s.store.Drill(c.Request().Context(), id)
	if err != nil {
		return d, nil, err
	}
	viewer, _ := currentUser(c)
	if !viewer.CanSee(d.Trainee) {
		return d, nil, failure.ErrNotFound
	}
	rp, ok := s.catalog.Roleplay(d.Scenario)
	if !ok {
		return d, nil, failure.ErrNotFound
	}
	return d, rp, nil
}

// loadStaffDrill is loadDrill for the staff actions (start, rate, release, reopen): the
// drill's own trainee never takes them.
func (s *Server) loadStaffDrill(c echo.Context) (store.Drill, *courses.Roleplay, accounts.User, error) {
	d, rp, err := s.loadDrill(c)
	viewer, _ := currentUser(c)
	if err == nil && viewer.ID == d.Trainee.ID {
		err = failure.ErrNotFound
	}
	return d, rp, viewer, err
}

func (s *Server) drill(c echo.Context) error {
	d, rp, err := s.loadDrill(c)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	data := views.DrillData{Drill: s.drillItem(d, viewer), Scenario: rp, Pass: d.Pass, Calibrate: d.Calibrate && viewer.ID != d.Trainee.ID}
	p := s.page(c, rp.Title, "drills")
	switch {
	case c.QueryParam("saved") != "":
		p.Notice = "评分草稿已保存。"
	case c.QueryParam("submitted") != "":
		p.Notice = "评分已提交。"
	case c.QueryParam("released") != "":
		p.Notice = "结果已发布，学员现在可以看到。"
	case c.QueryParam("reopened") != "":
		p.Notice = "已退回修改，评分人可以修改后重新提交。"
	}
	if viewer.ID == d.Trainee.ID {
		data.Trainee = true
		if r, ok := d.Primary(); ok && resultVisible(d, viewer) {
			rv := ratingView(r, d, rp, viewer)
			data.Result = &rv
		}
		return s.render(c, http.StatusOK, views.DrillPage(p, data))
	}
	shown, hidden := visibleRatings(d, viewer)
	for _, r := range shown {
		data.Ratings = append(data.Ratings, ratingView(r, d, rp, viewer))
	}
	data.Hidden = hidden
	if a, b, ok := calibrationPair(d); ok {
		data.RaterA, data.RaterB = a.RaterName, b.RaterName
		data.Compare = compareRows(rp.Rubric, a, b)
	}
	data.CanStart = d.State == roleplay.Scheduled
	switch {
	case viewer.ID == d.RaterID && d.State == roleplay.InProgress:
		data.CanRate, data.RateLabel = true, "评分"
		if r, ok := d.Primary(); ok && len(r.Scores) > 0 {
			data.RateLabel = "继续评分"
		}
	case canSecondRate(d, viewer):
		data.CanRate, data.RateLabel = true, "独立评分（第二评分）"
	}
	data.CanRelease = d.State == roleplay.Submitted
	data.CanReopen = mayReopen(d, viewer)
	return s.render(c, http.StatusOK, views.DrillPage(p, data))
}

// mayReopen applies roleplay's rule for Reopen: the rater or an admin may reopen a submitted
// drill; only an admin a released one, since it withdraws a result the trainee has seen.
func mayReopen(d store.Drill, viewer accounts.User) bool {
	admin := viewer.Role == accounts.Admin
	return d.State == roleplay.Submitted && (admin || viewer.ID == d.RaterID) || d.State == roleplay.Released && admin
}

// calibrationPair returns the two submitted ratings of a calibration drill once both are in.
func calibrationPair(d store.Drill) (store.Rating, store.Rating, bool) {
	var done []store.Rating
	for _, r := range d.Ratings {
		if r.Submitted {
			done = append(done, r)
		}
	}
	if len(done) < 2 {
		return store.Rating{}, store.Rating{}, false
	}
	return done[0], done[1], true
}

// compareRows lists, per criterion both raters scored, their levels and the difference.
func compareRows(rubric roleplay.Rubric, a, b store.Rating) []views.CompareRow {
	var out []views.CompareRow
	for _, c := range rubric {
		av, aok := a.Scores[c.Key]
		bv, bok := b.Scores[c.Key]
		if aok && bok {
			out = append(out, views.CompareRow{Title: c.Title, A: av, B: bv, Max: rubric.MaxScore(c.Key), Diff: abs(av - bv)})
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func ratingView(r store.Rating, d store.Drill, rp *courses.Roleplay, viewer accounts.User) views.RatingView {
	rv := views.RatingView{Rater: r.RaterName, Primary: r.RaterID == d.RaterID, Mine: r.RaterID == viewer.ID, Submitted: r.Submitted,
		Scored: r.Scored, Score: r.Score, Passed: r.Passed, Notes: r.Notes}
	if r.Submitted {
		rv.When = "提交于 " + views.LocalTime(r.SubmittedAt)
	} else {
		rv.When = "最后保存于 " + views.LocalTime(r.UpdatedAt)
	}
	for _, c := range rp.Rubric {
		cr := views.CriterionResult{Key: c.Key, Title: c.Title, Weight: c.Weight, Max: rp.Rubric.MaxScore(c.Key), Comment: r.Comments[c.Key]}
		if v, ok := r.Scores[c.Key]; ok {
			cr.Scored, cr.Score = true, v
			for _, l := range c.Levels {
				if l.Score == v {
					cr.Level = l.Description
				}
			}
		}
		rv.Criteria = append(rv.Criteria, cr)
	}
	return rv
}

func (s *Server) newDrillForm(c echo.Context) error {
	return s.renderNewDrill(c, http.StatusOK, views.Form{Values: map[string]string{"trainee": c.QueryParam("trainee")}})
}

func (s *Server) renderNewDrill(c echo.Context, status int, f views.Form) error {
	viewer, _ := currentUser(c)
	trainees, err := s.traineesInScope(c, viewer)
	if err != nil {
		return err
	}
	d := views.DrillNewData{Form: f, Trainees: trainees, Scenarios: s.catalog.Roleplays}
	return s.render(c, status, views.DrillNewPage(s.page(c, "安排演练", "drills"), d))
}

func (s *Server) createDrill(c echo.Context) error {
	viewer, _ := currentUser(c)
	f := views.Form{Values: map[string]string{"trainee": c.FormValue("trainee"), "scenario": c.FormValue("scenario"),
		"when": strings.TrimSpace(c.FormValue("when")), "calibrate": c.FormValue("calibrate")}, Errors: failure.Fields{}}
	trainees, err := s.traineesInScope(c, viewer)
	if err != nil {
		return err
	}
	// A trainee of another store is refused like one that does not exist.
	traineeID, _ := strconv.ParseInt(f.Values["trainee"], 10, 64)
	if !slices.ContainsFunc(trainees, func(u accounts.User) bool { return u.ID == traineeID }) {
		f.Errors.Add("trainee", "请选择本店的一位学员")
	}
	rp, ok := s.catalog.Roleplay(f.Values["scenario"])
	if !ok {
		f.Errors.Add("scenario", "请选择一个情景")
	}
	var when time.Time
	if v := f.Values["when"]; v != "" {
		if when, err = time.ParseInLocation("2006-01-02T15:04", v, displayZone); err != nil {
			f.Errors.Add("when", "请按“年-月-日 时:分”填写时间，或者留空")
		}
	}
	if len(f.Errors) > 0 {
		f.Problem = "演练没有安排：请修改标出的内容。"
		return s.renderNewDrill(c, http.StatusUnprocessableEntity, f)
	}
	now := c.FormValue("now") == "1"
	id, err := s.store.CreateDrill(c.Request().Context(), store.NewDrill{TraineeID: traineeID, Scenario: rp.Slug, Pass: rp.Pass,
		RaterID: viewer.ID, ScheduledAt: when, Calibrate: f.Values["calibrate"] == "1", StartNow: now})
	if err != nil {
		return err
	}
	if now {
		return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(id, 10)+"/rate")
	}
	return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(id, 10))
}

func (s *Server) startDrill(c echo.Context) error {
	d, _, viewer, err := s.loadStaffDrill(c)
	if err != nil {
		return err
	}
	if err := s.store.StartDrill(c.Request().Context(), d.ID, viewer.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(d.ID, 10)+"/rate")
}

// rateable checks that the viewer may rate the drill now: as its primary rater while it is in
// progress, or as the independent second rater of a calibration drill.
func rateable(d store.Drill, viewer accounts.User) (second bool, err error) {
	switch {
	case viewer.ID == d.RaterID:
		if d.State != roleplay.InProgress {
			return false, failure.ErrConflict
		}
		return false, nil
	case !d.Calibrate:
		return true, failure.ErrForbidden
	case !canSecondRate(d, viewer):
		return true, failure.ErrConflict
	}
	return true, nil
}

func (s *Server) rateForm(c echo.Context) error {
	d, rp, viewer, err := s.loadStaffDrill(c)
	if err != nil {
		return err
	}
	second, err := rateable(d, viewer)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{}}
	if r, ok := d.Rating(viewer.ID); ok {
		for k, v := range r.Scores {
			f.Values["score-"+k] = strconv.Itoa(v)
		}
		for k, v := range r.Comments {
			f.Values["comment-"+k] = v
		}
		f.Values["notes"] = r.Notes
	}
	return s.renderRate(c, http.StatusOK, d, rp, viewer, second, f)
}

func (s *Server) renderRate(c echo.Context, status int, d store.Drill, rp *courses.Roleplay, viewer accounts.User, second bool, f views.Form) error {
	data := views.RateData{Drill: s.drillItem(d, viewer), Scenario: rp, Second: second, Pass: d.Pass, Form: f}
	return s.render(c, status, views.RatePage(s.page(c, "评分", "drills"), data))
}

func (s *Server) rate(c echo.Context) error {
	d, rp, viewer, err := s.loadStaffDrill(c)
	if err != nil {
		return err
	}
	second, err := rateable(d, viewer)
	if err != nil {
		return err
	}
	f := views.Form{Values: map[string]string{"notes": c.FormValue("notes")}, Errors: failure.Fields{}}
	in := store.RatingInput{Scores: map[string]int{}, Comments: map[string]string{}, Notes: f.Values["notes"]}
	for _, cr := range rp.Rubric {
		score, comment := "score-"+cr.Key, "comment-"+cr.Key
		f.Values[score], f.Values[comment] = c.FormValue(score), c.FormValue(comment)
		in.Comments[cr.Key] = f.Values[comment]
		if v := f.Values[score]; v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				f.Errors.Add(score, "请选择评分表中的一个等级")
				continue
			}
			in.Scores[cr.Key] = n
		}
	}
	submit := c.FormValue("action") == "submit"
	if len(f.Errors) == 0 {
		err = s.store.SaveRating(c.Request().Context(), d.ID, viewer.ID, rp.Rubric, in, submit)
		var fields failure.Fields
		if errors.As(err, &fields) {
			f.Errors = fields
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		f.Problem = "评分没有保存：请处理标出的评分项，你填写的内容都还在。"
		return s.renderRate(c, http.StatusUnprocessableEntity, d, rp, viewer, second, f)
	}
	next := "?saved=1"
	if submit {
		next = "?submitted=1"
	}
	return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(d.ID, 10)+next)
}

func (s *Server) releaseDrill(c echo.Context) error {
	d, _, viewer, err := s.loadStaffDrill(c)
	if err != nil {
		return err
	}
	if err := s.store.ReleaseDrill(c.Request().Context(), d.ID, viewer.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(d.ID, 10)+"?released=1")
}

func (s *Server) reopenDrill(c echo.Context) error {
	d, _, viewer, err := s.loadStaffDrill(c)
	if err != nil {
		return err
	}
	if !mayReopen(d, viewer) {
		if d.State == roleplay.Submitted || d.State == roleplay.Released {
			return failure.ErrForbidden
		}
		return failure.ErrConflict
	}
	if err := s.store.ReopenDrill(c.Request().Context(), d.ID, viewer.ID, d.State); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/drills/"+strconv.FormatInt(d.ID, 10)+"?reopened=1")
}

// staffDrills is a trainee's drill history as their supervisor (or an admin) sees it.
func (s *Server) staffDrills(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("user"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	trainee, err := s.store.UserByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	if !viewer.CanSee(trainee) {
		return failure.ErrNotFound
	}
	return s.renderTraineeDrills(c, viewer, trainee)
}

func (s *Server) renderTraineeDrills(c echo.Context, viewer, trainee accounts.User) error {
	ctx := c.Request().Context()
	ds, err := s.store.TraineeDrills(ctx, trainee.ID)
	if err != nil {
		return err
	}
	runs, err := s.store.PracticeSessions(ctx, trainee.ID)
	if err != nil {
		return err
	}
	d := views.TraineeDrillsData{Trainee: trainee, Own: viewer.ID == trainee.ID}
	for _, dr := range ds {
		d.Drills = append(d.Drills, s.drillItem(dr, viewer))
	}
	d.Chart, d.Criteria, d.Rows = s.criterionProgress(ds, viewer)
	for _, r := range runs {
		if r.Finished {
			d.PracticeRuns++
		}
		d.PracticeMinutes += r.ActiveSeconds
	}
	d.PracticeMinutes = (d.PracticeMinutes + 30) / 60
	title := "我的演练"
	if !d.Own {
		title = trainee.Name + " 的演练"
	}
	return s.render(c, http.StatusOK, views.TraineeDrillsPage(s.page(c, title, "drills"), d))
}

// criterionProgress charts each criterion over the drills whose result the viewer may see,
// in time order: the level given as a percentage of the criterion's top level, so scenarios
// with different scales share one axis. A criterion a drill's rubric lacks is a gap.
func (s *Server) criterionProgress(ds []store.Drill, viewer accounts.User) (views.LineChart, []string, []views.ProgressRow) {
	type point struct {
		d      store.Drill
		r      store.Rating
		rubric roleplay.Rubric
		at     time.Time
	}
	var points []point
	var keys, titles []string
	for _, d := range ds {
		r, ok := d.Primary()
		rp, known := s.catalog.Roleplay(d.Scenario)
		if !ok || !known || !resultVisible(d, viewer) {
			continue
		}
		at := d.ReleasedAt
		if at.IsZero() {
			at = d.SubmittedAt
		}
		points = append(points, point{d, r, rp.Rubric, at})
		for _, c := range rp.Rubric {
			if !slices.Contains(keys, c.Key) {
				keys, titles = append(keys, c.Key), append(titles, c.Title)
			}
		}
	}
	slices.SortStableFunc(points, func(a, b point) int { return a.at.Compare(b.at) })
	chart := views.LineChart{Title: "各评分项得分随时间的变化", YMax: 100, YUnit: "%"}
	for _, t := range titles {
		chart.Series = append(chart.Series, views.ChartSeries{Label: t, Values: make([]float64, len(points))})
	}
	var rows []views.ProgressRow
	for j, p := range points {
		chart.XLabels = append(chart.XLabels, p.at.In(displayZone).Format("01-02"))
		row := views.ProgressRow{ID: p.d.ID, Date: p.at.In(displayZone).Format("2006-01-02"), Scenario: s.scenarioTitle(p.d.Scenario),
			Result: views.Score1(p.d.Score)}
		for i, k := range keys {
			v, scored := p.r.Scores[k]
			top := p.rubric.MaxScore(k)
			if !scored || top == 0 {
				chart.Series[i].Values[j] = math.NaN()
				row.Cells = append(row.Cells, "—")
				continue
			}
			chart.Series[i].Values[j] = float64(v) / float64(top) * 100
			row.Cells = append(row.Cells, strconv.Itoa(v)+"/"+strconv.Itoa(top))
		}
		rows = append(rows, row)
	}
	return chart, titles, rows
}

func (s *Server) calibration(c echo.Context) error {
	viewer, _ := currentUser(c)
	shop, name := scope(viewer)
	ds, err := s.store.DoubleRatedDrills(c.Request().Context(), shop)
	if err != nil {
		return err
	}
	d := s.calibrationData(ds, viewer.Role == accounts.Admin)
	d.Scope = name
	return s.render(c, http.StatusOK, views.CalibrationPage(s.page(c, "评分一致性", "drills"), d))
}

// calibrationData turns double-rated drills into agreement figures: for each rater, their
// agreement with whoever co-rated with them, per month (of the later submission) and in
// total; for admins, the agreement per criterion ordered by disagreement. The statistics are
// roleplay.Agree and roleplay.DisagreementByCriterion.
func (s *Server) calibrationData(ds []store.Drill, admin bool) views.CalibrationData {
	d := views.CalibrationData{Admin: admin, MinPairs: roleplay.MinPairs}
	type raterPairs struct {
		name    string
		all     []roleplay.RatingPair
		byMonth map[string][]roleplay.RatingPair
	}
	raters := map[int64]*raterPairs{}
	add := func(r store.Rating, month string, p roleplay.RatingPair) {
		rp, ok := raters[r.RaterID]
		if !ok {
			rp = &raterPairs{name: r.RaterName, byMonth: map[string][]roleplay.RatingPair{}}
			raters[r.RaterID] = rp
		}
		rp.all = append(rp.all, p)
		rp.byMonth[month] = append(rp.byMonth[month], p)
	}
	byKey := map[string][]roleplay.RatingPair{}
	titles := map[string]string{}
	for _, dr := range ds {
		a, b, ok := calibrationPair(dr)
		rp, known := s.catalog.Roleplay(dr.Scenario)
		if !ok || !known {
			continue
		}
		at := a.SubmittedAt
		if b.SubmittedAt.After(at) {
			at = b.SubmittedAt
		}
		month := at.In(displayZone).Format("2006-01")
		maxDiff := 0
		for _, c := range rp.Rubric {
			av, aok := a.Scores[c.Key]
			bv, bok := b.Scores[c.Key]
			if !aok || !bok {
				continue
			}
			top := rp.Rubric.MaxScore(c.Key)
			add(a, month, roleplay.RatingPair{A: av, B: bv, Max: top})
			add(b, month, roleplay.RatingPair{A: bv, B: av, Max: top})
			byKey[c.Key] = append(byKey[c.Key], roleplay.RatingPair{A: av, B: bv, Max: top})
			if _, ok := titles[c.Key]; !ok {
				titles[c.Key] = c.Title
			}
			maxDiff = max(maxDiff, abs(av-bv))
		}
		d.Drills = append(d.Drills, views.CalibratedDrill{ID: dr.ID, Trainee: dr.Trainee.Name, Scenario: rp.Title,
			RaterA: a.RaterName, RaterB: b.RaterName, ScoreA: a.Score, ScoreB: b.Score, MaxDiff: maxDiff, When: views.LocalTime(at)})
	}
	for _, r := range raters {
		ra := views.RaterAgreement{Name: r.name, Overall: views.AgreementRow{Period: "合计", Agreement: agree(r.all)}}
		months := make([]string, 0, len(r.byMonth))
		for m := range r.byMonth {
			months = append(months, m)
		}
		slices.Sort(months)
		for _, m := range months {
			ra.Months = append(ra.Months, views.AgreementRow{Period: m, Agreement: agree(r.byMonth[m])})
		}
		d.Raters = append(d.Raters, ra)
	}
	slices.SortFunc(d.Raters, func(x, y views.RaterAgreement) int { return cmp.Compare(x.Name, y.Name) })
	slices.Reverse(d.Drills) // newest first
	if admin {
		for _, ca := range roleplay.DisagreementByCriterion(byKey) {
			d.Criteria = append(d.Criteria, views.CriterionDisagreement{Key: ca.Key, Title: titles[ca.Key], Agreement: ca.Agreement})
		}
	}
	return d
}

// agree is roleplay.Agree over a rater's pairs. Kappa needs one scale: when the pairs mix
// rubrics with different top levels, kappa is taken from the largest group sharing one scale
// (if it has enough pairs), while the other figures cover every pair.
func agree(pairs []roleplay.RatingPair) roleplay.Agreement {
	a := roleplay.Agree(pairs)
	if a.KappaOK || a.Pairs < roleplay.MinPairs {
		return a
	}
	groups := map[int][]roleplay.RatingPair{}
	for _, p := range pairs {
		groups[p.Max] = append(groups[p.Max], p)
	}
	if len(groups) < 2 {
		return a
	}
	var biggest []roleplay.RatingPair
	for _, top := range slices.Sorted(maps.Keys(groups)) {
		if len(groups[top]) > len(biggest) {
			biggest = groups[top]
		}
	}
	g := roleplay.Agree(biggest)
	a.Kappa, a.KappaOK = g.Kappa, g.KappaOK
	return a
}
