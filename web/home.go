package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"aftercare/accounts"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
	"aftercare/views"
)

// recentlyDone is how many completed assignments the dashboard still shows.
const recentlyDone = 6

// home is the signed-in start page, "我的学习": onboarding hours, the person's assignments
// with due dates, status and a start button, and their review queue.
func (s *Server) home(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	now := s.store.Now()
	d := views.HomeData{StoreLink: u.AtLeast(accounts.Supervisor)}

	var attempts []quiz.Attempt
	if u.Role == accounts.Admin {
		var err error
		if attempts, err = s.store.Attempts(ctx, u.ID); err != nil {
			return err
		}
	} else {
		ob, err := s.onboarding(ctx, u.ID)
		if err != nil {
			return err
		}
		attempts = ob.Attempts
		if ob.Programme != nil {
			d.Onboarding = &views.HomeOnboarding{Title: ob.Programme.Title, Credited: ob.Clearance.CreditedHours,
				Required: ob.Required, Cleared: ob.Clearance.Cleared, Missing: len(ob.Clearance.Missing)}
		}
	}

	list, err := s.store.UserAssignments(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, a := range list {
		row := s.homeAssignment(a, attempts, now)
		if row.Status == tracking.StatusDone {
			d.Done = append(d.Done, row)
			continue
		}
		if row.Status == tracking.StatusOverdue {
			d.Overdue++
		} else if row.DueSoon {
			d.DueSoon++
		}
		d.Todo = append(d.Todo, row)
	}
	// Overdue first, then by due date (the store's order); done newest first.
	sort.SliceStable(d.Todo, func(i, j int) bool {
		return d.Todo[i].Status == tracking.StatusOverdue && d.Todo[j].Status != tracking.StatusOverdue
	})
	sort.SliceStable(d.Done, func(i, j int) bool { return d.Done[i].Completed.After(*d.Done[j].Completed) })
	if len(d.Done) > recentlyDone {
		d.Done = d.Done[:recentlyDone]
	}

	items, err := s.store.ReviewItems(ctx, u.ID)
	if err != nil {
		return err
	}
	d.ReviewDue = len(tracking.DueItems(items, now, 0))
	for _, it := range items {
		if !it.Retired {
			d.ReviewQueued++
		}
	}
	return s.render(c, http.StatusOK, views.HomePage(s.page(c, "我的学习", "home"), d))
}

// homeAssignment describes one assignment for the dashboard from the person's attempts.
func (s *Server) homeAssignment(a store.Assignment, attempts []quiz.Attempt, now time.Time) views.HomeAssignment {
	row := views.HomeAssignment{Title: a.Programme, Kind: a.Kind, Period: a.Period, PeriodLabel: periodLabel(a.Period),
		Due: a.DueAt, Completed: a.CompletedAt, Status: tracking.Status(a.DueAt, a.CompletedAt, now), Reason: a.Reason}
	row.DueSoon = row.Status == tracking.StatusOpen && a.DueAt.Sub(now) <= views.DueSoonDays*24*time.Hour
	if a.Kind == store.KindRemedial {
		row.Title = "补充学习"
		for _, id := range a.Modules {
			m := views.HomeModule{Title: id, Passed: passedSince(attempts, "module:"+id, a.AssignedAt)}
			if mod, ok := s.catalog.Module(id); ok {
				m.Title, m.URL = mod.Title, mod.URL()
			}
			row.Modules = append(row.Modules, m)
		}
		return row
	}
	p, ok := s.catalog.Programme(a.Programme)
	if !ok {
		return row // a programme removed from the content: listed, nothing to start
	}
	row.Title, row.Questions, row.Minutes, row.Pass = p.Title, p.Assessment.Questions(), p.Assessment.Minutes, p.Assessment.Pass
	row.StartURL = "/programmes/" + p.Slug + "/assessment"
	quizID := store.ProgrammeQuiz(p.Slug, a.Period)
	made, passed := 0, false
	for _, at := range attempts { // newest first
		if at.Quiz != quizID {
			continue
		}
		made++
		passed = passed || at.Passed
		switch {
		case at.State == quiz.Open:
			row.ContinueURL = "/attempts/" + strconv.FormatInt(at.ID, 10)
		case row.ResultURL == "":
			row.ResultURL = "/attempts/" + strconv.FormatInt(at.ID, 10)
			row.ResultScore, row.ResultPassed, row.ResultPending = at.Score, at.Passed, at.State == quiz.AwaitingGrading
		}
	}
	row.AttemptsLeft = max(0, assessmentAttempts-made)
	row.CanStart = row.AttemptsLeft > 0 && !passed
	return row
}

// passedSince reports whether a quiz has a passed attempt submitted at or after since.
func passedSince(attempts []quiz.Attempt, quizID string, since time.Time) bool {
	for _, a := range attempts {
		if a.Quiz == quizID && a.Passed && !a.SubmittedAt.Before(since) {
			return true
		}
	}
	return false
}
