package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/roleplay"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

// Self-practice: a trainee plays a scenario's branching dialogue alone. Each choice is a form
// POST; the server stores the path of choices per run and replays it with
// roleplay.Dialogue.Play on every request, so the score is never taken from the client. Runs
// are practice, not graded drills; their active time counts toward practice hours.

func (s *Server) practiceList(c echo.Context) error {
	u, _ := currentUser(c)
	ctx := c.Request().Context()
	runs, err := s.store.PracticeSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	d := views.PracticeListData{}
	seconds := 0
	for _, r := range runs {
		seconds += r.ActiveSeconds
		d.Runs = append(d.Runs, views.PracticeRun{ID: r.ID, Scenario: s.scenarioTitle(r.Scenario), Started: views.LocalTime(r.StartedAt),
			Finished: r.Finished, Points: r.Points, Max: r.MaxPoints, Minutes: minutes(r.ActiveSeconds)})
	}
	d.Minutes = minutes(seconds)
	for _, rp := range s.catalog.Roleplays {
		if rp.Dialogue == nil {
			continue
		}
		ps := views.PracticeScenario{Scenario: rp, MaxPoints: rp.Dialogue.MaxPoints()}
		for _, r := range runs { // newest first
			if r.Scenario != rp.Slug {
				continue
			}
			if !r.Finished {
				if ps.Unfinished == 0 {
					ps.Unfinished = r.ID
				}
				continue
			}
			ps.Runs++
			if !ps.HasBest || r.Points > ps.Best {
				ps.Best, ps.HasBest = r.Points, true
			}
		}
		d.Scenarios = append(d.Scenarios, ps)
	}
	return s.render(c, http.StatusOK, views.PracticeListPage(s.page(c, "自我练习", "practice"), d))
}

// minutes rounds active seconds to whole minutes for display.
func minutes(seconds int) int { return (seconds + 30) / 60 }

// practiceScenario is a scenario that has a dialogue to practise.
func (s *Server) practiceScenario(slug string) (*courses.Roleplay, bool) {
	rp, ok := s.catalog.Roleplay(slug)
	return rp, ok && rp.Dialogue != nil
}

func (s *Server) startPractice(c echo.Context) error {
	slug := c.FormValue("scenario")
	if slug == "" {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	rp, ok := s.practiceScenario(slug)
	if !ok {
		return failure.ErrNotFound
	}
	if err := s.recordActivity(c, ""); err != nil { // practising is not reading: stop a lesson's clock
		return err
	}
	u, _ := currentUser(c)
	id, err := s.store.StartPractice(c.Request().Context(), u.ID, rp.Slug)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/practice/"+strconv.FormatInt(id, 10))
}

// loadPractice finds a practice run the viewer may see: their own, or a finished run by staff
// of a store they supervise (a run in progress is the trainee's alone). Anything else is
// failure.ErrNotFound, like a run that does not exist.
func (s *Server) loadPractice(c echo.Context) (store.PracticeSession, *courses.Roleplay, accounts.User, error) {
	id, err := strconv.ParseInt(c.Param("session"), 10, 64)
	if err != nil {
		return store.PracticeSession{}, nil, accounts.User{}, echo.NewHTTPError(http.StatusBadRequest)
	}
	ctx := c.Request().Context()
	p, err := s.store.Practice(ctx, id)
	if err != nil {
		return p, nil, accounts.User{}, err
	}
	owner, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return p, nil, owner, err
	}
	viewer, _ := currentUser(c)
	if !viewer.CanSee(owner) || viewer.ID != owner.ID && !p.Finished {
		return p, nil, owner, failure.ErrNotFound
	}
	rp, ok := s.practiceScenario(p.Scenario)
	if !ok {
		return p, nil, owner, failure.ErrNotFound
	}
	return p, rp, owner, nil
}

func (s *Server) practiceRun(c echo.Context) error {
	p, rp, owner, err := s.loadPractice(c)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	d := views.PracticePlayData{ID: p.ID, Scenario: rp, Own: viewer.ID == owner.ID, Step: len(p.Path), Minutes: minutes(p.ActiveSeconds),
		Max: rp.Dialogue.MaxPoints()}
	if !d.Own {
		d.Owner = owner.Name + "（" + owner.ShopName + "）"
	}
	play, err := rp.Dialogue.Play(p.Path)
	if err != nil {
		d.Broken = true
	} else {
		d.Transcript, d.Node, d.Ended, d.Points = play.Transcript, play.Node, play.Ended, play.Points
	}
	return s.render(c, http.StatusOK, views.PracticePlayPage(s.page(c, rp.Title+" · 练习", "practice"), d))
}

func (s *Server) choosePractice(c echo.Context) error {
	p, rp, owner, err := s.loadPractice(c)
	if err != nil {
		return err
	}
	viewer, _ := currentUser(c)
	if viewer.ID != owner.ID {
		return failure.ErrNotFound // only the person practising plays
	}
	step, err1 := strconv.Atoi(c.FormValue("step"))
	choice, err2 := strconv.Atoi(c.FormValue("choice"))
	if err1 != nil || err2 != nil {
		return echo.NewHTTPError(http.StatusBadRequest)
	}
	if err := s.recordActivity(c, ""); err != nil {
		return err
	}
	_, err = s.store.ChoosePractice(c.Request().Context(), p.ID, viewer.ID, step, choice, rp.Dialogue, tracking.DefaultSeatRules)
	if errors.Is(err, roleplay.ErrPath) {
		return echo.NewHTTPError(http.StatusBadRequest) // a choice the page never offered
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/practice/"+strconv.FormatInt(p.ID, 10)+"#choices")
}
