package web

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"aftercare/accounts"
	"aftercare/courses"
	"aftercare/failure"
	"aftercare/quiz"
	"aftercare/store"
	"aftercare/tracking"
)

// Recurring training: the scheduler that assigns monthly refreshers and quarterly
// assessments, the check that only an assigned person starts one, and the refresher draw that
// brings missed questions back (spaced repetition). Periods and due dates follow the stores'
// calendar (displayZone, Asia/Shanghai).

// RunScheduler assigns every recurring programme's current period to every active trainee
// and supervisor who needs it at now (tracking.Needs: cleared for duty and hired before the
// period began) and returns the assignments it created. The due date counts the programme's
// due days from now, so someone assigned late in a period (cleared mid-month, a server that
// was down on the 1st) still gets the full time. It is idempotent: the store keeps one
// assignment per person, programme and period, so running it twice, or on two servers sharing
// the database at the same time, assigns nothing twice.
func (s *Server) RunScheduler(ctx context.Context, now time.Time) ([]store.Assignment, error) {
	type current struct {
		p        *courses.Programme
		period   string
		start    time.Time
		assigned map[int64]bool
	}
	var periods []current
	for _, p := range s.catalog.Programmes {
		if p.Recurrence == "" {
			continue
		}
		key, start, err := tracking.Period(p.Recurrence, now, displayZone)
		if err != nil {
			return nil, fmt.Errorf("programme %s: %w", p.Slug, err)
		}
		assigned, err := s.store.AssignedUsers(ctx, p.Slug, key)
		if err != nil {
			return nil, err
		}
		periods = append(periods, current{p: p, period: key, start: start, assigned: assigned})
	}
	if len(periods) == 0 {
		return nil, nil
	}
	users, err := s.store.Users(ctx, 0)
	if err != nil {
		return nil, err
	}
	// Who still lacks an assignment of a current period; their clearance comes from the
	// dashboard summaries (one batch, re-evaluating only people whose records changed), so the
	// hourly run does not evaluate everyone's history again.
	type candidate struct {
		u    accounts.User
		todo []current
	}
	var candidates []candidate
	var ids []int64
	for _, u := range users {
		if !u.Active || (u.Role != accounts.Trainee && u.Role != accounts.Supervisor) {
			continue
		}
		var todo []current
		for _, c := range periods {
			if !c.assigned[u.ID] {
				todo = append(todo, c)
			}
		}
		if len(todo) == 0 {
			continue // the hourly run after the first one does no work per person
		}
		candidates = append(candidates, candidate{u, todo})
		ids = append(ids, u.ID)
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	summaries, err := s.onboardingSummaries(ctx, ids)
	if err != nil {
		return nil, err
	}
	var want []store.Assignment
	for _, c := range candidates {
		for _, p := range c.todo {
			if !tracking.Needs(c.u.Active, c.u.HiredOn, p.start, summaries[c.u.ID].Cleared) {
				continue
			}
			want = append(want, store.Assignment{UserID: c.u.ID, Programme: p.p.Slug, Kind: p.p.Kind, Period: p.period,
				AssignedAt: now.UTC(), DueAt: tracking.DueDate(now, p.p.DueDays, displayZone)})
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	return s.store.AssignNew(ctx, want)
}

// SchedulerInterval is how often a running server assigns recurring training: hourly, so a
// new period is assigned within the hour it begins and someone cleared mid-period soon after.
const SchedulerInterval = time.Hour

// RunSchedulerEvery runs the scheduler now and then every interval until ctx is cancelled,
// logging what it assigned and any failure (a failed run is retried at the next tick). Every
// instance of a multi-server deployment may run it: the store makes the runs idempotent.
func (s *Server) RunSchedulerEvery(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		made, err := s.RunScheduler(ctx, s.store.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Error("scheduler: assigning recurring training failed", "err", err)
		case len(made) > 0:
			s.log.Info("scheduler: assigned recurring training", "created", len(made))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// assignedPeriod is the period of a recurring programme the person may start now: the one
// posted (an overdue assignment of an earlier period may still be done) or else the current
// one. ok is false when the person has no assignment for it.
func (s *Server) assignedPeriod(ctx context.Context, u accounts.User, p *courses.Programme, posted string) (period string, ok bool, err error) {
	period = strings.TrimSpace(posted)
	if period == "" {
		if period, _, err = tracking.Period(p.Recurrence, s.store.Now(), displayZone); err != nil {
			return "", false, err
		}
	}
	_, err = s.store.UserAssignment(ctx, u.ID, p.Slug, period)
	switch {
	case err == nil:
		return period, true, nil
	case errors.Is(err, failure.ErrNotFound):
		return period, false, nil
	}
	return "", false, err
}

// reviewShare is the largest share of a refresher taken by review questions: a third, so the
// rest still samples every area the programme names.
const reviewShare = 3

// drawRefresher draws a refresher's questions: first the person's review questions that are
// due (longest overdue first, at most a third of the refresher), then the rest by the
// programme's draw rules. Each review question takes the place of one question of the first
// rule it matches (of the rule with the most left when none matches), so the refresher keeps
// its length and, as far as possible, its balance of areas. The order is shuffled, so review
// questions do not stand out.
func (s *Server) drawRefresher(ctx context.Context, userID int64, p *courses.Programme, seen map[string]bool, rng *rand.Rand) ([]string, error) {
	rules := make([]quiz.DrawRule, len(p.Assessment.Draw))
	copy(rules, p.Assessment.Draw)
	items, err := s.store.ReviewItems(ctx, userID)
	if err != nil {
		return nil, err
	}
	limit := p.Assessment.Questions() / reviewShare
	var review []string
	taken := map[string]bool{}
	for _, it := range tracking.DueItems(items, s.store.Now(), 0) {
		if len(review) >= limit {
			break
		}
		b, ok := s.catalog.Question(it.QuestionKey)
		if !ok || !quiz.Graded(b.Question.Type) {
			continue // a question removed from the content since it was missed
		}
		i := ruleTaking(rules, *b)
		if i < 0 {
			break
		}
		rules[i].Count--
		review = append(review, it.QuestionKey)
		taken[it.QuestionKey] = true
	}
	bank := s.catalog.Bank
	if len(taken) > 0 {
		bank = make([]quiz.Banked, 0, len(s.catalog.Bank))
		for _, b := range s.catalog.Bank {
			if !taken[b.Key] {
				bank = append(bank, b)
			}
		}
	}
	rest, err := quiz.Draw(bank, rules, seen, rng)
	if err != nil {
		return nil, err
	}
	keys := append(review, rest...)
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys, nil
}

// ruleTaking picks the draw rule a review question replaces a question of: the first one with
// questions left that the question fits (by quiz.DrawRule's matching: modules if listed, any
// tag, case-insensitive), else the one with the most questions left; -1 when none has any.
func ruleTaking(rules []quiz.DrawRule, b quiz.Banked) int {
	fits := func(r quiz.DrawRule) bool {
		if len(r.Modules) > 0 && !containsString(r.Modules, b.Module) {
			return false
		}
		if len(r.Tags) == 0 {
			return true
		}
		for _, want := range r.Tags {
			for _, have := range b.Question.Tags {
				if strings.EqualFold(want, have) {
					return true
				}
			}
		}
		return false
	}
	most := -1
	for i, r := range rules {
		if r.Count <= 0 {
			continue
		}
		if fits(r) {
			return i
		}
		if most < 0 || r.Count > rules[most].Count {
			most = i
		}
	}
	return most
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// periodLabel is a period key as staff read it: "2026-11" → "2026年11月", "2026-Q4" →
// "2026年第4季度"; anything else is shown as it is.
func periodLabel(period string) string {
	year, rest, ok := strings.Cut(period, "-")
	if !ok {
		return period
	}
	if q, isQuarter := strings.CutPrefix(rest, "Q"); isQuarter {
		return year + "年第" + q + "季度"
	}
	return year + "年" + strings.TrimPrefix(rest, "0") + "月"
}
